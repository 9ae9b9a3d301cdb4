import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, type Repository } from 'typeorm';
import { Inject } from '@nestjs/common';
import { NOTIFICATION_DATA_SOURCE, NOTIFICATION_SECRET_BOX } from '../notification.tokens';
import type { NotificationSecretBox } from '../secrets/notification-secret-box';
import { NotificationRuleEntity } from './notification-rule.entity';
import { toNotificationRuleView, type NotificationRuleView } from './notification-rule.view';

/** Every live rule, oldest first, secrets masked. Rules are configuration: a short list, not paged. */
export class ListNotificationRules extends Query<NotificationRuleView[]> {}

/** Every rule not deleted, oldest first, secrets masked. */
@QueryHandler(ListNotificationRules)
export class ListNotificationRulesHandler implements IQueryHandler<ListNotificationRules> {
  constructor(
    @InjectRepository(NotificationRuleEntity, NOTIFICATION_DATA_SOURCE) private readonly rules: Repository<NotificationRuleEntity>,
    @Inject(NOTIFICATION_SECRET_BOX) private readonly secrets: NotificationSecretBox,
  ) {}

  async execute(): Promise<NotificationRuleView[]> {
    const rules = await this.rules.find({ where: { deletedAt: IsNull() }, order: { createdAt: 'ASC', id: 'ASC' } });
    return rules.map((rule) => toNotificationRuleView(rule, this.secrets));
  }
}
