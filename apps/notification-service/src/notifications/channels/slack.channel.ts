import type { IncidentIntegrationEventV1, SeverityV1 } from '@fireline/contracts';

/**
 * The body of a Slack incoming-webhook POST (https://api.slack.com/messaging/webhooks), built from
 * Block Kit (https://api.slack.com/reference/block-kit/blocks). `text` is the fallback Slack shows in
 * notifications and to clients that cannot render blocks.
 */
export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

export interface SlackTextObject {
  type: 'mrkdwn' | 'plain_text';
  text: string;
}

export type SlackBlock =
  | { type: 'section'; text: SlackTextObject; fields?: SlackTextObject[] }
  | { type: 'context'; elements: SlackTextObject[] };

/** Block Kit limits: section text 3000 characters, each section field 2000. */
const SECTION_TEXT_MAX = 3000;
const FIELD_TEXT_MAX = 2000;

const SEVERITY_EMOJI: Record<SeverityV1, string> = {
  SEV1: ':red_circle:',
  SEV2: ':large_orange_circle:',
  SEV3: ':large_yellow_circle:',
  SEV4: ':large_blue_circle:',
};

/**
 * Slack mrkdwn control characters (https://api.slack.com/reference/surfaces/formatting#escaping):
 * escaping them also keeps user text from forming links or @-mentions.
 */
export function escapeSlackText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** What happened, in a few words, plus optional detail text (already escaped). */
function headlineOf(event: IncidentIntegrationEventV1): { headline: string; detail: string | null } {
  switch (event.type) {
    case 'IncidentDeclared':
      return { headline: 'Incident declared', detail: escapeSlackText(event.data.description) };
    case 'IncidentAcknowledged':
      return { headline: 'Incident acknowledged', detail: null };
    case 'IncidentStatusChanged':
      return {
        headline: `Status changed: ${event.data.from} → ${event.data.to}`,
        detail: event.data.note === null ? null : escapeSlackText(event.data.note),
      };
    case 'IncidentSeverityChanged':
      return { headline: `Severity changed: ${event.data.from} → ${event.data.to}`, detail: escapeSlackText(event.data.reason) };
    case 'IncidentRoleAssigned':
      return { headline: `${event.data.role.replace(/_/g, ' ')} assigned: ${escapeSlackText(event.data.assignee)}`, detail: null };
    case 'IncidentNoteAdded':
      return { headline: 'Note added', detail: escapeSlackText(event.data.text) };
    case 'IncidentStatusUpdatePosted':
      return { headline: `Status update posted (${event.data.audience})`, detail: escapeSlackText(event.data.message) };
    case 'IncidentResolved':
      return { headline: 'Incident resolved', detail: escapeSlackText(event.data.summary) };
    case 'IncidentReopened':
      return { headline: 'Incident reopened', detail: escapeSlackText(event.data.reason) };
    case 'IncidentClosed':
      return { headline: 'Incident closed', detail: null };
    default: {
      const exhaustive: never = event;
      return exhaustive;
    }
  }
}

/**
 * Renders an incident event as a Slack message: a section with severity emoji, what happened and the
 * incident title; a section with status and services; optional detail; a context line with incident
 * id, actor and time. No links (receivers' Slack workspaces cannot reach Fireline's UI by default).
 */
export function renderSlackMessage(event: IncidentIntegrationEventV1): SlackMessage {
  const { incident, actor } = event.data;
  const { headline, detail } = headlineOf(event);
  const emoji = SEVERITY_EMOJI[incident.severity];
  const title = escapeSlackText(incident.title);
  const services = incident.services.length > 0 ? incident.services.map(escapeSlackText).join(', ') : '—';

  const blocks: SlackBlock[] = [
    {
      type: 'section',
      text: { type: 'mrkdwn', text: truncate(`${emoji} *${incident.severity} · ${headline}*\n*${title}*`, SECTION_TEXT_MAX) },
      fields: [
        { type: 'mrkdwn', text: truncate(`*Status*\n${incident.status}`, FIELD_TEXT_MAX) },
        { type: 'mrkdwn', text: truncate(`*Services*\n${services}`, FIELD_TEXT_MAX) },
      ],
    },
  ];
  if (detail !== null && detail.trim() !== '') {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(detail, SECTION_TEXT_MAX) } });
  }
  blocks.push({
    type: 'context',
    elements: [{ type: 'mrkdwn', text: `Incident ${incident.id} · by ${escapeSlackText(actor)} · ${event.occurredAt}` }],
  });

  const text = truncate(`${emoji} [${incident.severity}] ${headline}: ${title} (status: ${incident.status}; services: ${services})`, SECTION_TEXT_MAX);
  return { text, blocks };
}
