import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { InjectRepository } from '@nestjs/typeorm';
import { Inject } from '@nestjs/common';
import { cursorCodec, cursorKey, toPage, type Page } from '@fireline/http';
import type { Repository } from 'typeorm';
import { z } from 'zod';
import { NOTIFICATION_DATA_SOURCE, NOTIFICATION_SECRET_BOX } from '../notification.tokens';
import type { NotificationSecretBox } from '../secrets/notification-secret-box';
import { NotificationRuleEntity } from './notification-rule.entity';
import { toNotificationRuleView, type NotificationRuleView } from './notification-rule.view';

/** One page of live rules, oldest first, secrets masked. `cursor`: a previous page's `nextCursor`. */
export class ListNotificationRules extends Query<Page<NotificationRuleView>> {
  constructor(readonly page: { limit: number; cursor?: string }) {
    super();
  }
}

/** Cursor of the rule list: the last row's `[createdAt, id]` (created by the API: millisecond times). */
const RULE_CURSOR = cursorCodec('notification-rules', z.tuple([cursorKey.timestamp(), cursorKey.uuid()]));

/** Rules not deleted, oldest first, keyset-paginated on `(created_at, id)`. @throws ValidationError `REQUEST.INVALID_CURSOR`. */
@QueryHandler(ListNotificationRules)
export class ListNotificationRulesHandler implements IQueryHandler<ListNotificationRules> {
  constructor(
    @InjectRepository(NotificationRuleEntity, NOTIFICATION_DATA_SOURCE) private readonly rules: Repository<NotificationRuleEntity>,
    @Inject(NOTIFICATION_SECRET_BOX) private readonly secrets: NotificationSecretBox,
  ) {}

  async execute({ page }: ListNotificationRules): Promise<Page<NotificationRuleView>> {
    const query = this.rules.createQueryBuilder('r').where('r.deleted_at IS NULL');
    if (page.cursor !== undefined) {
      const [createdAt, id] = RULE_CURSOR.decode(page.cursor);
      query.andWhere('(r.created_at, r.id) > (CAST(:createdAt AS timestamptz), CAST(:id AS uuid))', { createdAt, id });
    }
    const rows = await query.orderBy('r.created_at', 'ASC').addOrderBy('r.id', 'ASC').limit(page.limit + 1).getMany();
    const result = toPage(rows, page.limit, RULE_CURSOR, (row): [string, string] => [row.createdAt.toISOString(), row.id]);
    return { items: result.items.map((rule) => toNotificationRuleView(rule, this.secrets)), nextCursor: result.nextCursor };
  }
}
