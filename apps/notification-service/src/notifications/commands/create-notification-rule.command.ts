import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { Repository } from 'typeorm';
import { generateWebhookSecret } from '../channels/webhook-signature';
import type { NotificationRuleMatch } from '../domain/notification-rule';
import { NOTIFICATION_DATA_SOURCE } from '../notification.tokens';
import { NotificationRuleEntity } from '../projections/notification-rule.entity';
import { toNotificationRuleView, type NotificationRuleView } from '../projections/notification-rule.view';
import { normalizeMatch, type ChannelInput } from './notification-rule.input';

/**
 * Creates a rule. A webhook without a secret gets a generated one, which the result (and only the
 * result) shows in full.
 */
export class CreateNotificationRule extends Command<NotificationRuleView> {
  constructor(
    readonly input: { name: string; enabled?: boolean; match?: Partial<NotificationRuleMatch>; channel: ChannelInput },
    readonly now: Date,
  ) {
    super();
  }
}

/** Stores a rule; a webhook without a secret gets a generated one, returned once. */
@CommandHandler(CreateNotificationRule)
export class CreateNotificationRuleHandler implements ICommandHandler<CreateNotificationRule> {
  constructor(@InjectRepository(NotificationRuleEntity, NOTIFICATION_DATA_SOURCE) private readonly rules: Repository<NotificationRuleEntity>) {}

  async execute({ input, now }: CreateNotificationRule): Promise<NotificationRuleView> {
    const match = normalizeMatch(input.match);
    const generated = input.channel.type === 'webhook' && input.channel.secret === undefined;
    const entity = this.rules.create({
      id: randomUUID(),
      name: input.name,
      enabled: input.enabled ?? true,
      matchSeverities: match.severities,
      matchServices: match.services,
      matchEventTypes: match.eventTypes,
      channelType: input.channel.type,
      targetUrl: input.channel.type === 'webhook' ? input.channel.url : input.channel.webhookUrl,
      webhookSecret: input.channel.type === 'webhook' ? (input.channel.secret ?? generateWebhookSecret()) : null,
      createdAt: now,
      updatedAt: now,
      deletedAt: null,
    });
    await this.rules.insert(entity);
    return toNotificationRuleView(entity, generated);
  }
}
