import type { IncidentResolvedV1 } from '@fireline/contracts';
import type { DraftPostmortem } from '../domain/postmortem.commands';
import type { TimelineEntry } from '../domain/postmortem.state';

const MS_PER_MINUTE = 60_000;
const MS_PER_HOUR = 3_600_000;
/** The decider's title limit; long incident titles are shortened rather than failing the draft. */
const MAX_TITLE_LENGTH = 200;

/** What the draft is built from. */
export interface PostmortemDraftInput {
  postmortemId: string;
  resolved: IncidentResolvedV1;
  /** The incident's recorded timeline, including the resolution. */
  timeline: TimelineEntry[];
  /** Hours after resolution the postmortem is due (config `POSTMORTEM_DUE_HOURS`). */
  dueHours: number;
}

/**
 * The blameless first draft of a resolved incident's postmortem: what happened (summary, impact,
 * timeline) is filled in from the incident; the analysis (root cause, contributing factors, lessons,
 * action items) is left for the review. Time-based fields derive from the resolution's `occurredAt`,
 * so a redelivery builds the same draft.
 */
export function buildPostmortemDraft({ postmortemId, resolved, timeline, dueHours }: PostmortemDraftInput): DraftPostmortem['data'] {
  const { incident, incidentId, summary } = resolved.data;
  const resolvedAt = new Date(resolved.occurredAt);
  const declaredAt = new Date(incident.declaredAt);
  const durationMinutes = Math.max(0, Math.round((resolvedAt.getTime() - declaredAt.getTime()) / MS_PER_MINUTE));
  return {
    postmortemId,
    incidentId,
    title: truncate(`Postmortem: ${incident.title.trim()}`, MAX_TITLE_LENGTH),
    summary,
    impact: { severity: incident.severity, services: [...incident.services], durationMinutes, description: '' },
    timeline: [...timeline],
    dueAt: new Date(resolvedAt.getTime() + dueHours * MS_PER_HOUR).toISOString(),
  };
}

function truncate(text: string, maxLength: number): string {
  return text.length <= maxLength ? text : `${text.slice(0, maxLength - 1)}…`;
}
