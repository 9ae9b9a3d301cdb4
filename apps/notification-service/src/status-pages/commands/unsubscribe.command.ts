import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { Pool } from 'pg';
import { NOTIFICATION_PG_POOL, NOTIFICATION_SECRET_BOX } from '../../notifications/notification.tokens';
import type { NotificationSecretBox } from '../../notifications/secrets/notification-secret-box';
import { sameToken } from '../domain/subscription-tokens';
import { invalidLink, type LinkedPage } from './subscription-link.errors';

interface LinkRow {
  id: string;
  status: 'pending' | 'active' | 'unsubscribed';
  unsubscribe_token: string;
  name: string;
  url: string;
}

/**
 * Checks an unsubscribe link: subscriber `id` of the page `slug`, whose sealed unsubscribe token equals
 * `token` (compared in constant time). A token that cannot be opened counts as not matching.
 * @throws NotFoundError `STATUS_PAGE_SUBSCRIPTION.LINK_INVALID`.
 */
export async function checkUnsubscribeLink(
  db: Pick<Pool, 'query'>,
  secrets: NotificationSecretBox,
  link: { slug: string; id: string; token: string },
  lock = false,
): Promise<LinkRow> {
  const { rows } = await db.query<LinkRow>(
    `SELECT s.id, s.status, s.unsubscribe_token, p.name, p.url
       FROM status_page_subscribers s JOIN status_page_copies p ON p.page_id = s.page_id
      WHERE s.id = $1 AND p.slug = $2${lock ? ' FOR UPDATE OF s' : ''}`,
    [link.id, link.slug],
  );
  const row = rows[0];
  let stored = '';
  try {
    if (row) stored = secrets.openSubscriberValue('unsubscribe_token', row.id, row.unsubscribe_token);
  } catch {
    stored = '';
  }
  if (!row || stored === '' || !sameToken(stored, link.token)) throw invalidLink('unsubscribe');
  return row;
}

/**
 * `POST /status/{slug}/subscriptions/unsubscribe?id=&token=` (RFC 8058 one-click, or the page's button):
 * the subscription ends at once; deliveries still queued for it are dropped unsent. Safe to repeat.
 * @throws NotFoundError `STATUS_PAGE_SUBSCRIPTION.LINK_INVALID`.
 */
export class Unsubscribe extends Command<LinkedPage & { alreadyUnsubscribed: boolean }> {
  constructor(
    readonly slug: string,
    readonly id: string,
    readonly token: string,
  ) {
    super();
  }
}

/** See `Unsubscribe`. */
@CommandHandler(Unsubscribe)
export class UnsubscribeHandler implements ICommandHandler<Unsubscribe> {
  constructor(
    @Inject(NOTIFICATION_PG_POOL) private readonly pool: Pool,
    @Inject(NOTIFICATION_SECRET_BOX) private readonly secrets: NotificationSecretBox,
  ) {}

  async execute({ slug, id, token }: Unsubscribe): Promise<LinkedPage & { alreadyUnsubscribed: boolean }> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const row = await checkUnsubscribeLink(client, this.secrets, { slug, id, token }, true);
      if (row.status !== 'unsubscribed') {
        await client.query(
          `UPDATE status_page_subscribers SET status = 'unsubscribed', unsubscribed_at = now(), confirm_token_hash = NULL, confirm_expires_at = NULL, updated_at = now() WHERE id = $1`,
          [id],
        );
      }
      await client.query('COMMIT');
      return { name: row.name, url: row.url, alreadyUnsubscribed: row.status === 'unsubscribed' };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}
