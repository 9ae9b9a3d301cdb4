import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, type Repository } from 'typeorm';
import { NOTIFICATION_DATA_SOURCE } from '../notification.tokens';
import { notificationRuleNotFound } from '../projections/get-notification-rule.query';
import { NotificationRuleEntity } from '../projections/notification-rule.entity';

/**
 * Deletes a rule: it stops matching new events at once. The row is kept (soft delete) because the
 * delivery log refers to it; deliveries already queued still go out.
 * @throws NotFoundError `NOTIFICATION_RULE.NOT_FOUND`, also when it was already deleted.
 */
export class DeleteNotificationRule extends Command<void> {
  constructor(
    readonly id: string,
    readonly now: Date,
  ) {
    super();
  }
}

/** Soft-deletes a rule; queued deliveries keep going. @throws NotFoundError `NOTIFICATION_RULE.NOT_FOUND`. */
@CommandHandler(DeleteNotificationRule)
export class DeleteNotificationRuleHandler implements ICommandHandler<DeleteNotificationRule> {
  constructor(@InjectRepository(NotificationRuleEntity, NOTIFICATION_DATA_SOURCE) private readonly rules: Repository<NotificationRuleEntity>) {}

  async execute({ id, now }: DeleteNotificationRule): Promise<void> {
    const result = await this.rules.update({ id, deletedAt: IsNull() }, { deletedAt: now, enabled: false, updatedAt: now });
    if (!result.affected) throw notificationRuleNotFound(id);
  }
}
