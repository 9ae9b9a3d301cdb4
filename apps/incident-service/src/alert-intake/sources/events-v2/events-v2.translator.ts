import type { AlertCommand, AlertDetails } from '../../domain/alert.commands';
import type { EventsV2Event } from './events-v2-event';
import type { AlertDeliveryRef } from '../../domain/alert-delivery';
import { DEFAULT_ALERT_LABEL_NAMES, groupLabelFacts, labelSetsOfAlertmanagerText, type AlertLabelFacts, type AlertLabelNames } from '../../domain/alert-labels';

/**
 * What the labels in `payload.custom_details` say: Alertmanager's `pagerduty_configs` sends its alerts'
 * labels as text in `custom_details.firing` (the default template, one `Labels:` block per alert); other
 * senders (or a `details:` template) may send the labels as keys of `custom_details` itself.
 */
export function labelFactsOfCustomDetails(customDetails: unknown, names: AlertLabelNames): AlertLabelFacts {
  if (typeof customDetails !== 'object' || customDetails === null || Array.isArray(customDetails)) return { service: null, severity: null };
  const details = customDetails as Record<string, unknown>;
  const own = Object.fromEntries(Object.entries(details).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
  const sets = typeof details.firing === 'string' ? labelSetsOfAlertmanagerText(details.firing) : [];
  return groupLabelFacts([...sets, own], names);
}

/**
 * The dedup key PagerDuty generates for a trigger sent without one is 32 hex digits; ours is the
 * intake row id without dashes, so reprocessing the row finds the same alert.
 */
export function generatedDedupKey(intakeId: string): string {
  return intakeId.replace(/-/g, '');
}

/** `integration:<id>`: who acts when alerts arrive. */
function actorOf(integrationId: string): string {
  return `integration:${integrationId}`;
}

/**
 * The alert command of one Events API v2 event (https://developer.pagerduty.com/docs/events-api-v2/trigger-events/),
 * recorded as `row`. On trigger, the severity and service the alert's labels name (`labels`: which
 * label names; see `labelFactsOfCustomDetails`) win over `payload.severity` (Alertmanager's
 * `pagerduty_configs` sends `error` for every alert unless its `severity:` is templated). Time is the delivery's `received_at` and `commandId` the row id, so processing
 * the same row again decides the same thing and appends nothing new.
 */
export function alertCommandOfEventsV2(event: EventsV2Event, row: AlertDeliveryRef, labels: AlertLabelNames = DEFAULT_ALERT_LABEL_NAMES): AlertCommand {
  const key = { integrationId: row.integrationId, dedupKey: event.dedup_key ? event.dedup_key : generatedDedupKey(row.id) };
  const metadata = { now: row.receivedAt, actor: actorOf(row.integrationId), correlationId: row.id, commandId: row.id };
  switch (event.event_action) {
    case 'trigger': {
      const payload = event.payload!;
      const facts = labelFactsOfCustomDetails(payload.custom_details, labels);
      const details: AlertDetails = {
        summary: payload.summary,
        source: payload.source,
        severity: facts.severity ?? payload.severity,
        service: facts.service,
        timestamp: payload.timestamp ?? null,
        component: payload.component ?? null,
        group: payload.group ?? null,
        class: payload.class ?? null,
        customDetails: payload.custom_details ?? null,
        links: (event.links ?? []).map((link) => ({ href: link.href, ...(link.text !== undefined ? { text: link.text } : {}) })),
        images: (event.images ?? []).map((image) => ({
          src: image.src,
          ...(image.href !== undefined ? { href: image.href } : {}),
          ...(image.alt !== undefined ? { alt: image.alt } : {}),
        })),
        client: event.client ?? null,
        clientUrl: event.client_url ?? null,
      };
      return { type: 'TriggerAlert', data: { ...key, ...details }, metadata };
    }
    case 'acknowledge':
      return { type: 'AcknowledgeAlert', data: key, metadata };
    case 'resolve': {
      const summary = typeof event.payload?.summary === 'string' && event.payload.summary.trim() !== '' ? event.payload.summary : null;
      return { type: 'ResolveAlert', data: { ...key, summary }, metadata };
    }
    default: {
      const _exhaustive: never = event.event_action;
      throw new Error(`unknown event_action ${String(_exhaustive)}`);
    }
  }
}
