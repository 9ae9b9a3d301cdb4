import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { Repository } from 'typeorm';
import { generateWebhookSecret } from '../channels/webhook-signature';
import type { NotificationRuleMatch } from '../domain/notification-rule';
import type { OutboundDestinationGuard } from '../../outbound/outbound-destination.guard';
import { NOTIFICATION_DATA_SOURCE, NOTIFICATION_SECRET_BOX, OUTBOUND_DESTINATION_GUARD } from '../notification.tokens';
import type { NotificationSecretBox } from '../secrets/notification-secret-box';
import { NotificationRuleEntity } from '../projections/notification-rule.entity';
import { toNotificationRuleView, type NotificationRuleView } from '../projections/notification-rule.view';
import { assertTargetAllowed, normalizeMatch, type ChannelInput } from './notification-rule.input';

/**
 * Creates a rule. A webhook without a secret gets a generated one, which the result (and only the
 * result) shows in full. The URL and the secret are stored encrypted; reads show them masked.
 * @throws ValidationError `NOTIFICATION_RULE.TARGET_NOT_ALLOWED` for a URL the outbound policy refuses.
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
  constructor(
    @InjectRepository(NotificationRuleEntity, NOTIFICATION_DATA_SOURCE) private readonly rules: Repository<NotificationRuleEntity>,
    @Inject(NOTIFICATION_SECRET_BOX) private readonly secrets: NotificationSecretBox,
    @Inject(OUTBOUND_DESTINATION_GUARD) private readonly outbound: OutboundDestinationGuard,
  ) {}

  async execute({ input, now }: CreateNotificationRule): Promise<NotificationRuleView> {
    await assertTargetAllowed(this.outbound, input.channel);
    const match = normalizeMatch(input.match);
    const generated = input.channel.type === 'webhook' && input.channel.secret === undefined;
    const id = randomUUID();
    const secret = input.channel.type === 'webhook' ? (input.channel.secret ?? generateWebhookSecret()) : null;
    const entity = this.rules.create({
      id,
      name: input.name,
      enabled: input.enabled ?? true,
      matchSeverities: match.severities,
      matchServices: match.services,
      matchEventTypes: match.eventTypes,
      matchKinds: match.kinds,
      channelType: input.channel.type,
      targetUrl: this.secrets.sealRuleTargetUrl(id, input.channel.type === 'webhook' ? input.channel.url : input.channel.webhookUrl),
      webhookSecret: secret === null ? null : this.secrets.sealRuleSecret(id, secret),
      createdAt: now,
      updatedAt: now,
      deletedAt: null,
    });
    await this.rules.insert(entity);
    return toNotificationRuleView(entity, this.secrets, generated);
  }
}
