import type { StatusIndicatorV1, StatusPageComponentV1 } from '@fireline/contracts';
import { NotFoundError } from '@fireline/errors';
import type { Pool, PoolClient } from 'pg';
import type { StatusPageCopy } from '../domain/status-page-copy';

interface CopyRow {
  page_id: string;
  slug: string;
  name: string;
  url: string;
  time_zone: string;
  status_indicator: StatusIndicatorV1;
  status_description: string;
  components: StatusPageComponentV1[];
}

const COLUMNS = 'page_id, slug, name, url, time_zone, status_indicator, status_description, components';

function toCopy(row: CopyRow): StatusPageCopy {
  return {
    id: row.page_id,
    slug: row.slug,
    name: row.name,
    url: row.url,
    timeZone: row.time_zone,
    statusIndicator: row.status_indicator,
    statusDescription: row.status_description,
    components: row.components,
  };
}

/** The copy of page `pageId`, locked for the caller's transaction (`FOR UPDATE`), or null. */
export async function lockedPageCopy(tx: PoolClient, pageId: string): Promise<{ copy: StatusPageCopy; lastEventAt: Date } | null> {
  const { rows } = await tx.query<CopyRow & { last_event_at: Date }>(`SELECT ${COLUMNS}, last_event_at FROM status_page_copies WHERE page_id = $1 FOR UPDATE`, [pageId]);
  return rows[0] ? { copy: toCopy(rows[0]), lastEventAt: rows[0].last_event_at } : null;
}

/**
 * Writes the copy of a page as an event of `occurredAt` left it, unless a later event's copy is already
 * there (a redelivered or late event never takes the page back in time).
 */
export async function savePageCopy(tx: PoolClient, copy: StatusPageCopy, occurredAt: string): Promise<void> {
  await tx.query(
    `INSERT INTO status_page_copies (${COLUMNS}, last_event_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, now())
     ON CONFLICT (page_id) DO UPDATE
        SET slug = EXCLUDED.slug, name = EXCLUDED.name, url = EXCLUDED.url, time_zone = EXCLUDED.time_zone,
            status_indicator = EXCLUDED.status_indicator, status_description = EXCLUDED.status_description,
            components = EXCLUDED.components, last_event_at = EXCLUDED.last_event_at, updated_at = now()
      WHERE status_page_copies.last_event_at <= EXCLUDED.last_event_at`,
    [copy.id, copy.slug, copy.name, copy.url, copy.timeZone, copy.statusIndicator, copy.statusDescription, JSON.stringify(copy.components), occurredAt],
  );
}

/** Stable code of a page notification-service has not heard of (or that does not exist). */
export const STATUS_PAGE_NOT_FOUND = 'STATUS_PAGE.NOT_FOUND';

/** @throws NotFoundError `STATUS_PAGE.NOT_FOUND` when no page has that slug (as far as this service has heard). */
export async function pageCopyBySlug(db: Pool | PoolClient, slug: string): Promise<StatusPageCopy> {
  const { rows } = await db.query<CopyRow>(`SELECT ${COLUMNS} FROM status_page_copies WHERE slug = $1`, [slug]);
  if (!rows[0]) throw new NotFoundError(STATUS_PAGE_NOT_FOUND, `No status page ${slug}`, { slug });
  return toCopy(rows[0]);
}

/** @throws NotFoundError `STATUS_PAGE.NOT_FOUND` when no page has that id (as far as this service has heard). */
export async function pageCopyById(db: Pool | PoolClient, pageId: string): Promise<StatusPageCopy> {
  const { rows } = await db.query<CopyRow>(`SELECT ${COLUMNS} FROM status_page_copies WHERE page_id = $1`, [pageId]);
  if (!rows[0]) throw new NotFoundError(STATUS_PAGE_NOT_FOUND, `Status page ${pageId} does not exist`, { pageId });
  return toCopy(rows[0]);
}
