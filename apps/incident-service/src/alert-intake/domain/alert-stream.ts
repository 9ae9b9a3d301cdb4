import { LRUCache } from 'lru-cache';
import { nameBasedUuid } from '@fireline/event-store/event-id';

/** Stream naming of the alert aggregate: `alert-<uuid>`, stream type `alert`. */
export const ALERT_STREAM_TYPE = 'alert';

/**
 * The stream ids of the alerts seen lately (a storm repeats the same few; each is a sha1 otherwise):
 * at most `RECENT_STREAM_IDS` names of ≤ 292 characters (a uuid, `:`, a dedup key of ≤ 255).
 */
const RECENT_STREAM_IDS = 10_000;
const recentStreamIds = new LRUCache<string, string>({ max: RECENT_STREAM_IDS });

/**
 * `alert-<nameBasedUuid(integrationId + ':' + dedupKey)>`: one stream per (integration, dedup key), so
 * that every delivery of the same alert, from any client and any instance, meets the same stream
 * (and its expected-version guard).
 */
export function alertStreamId(integrationId: string, dedupKey: string): string {
  const name = `${integrationId}:${dedupKey}`;
  let id = recentStreamIds.get(name);
  if (id === undefined) {
    id = `${ALERT_STREAM_TYPE}-${nameBasedUuid(name)}`;
    recentStreamIds.set(name, id);
  }
  return id;
}

