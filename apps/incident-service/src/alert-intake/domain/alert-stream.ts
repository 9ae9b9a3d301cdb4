import { nameBasedUuid } from '@fireline/event-store/event-id';

/** Stream naming of the alert aggregate: `alert-<uuid>`, stream type `alert`. */
export const ALERT_STREAM_TYPE = 'alert';

/**
 * `alert-<nameBasedUuid(integrationId + ':' + dedupKey)>`: one stream per (integration, dedup key), so
 * that every delivery of the same alert, from any client and any instance, meets the same stream
 * (and its expected-version guard).
 */
export function alertStreamId(integrationId: string, dedupKey: string): string {
  return `${ALERT_STREAM_TYPE}-${nameBasedUuid(`${integrationId}:${dedupKey}`)}`;
}
