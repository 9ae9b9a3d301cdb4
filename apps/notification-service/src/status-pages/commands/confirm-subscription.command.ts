import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { Pool } from 'pg';
import { NOTIFICATION_PG_POOL } from '../../notifications/notification.tokens';
import { tokenHash } from '../domain/subscription-tokens';
import { invalidLink, type LinkedPage } from './subscription-link.errors';

/**
 * `POST /status/{slug}/subscriptions/confirm?token=`: the double opt-in. The pending subscription the
 * token belongs to becomes `active` (it is notified from now on) and the token is cleared: it works once.
 * @throws NotFoundError `STATUS_PAGE_SUBSCRIPTION.LINK_INVALID` for a token that is unknown, expired,
 *   already used or of another page.
 */
export class ConfirmSubscription extends Command<LinkedPage> {
  constructor(
    readonly slug: string,
    readonly token: string,
  ) {
    super();
  }
}

/** See `ConfirmSubscription`. */
@CommandHandler(ConfirmSubscription)
export class ConfirmSubscriptionHandler implements ICommandHandler<ConfirmSubscription> {
  constructor(@Inject(NOTIFICATION_PG_POOL) private readonly pool: Pool) {}

  async execute({ slug, token }: ConfirmSubscription): Promise<LinkedPage> {
    const { rows } = await this.pool.query<LinkedPage>(
      `UPDATE status_page_subscribers s
          SET status = 'active', confirmed_at = now(), confirm_token_hash = NULL, confirm_expires_at = NULL, updated_at = now()
         FROM status_page_copies p
        WHERE s.confirm_token_hash = $1 AND s.status = 'pending' AND s.confirm_expires_at >= now()
          AND p.page_id = s.page_id AND p.slug = $2
        RETURNING p.name, p.url`,
      [tokenHash(token), slug],
    );
    if (!rows[0]) throw invalidLink('confirmation');
    return rows[0];
  }
}
