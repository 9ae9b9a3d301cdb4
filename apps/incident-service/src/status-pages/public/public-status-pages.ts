import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { EventStore } from '@fireline/event-store';
import { ValidationError } from '@fireline/errors';
import type { Pool } from 'pg';
import { DEFAULT_STATUS_PAGES_CONFIG, type IncidentServiceConfig, type StatusPagesConfig } from '../../config/incident-service.config';
import { INCIDENT_EVENT_STORE, INCIDENT_PG_POOL } from '../../incident-service.tokens';
import { INCIDENT_SERVICE_CONFIG } from '../../incident-service.subscriptions';
import { historyTooLong, statusPageNotFound } from '../domain/status-page.errors';
import { evolveStatusPageView, type StatusPageView } from '../domain/status-page-view';
import type { StatusPageEvent } from '../domain/status-page.events';
import { ISO_INSTANT_PATTERN, SLUG_PATTERN } from '../domain/status-page.values';
import { pageIdOfSlug, statusPageStreamId } from '../status-page-stream';
import { renderStatusPageHtml } from './status-page.html';
import { renderIncidentFeed } from './status-page-feeds';
import { statuspageV2Body, type StatuspageV2Resource } from './statuspage-v2';

/** A public representation: the body, its strong `ETag` (hash of the body) and its media type. */
export interface RenderedRepresentation {
  body: string;
  etag: string;
  contentType: string;
}

/** What can be rendered of a page. */
export type PublicResource = { kind: 'json'; resource: StatuspageV2Resource } | { kind: 'html' } | { kind: 'feed'; format: 'atom' | 'rss' };

/** Largest page history `?at=` replays (events); longer pages answer `STATUS_PAGE.HISTORY_TOO_LONG`. */
export const MAX_REPLAYED_EVENTS = 20_000;
/** `?at=` may be at most this far ahead of the server clock (ms); later is refused. */
export const MAX_AT_AHEAD_MS = 60_000;
/** Replays running at once per instance; more answer 503 with `Retry-After`. */
export const MAX_CONCURRENT_REPLAYS = 4;
/** Pages kept rendered in memory per instance. */
const CACHE_PAGES = 1_000;

interface CacheEntry {
  /** Read-model version; -1 for "no such page". */
  version: number;
  view: StatusPageView | null;
  checkedAt: number;
  rendered: Map<string, RenderedRepresentation>;
}

/** Refused: too many `?at=` replays running. The controller answers 503 with `Retry-After: 1`. */
export class ReplayBusyError extends Error {}

/**
 * The public side of status pages, built for the crowd an outage sends: a request is answered from a
 * rendered representation held in memory, keyed by page and read-model version. The version is checked
 * against `status_page_views` (one indexed read by slug) at most once per `cacheRevalidateMs` per page,
 * and concurrent requests (the first ones included) share the read in flight, so the database sees a
 * bounded load however many readers
 * come; a new version is rendered once per instance. Unknown slugs are remembered the same way. The
 * HTML (its uptime bars move with the clock) is rendered again at most once a minute.
 *
 * `?at=` replays the page's stream up to that time (bounded: at most `MAX_REPLAYED_EVENTS` events,
 * `MAX_CONCURRENT_REPLAYS` at once) and is not cached.
 */
@Injectable()
export class PublicStatusPages {
  private readonly cache = new Map<string, CacheEntry>();
  /** The read in flight per slug: concurrent requests (also the first ones for a page) share it. */
  private readonly loading = new Map<string, Promise<CacheEntry>>();
  private readonly config: StatusPagesConfig;
  private replays = 0;

  constructor(
    @Inject(INCIDENT_PG_POOL) private readonly pool: Pool,
    @Inject(INCIDENT_EVENT_STORE) private readonly store: EventStore,
    @Inject(INCIDENT_SERVICE_CONFIG) config: IncidentServiceConfig,
  ) {
    this.config = config.statusPages ?? DEFAULT_STATUS_PAGES_CONFIG;
  }

  /**
   * The representation of `resource` for the page `slug`, now or as of `at`.
   * @throws NotFoundError `STATUS_PAGE.NOT_FOUND` (also for a slug that cannot exist, and for an `at` before the page existed).
   * @throws ValidationError `STATUS_PAGE.INVALID_AT`; IllegalStateError `STATUS_PAGE.HISTORY_TOO_LONG`; ReplayBusyError.
   */
  async represent(slug: string, resource: PublicResource, at?: string): Promise<RenderedRepresentation> {
    if (!SLUG_PATTERN.test(slug)) throw statusPageNotFound(slug);
    if (at !== undefined) return this.representAsOf(slug, resource, parseAt(at));
    const entry = await this.current(slug);
    if (entry.view === null) throw statusPageNotFound(slug);
    const now = Date.now();
    // The HTML shows the clock (uptime bars, "today"): rendered again each minute; the rest only per version.
    const key = resource.kind === 'html' ? `html:${Math.floor(now / 60_000)}` : resource.kind === 'json' ? `json:${resource.resource}` : `feed:${resource.format}`;
    let rendered = entry.rendered.get(key);
    if (!rendered) {
      if (resource.kind === 'html') for (const old of entry.rendered.keys()) if (old.startsWith('html:')) entry.rendered.delete(old);
      rendered = this.render(entry.view, resource, new Date(now), false, slug);
      entry.rendered.set(key, rendered);
    }
    return rendered;
  }

  private render(view: StatusPageView, resource: PublicResource, now: Date, asOf: boolean, slug: string): RenderedRepresentation {
    const base = this.config.publicBaseUrl;
    switch (resource.kind) {
      case 'json':
        return representation(JSON.stringify(statuspageV2Body(resource.resource, view, base)), 'application/json; charset=utf-8');
      case 'html':
        return representation(renderStatusPageHtml(view, now, { asOf, basePath: `/status/${slug}` }), 'text/html; charset=utf-8');
      case 'feed':
        return representation(renderIncidentFeed(view, base, resource.format), resource.format === 'atom' ? 'application/atom+xml; charset=utf-8' : 'application/rss+xml; charset=utf-8');
      default: {
        const _never: never = resource;
        return _never;
      }
    }
  }

  /** The cache entry of `slug`, revalidated against the read model when older than `cacheRevalidateMs`. */
  private async current(slug: string): Promise<CacheEntry> {
    const entry = this.cache.get(slug);
    if (entry && Date.now() - entry.checkedAt < this.config.cacheRevalidateMs) return entry;
    const inFlight = this.loading.get(slug);
    if (inFlight) return inFlight;
    const load = this.load(slug, entry);
    this.loading.set(slug, load);
    try {
      return await load;
    } finally {
      this.loading.delete(slug);
    }
  }

  private async load(slug: string, previous: CacheEntry | undefined): Promise<CacheEntry> {
    const known = previous?.version ?? -2;
    // One indexed read; the document only comes back when the version moved.
    const result = await this.pool.query<{ version: number; document: StatusPageView | null }>({
      name: 'fireline_status_page_view',
      text: 'SELECT version, CASE WHEN version <> $2 THEN document END AS document FROM status_page_views WHERE slug = $1',
      values: [slug, known],
    });
    const row = result.rows[0];
    const checkedAt = Date.now();
    let entry: CacheEntry;
    if (!row) entry = { version: -1, view: null, checkedAt, rendered: new Map() };
    else if (previous && row.version === previous.version) entry = { ...previous, checkedAt };
    else entry = { version: row.version, view: row.document, checkedAt, rendered: new Map() };
    if (!this.cache.has(slug) && this.cache.size >= CACHE_PAGES) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(slug, entry);
    return entry;
  }

  private async representAsOf(slug: string, resource: PublicResource, at: Date): Promise<RenderedRepresentation> {
    if (this.replays >= MAX_CONCURRENT_REPLAYS) throw new ReplayBusyError('Too many history replays running');
    this.replays++;
    try {
      const streamId = statusPageStreamId(pageIdOfSlug(slug));
      const { events, currentVersion } = await this.store.readStream(streamId, { toVersion: MAX_REPLAYED_EVENTS + 1 });
      if (currentVersion > MAX_REPLAYED_EVENTS) throw historyTooLong(currentVersion, MAX_REPLAYED_EVENTS);
      let view: StatusPageView | null = null;
      for (const recorded of events) {
        if (Date.parse((recorded.data as { at: string }).at) > at.getTime()) break;
        view = evolveStatusPageView(view, { type: recorded.type, data: recorded.data } as StatusPageEvent);
      }
      if (view === null) throw statusPageNotFound(slug);
      return this.render(view, resource, at, true, slug);
    } finally {
      this.replays--;
    }
  }
}

function representation(body: string, contentType: string): RenderedRepresentation {
  return { body, contentType, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
}

/**
 * Parses `?at=`: an ISO-8601 date-time with a zone, not more than `MAX_AT_AHEAD_MS` in the future.
 * @throws ValidationError `STATUS_PAGE.INVALID_AT`.
 */
export function parseAt(value: string): Date {
  const valid = typeof value === 'string' && value.length <= 40 && ISO_INSTANT_PATTERN.test(value);
  const at = valid ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(at.getTime())) {
    throw new ValidationError('STATUS_PAGE.INVALID_AT', 'at must be an ISO-8601 date-time with a time zone, e.g. 2026-03-01T10:00:00Z', [
      { field: 'at', message: 'must be an ISO-8601 date-time with a time zone' },
    ]);
  }
  if (at.getTime() > Date.now() + MAX_AT_AHEAD_MS) {
    throw new ValidationError('STATUS_PAGE.INVALID_AT', 'at must not be in the future', [{ field: 'at', message: 'must not be in the future' }]);
  }
  return at;
}
