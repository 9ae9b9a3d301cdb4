import { Inject } from '@nestjs/common';
import { Command, CommandHandler, Query, QueryHandler, type ICommandHandler, type IQueryHandler } from '@nestjs/cqrs';
import { NotFoundError } from '@fireline/errors';
import type { Pool } from 'pg';
import { secretPreviewOf } from '../../notifications/domain/notification-rule';
import { NOTIFICATION_PG_POOL, NOTIFICATION_SECRET_BOX } from '../../notifications/notification.tokens';
import { NotificationSecretBox } from '../../notifications/secrets/notification-secret-box';
import { pageCopyById } from '../projections/status-page-copies';

/** A page's Statuspage mirror as the API shows it (the key masked) and how far the mirror got. */
export class StatuspageSyncView {
  pageId!: string;
  statuspagePageId!: string;
  /** `…` + the last 4 characters of the API key. */
  apiKeyPreview!: string;
  /** Events mirrored, waiting (or retrying), and given up (see `lastError`). */
  jobs!: { done: number; pending: number; failed: number };
  lastError!: string | null;
}

/** Stable code of a page without a Statuspage mirror. */
export const STATUSPAGE_SYNC_NOT_FOUND = 'STATUSPAGE_SYNC.NOT_FOUND';

async function viewOf(db: Pool, secrets: NotificationSecretBox, pageId: string): Promise<StatuspageSyncView> {
  const { rows } = await db.query<{ statuspage_page_id: string; api_key: string }>(`SELECT statuspage_page_id, api_key FROM statuspage_sync_configs WHERE page_id = $1`, [pageId]);
  if (!rows[0]) throw new NotFoundError(STATUSPAGE_SYNC_NOT_FOUND, `Status page ${pageId} does not mirror to Statuspage`, { pageId });
  const jobs = await db.query<{ status: string; n: number }>(`SELECT status, count(*)::int AS n FROM statuspage_sync_jobs WHERE page_id = $1 GROUP BY status`, [pageId]);
  const count = (status: string) => jobs.rows.find((r) => r.status === status)?.n ?? 0;
  const last = await db.query<{ last_error: string | null }>(
    `SELECT last_error FROM statuspage_sync_jobs WHERE page_id = $1 AND last_error IS NOT NULL ORDER BY seq DESC LIMIT 1`,
    [pageId],
  );
  return {
    pageId,
    statuspagePageId: rows[0].statuspage_page_id,
    apiKeyPreview: NotificationSecretBox.readableOr(() => secretPreviewOf(secrets.openStatuspageApiKey(pageId, rows[0]!.api_key))),
    jobs: { done: count('done') + count('skipped'), pending: count('pending'), failed: count('failed') },
    lastError: last.rows[0]?.last_error ?? null,
  };
}

/**
 * `PUT /v1/status-pages/{pageId}/statuspage-sync`: the page mirrors to a Statuspage page from its next
 * event on (component statuses, incidents and their updates, maintenance). The API key is stored
 * encrypted and never shown again. Safe to repeat; a new key or page id replaces the old.
 * @throws NotFoundError `STATUS_PAGE.NOT_FOUND`.
 */
export class ConfigureStatuspageSync extends Command<StatuspageSyncView> {
  constructor(
    readonly pageId: string,
    readonly statuspagePageId: string,
    readonly apiKey: string,
  ) {
    super();
  }
}

@CommandHandler(ConfigureStatuspageSync)
export class ConfigureStatuspageSyncHandler implements ICommandHandler<ConfigureStatuspageSync> {
  constructor(
    @Inject(NOTIFICATION_PG_POOL) private readonly pool: Pool,
    @Inject(NOTIFICATION_SECRET_BOX) private readonly secrets: NotificationSecretBox,
  ) {}

  async execute({ pageId, statuspagePageId, apiKey }: ConfigureStatuspageSync): Promise<StatuspageSyncView> {
    await pageCopyById(this.pool, pageId);
    await this.pool.query(
      `INSERT INTO statuspage_sync_configs (page_id, statuspage_page_id, api_key) VALUES ($1, $2, $3)
       ON CONFLICT (page_id) DO UPDATE SET statuspage_page_id = EXCLUDED.statuspage_page_id, api_key = EXCLUDED.api_key, updated_at = now()`,
      [pageId, statuspagePageId, this.secrets.sealStatuspageApiKey(pageId, apiKey)],
    );
    return viewOf(this.pool, this.secrets, pageId);
  }
}

/** `DELETE …/statuspage-sync`: stops mirroring (what Statuspage shows stays). Safe to repeat. */
export class RemoveStatuspageSync extends Command<void> {
  constructor(readonly pageId: string) {
    super();
  }
}

@CommandHandler(RemoveStatuspageSync)
export class RemoveStatuspageSyncHandler implements ICommandHandler<RemoveStatuspageSync> {
  constructor(@Inject(NOTIFICATION_PG_POOL) private readonly pool: Pool) {}

  async execute({ pageId }: RemoveStatuspageSync): Promise<void> {
    await this.pool.query(`DELETE FROM statuspage_sync_configs WHERE page_id = $1`, [pageId]);
  }
}

/** `GET …/statuspage-sync`. @throws NotFoundError `STATUSPAGE_SYNC.NOT_FOUND`. */
export class GetStatuspageSync extends Query<StatuspageSyncView> {
  constructor(readonly pageId: string) {
    super();
  }
}

@QueryHandler(GetStatuspageSync)
export class GetStatuspageSyncHandler implements IQueryHandler<GetStatuspageSync> {
  constructor(
    @Inject(NOTIFICATION_PG_POOL) private readonly pool: Pool,
    @Inject(NOTIFICATION_SECRET_BOX) private readonly secrets: NotificationSecretBox,
  ) {}

  execute({ pageId }: GetStatuspageSync): Promise<StatuspageSyncView> {
    return viewOf(this.pool, this.secrets, pageId);
  }
}
