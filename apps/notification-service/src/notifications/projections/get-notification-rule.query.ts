import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, type Repository } from 'typeorm';
import { NotFoundError } from '@fireline/errors';
import { Inject } from '@nestjs/common';
import { NOTIFICATION_DATA_SOURCE, NOTIFICATION_SECRET_BOX } from '../notification.tokens';
import type { NotificationSecretBox } from '../secrets/notification-secret-box';
import { NotificationRuleEntity } from './notification-rule.entity';
import { toNotificationRuleView, type NotificationRuleView } from './notification-rule.view';

/** @throws NotFoundError `NOTIFICATION_RULE.NOT_FOUND` (also for a deleted rule). */
export function notificationRuleNotFound(id: string): NotFoundError {
  return new NotFoundError('NOTIFICATION_RULE.NOT_FOUND', `Notification rule ${id} does not exist`, { ruleId: id });
}

/** One live rule, secret masked. */
export class GetNotificationRule extends Query<NotificationRuleView> {
  constructor(readonly id: string) {
    super();
  }
}

/** One rule, secret masked. @throws NotFoundError `NOTIFICATION_RULE.NOT_FOUND`. */
@QueryHandler(GetNotificationRule)
export class GetNotificationRuleHandler implements IQueryHandler<GetNotificationRule> {
  constructor(
    @InjectRepository(NotificationRuleEntity, NOTIFICATION_DATA_SOURCE) private readonly rules: Repository<NotificationRuleEntity>,
    @Inject(NOTIFICATION_SECRET_BOX) private readonly secrets: NotificationSecretBox,
  ) {}

  async execute({ id }: GetNotificationRule): Promise<NotificationRuleView> {
    const rule = await this.rules.findOneBy({ id, deletedAt: IsNull() });
    if (!rule) throw notificationRuleNotFound(id);
    return toNotificationRuleView(rule, this.secrets);
  }
}
