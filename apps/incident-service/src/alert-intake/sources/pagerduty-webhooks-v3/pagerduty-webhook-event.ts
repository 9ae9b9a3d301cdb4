import type { FieldError } from '@fireline/errors';

/**
 * A PagerDuty Webhooks v3 delivery's envelope (https://developer.pagerduty.com/docs/webhooks/v3-overview/):
 * `{ "event": { id, event_type, resource_type, occurred_at, agent, client, data } }`. `data` is the
 * resource: the incident for most `incident.*` types, the note (with `data.incident`) for
 * `incident.annotated`. Only what the mapper reads is typed; the rest stays in the ledger's raw body.
 */
export interface PagerDutyWebhookEvent {
  id: string;
  eventType: string;
  resourceType: string | null;
  occurredAt: string | null;
  data: Record<string, unknown>;
}

export type ParsedPagerDutyWebhook = { ok: true; event: PagerDutyWebhookEvent } | { ok: false; errors: FieldError[] };

/** PagerDuty's event ids are short ULID-like strings; anything longer is not one. */
const MAX_EVENT_ID_LENGTH = 255;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads the envelope from the parsed body (already authenticated, parsed and sanitized), or the field errors of a malformed one. */
export function parsePagerDutyWebhook(body: unknown): ParsedPagerDutyWebhook {
  if (!isObject(body) || !isObject(body.event)) return { ok: false, errors: [{ field: 'event', message: 'must be an object' }] };
  const { id, event_type: eventType, resource_type: resourceType, occurred_at: occurredAt, data } = body.event;
  const errors: FieldError[] = [];
  if (typeof id !== 'string' || id.trim() === '' || id.length > MAX_EVENT_ID_LENGTH) {
    errors.push({ field: 'event.id', message: `must be a non-empty string of at most ${MAX_EVENT_ID_LENGTH} characters` });
  }
  if (typeof eventType !== 'string' || eventType === '') errors.push({ field: 'event.event_type', message: 'must be a non-empty string' });
  if (!isObject(data)) errors.push({ field: 'event.data', message: 'must be an object' });
  if (errors.length > 0 || typeof id !== 'string' || typeof eventType !== 'string' || !isObject(data)) return { ok: false, errors };
  return {
    ok: true,
    event: {
      id,
      eventType,
      resourceType: typeof resourceType === 'string' ? resourceType : null,
      occurredAt: typeof occurredAt === 'string' ? occurredAt : null,
      data,
    },
  };
}
