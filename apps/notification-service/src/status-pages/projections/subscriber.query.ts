import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { NotFoundError } from '@fireline/errors';
import { cursorCodec, cursorKey, toPage } from '@fireline/http';
import type { Pool } from 'pg';
import { NOTIFICATION_PG_POOL, NOTIFICATION_SECRET_BOX } from '../../notifications/notification.tokens';
import type { NotificationSecretBox } from '../../notifications/secrets/notification-secret-box';
import { pageCopyById } from './status-page-copies';
import { SUBSCRIBER_COLUMNS, toSubscriberView, type SubscriberPageView, type SubscriberRow, type SubscriberView } from './subscriber.view';

/** Stable code of an unknown subscriber (or one of another page). */
export const SUBSCRIBER_NOT_FOUND = 'STATUS_PAGE_SUBSCRIBER.NOT_FOUND';

export function subscriberNotFound(pageId: string, subscriberId: string): NotFoundError {
  return new NotFoundError(SUBSCRIBER_NOT_FOUND, `Status page ${pageId} has no subscriber ${subscriberId}`, { pageId, subscriberId });
}

/** Filters of `GET /v1/status-pages/{pageId}/subscribers`. */
export interface SubscriberFilter {
  status?: 'pending' | 'active' | 'unsubscribed';
  channel?: 'email' | 'webhook';
  quarantined?: boolean;
  limit: number;
  cursor?: string;
}

/** A page's subscribers, oldest first. @throws NotFoundError `STATUS_PAGE.NOT_FOUND`; ValidationError `REQUEST.INVALID_CURSOR`. */
export class ListSubscribers extends Query<SubscriberPageView> {
  constructor(
    readonly pageId: string,
    readonly filter: SubscriberFilter,
  ) {
    super();
  }
}

/** Cursor of a page's subscribers: the last row's `seq` (a bigint, as a decimal string). */
const SUBSCRIBER_CURSOR = cursorCodec('status-page-subscribers', cursorKey.position());

/** See `ListSubscribers`: keyset-paged by `seq`. */
@QueryHandler(ListSubscribers)
export class ListSubscribersHandler implements IQueryHandler<ListSubscribers> {
  constructor(
    @Inject(NOTIFICATION_PG_POOL) private readonly pool: Pool,
    @Inject(NOTIFICATION_SECRET_BOX) private readonly secrets: NotificationSecretBox,
  ) {}

  async execute({ pageId, filter }: ListSubscribers): Promise<SubscriberPageView> {
    const after = filter.cursor === undefined ? null : SUBSCRIBER_CURSOR.decode(filter.cursor);
    await pageCopyById(this.pool, pageId);
    const { rows } = await this.pool.query<SubscriberRow>(
      `SELECT ${SUBSCRIBER_COLUMNS} FROM status_page_subscribers
        WHERE page_id = $1
          AND ($2::text IS NULL OR status = $2) AND ($3::text IS NULL OR channel_type = $3)
          AND ($4::boolean IS NULL OR (quarantined_at IS NOT NULL) = $4)
          AND ($5::bigint IS NULL OR seq > $5::bigint)
        ORDER BY seq
        LIMIT $6`,
      [pageId, filter.status ?? null, filter.channel ?? null, filter.quarantined ?? null, after, filter.limit + 1],
    );
    const page = toPage(rows, filter.limit, SUBSCRIBER_CURSOR, (row) => row.seq);
    return { items: page.items.map((row) => toSubscriberView(row, this.secrets)), nextCursor: page.nextCursor };
  }
}

/** One subscriber of a page. @throws NotFoundError `STATUS_PAGE_SUBSCRIBER.NOT_FOUND`. */
export class GetSubscriber extends Query<SubscriberView> {
  constructor(
    readonly pageId: string,
    readonly subscriberId: string,
  ) {
    super();
  }
}

/** See `GetSubscriber`. */
@QueryHandler(GetSubscriber)
export class GetSubscriberHandler implements IQueryHandler<GetSubscriber> {
  constructor(
    @Inject(NOTIFICATION_PG_POOL) private readonly pool: Pool,
    @Inject(NOTIFICATION_SECRET_BOX) private readonly secrets: NotificationSecretBox,
  ) {}

  async execute({ pageId, subscriberId }: GetSubscriber): Promise<SubscriberView> {
    const { rows } = await this.pool.query<SubscriberRow>(`SELECT ${SUBSCRIBER_COLUMNS} FROM status_page_subscribers WHERE id = $1 AND page_id = $2`, [subscriberId, pageId]);
    if (!rows[0]) throw subscriberNotFound(pageId, subscriberId);
    return toSubscriberView(rows[0], this.secrets);
  }
}
