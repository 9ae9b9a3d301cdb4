import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Pool } from 'pg';
import { NOTIFICATION_PG_POOL, NOTIFICATION_SECRET_BOX } from '../../notifications/notification.tokens';
import type { NotificationSecretBox } from '../../notifications/secrets/notification-secret-box';
import { invalidLink, type LinkedPage } from '../commands/subscription-link.errors';
import { checkUnsubscribeLink } from '../commands/unsubscribe.command';
import { tokenHash } from '../domain/subscription-tokens';

/**
 * `GET …/subscriptions/confirm?token=`: the page a still-valid confirmation link belongs to (the GET
 * shows a button; only the POST confirms). @throws NotFoundError `STATUS_PAGE_SUBSCRIPTION.LINK_INVALID`.
 */
export class GetConfirmationLink extends Query<LinkedPage> {
  constructor(
    readonly slug: string,
    readonly token: string,
  ) {
    super();
  }
}

/** See `GetConfirmationLink`. */
@QueryHandler(GetConfirmationLink)
export class GetConfirmationLinkHandler implements IQueryHandler<GetConfirmationLink> {
  constructor(@Inject(NOTIFICATION_PG_POOL) private readonly pool: Pool) {}

  async execute({ slug, token }: GetConfirmationLink): Promise<LinkedPage> {
    const { rows } = await this.pool.query<LinkedPage>(
      `SELECT p.name, p.url FROM status_page_subscribers s JOIN status_page_copies p ON p.page_id = s.page_id
        WHERE s.confirm_token_hash = $1 AND s.status = 'pending' AND s.confirm_expires_at >= now() AND p.slug = $2`,
      [tokenHash(token), slug],
    );
    if (!rows[0]) throw invalidLink('confirmation');
    return rows[0];
  }
}

/**
 * `GET …/subscriptions/unsubscribe?id=&token=`: the page of a valid unsubscribe link and whether the
 * subscription is still on (the GET shows a button; only the POST unsubscribes).
 * @throws NotFoundError `STATUS_PAGE_SUBSCRIPTION.LINK_INVALID`.
 */
export class GetUnsubscribeLink extends Query<LinkedPage & { subscribed: boolean }> {
  constructor(
    readonly slug: string,
    readonly id: string,
    readonly token: string,
  ) {
    super();
  }
}

/** See `GetUnsubscribeLink`. */
@QueryHandler(GetUnsubscribeLink)
export class GetUnsubscribeLinkHandler implements IQueryHandler<GetUnsubscribeLink> {
  constructor(
    @Inject(NOTIFICATION_PG_POOL) private readonly pool: Pool,
    @Inject(NOTIFICATION_SECRET_BOX) private readonly secrets: NotificationSecretBox,
  ) {}

  async execute(link: GetUnsubscribeLink): Promise<LinkedPage & { subscribed: boolean }> {
    const row = await checkUnsubscribeLink(this.pool, this.secrets, link);
    return { name: row.name, url: row.url, subscribed: row.status !== 'unsubscribed' };
  }
}
