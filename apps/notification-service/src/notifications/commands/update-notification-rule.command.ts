import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { IsNull } from 'typeorm';
import { generateWebhookSecret } from '../channels/webhook-signature';
import type { NotificationRuleMatch } from '../domain/notification-rule';
import type { OutboundDestinationGuard } from '../../outbound/outbound-destination.guard';
import { NOTIFICATION_DATA_SOURCE, NOTIFICATION_SECRET_BOX, OUTBOUND_DESTINATION_GUARD } from '../notification.tokens';
import type { NotificationSecretBox } from '../secrets/notification-secret-box';
import { notificationRuleNotFound } from '../projections/get-notification-rule.query';
import { NotificationRuleEntity } from '../projections/notification-rule.entity';
import { toNotificationRuleView, type NotificationRuleView } from '../projections/notification-rule.view';
import { assertTargetAllowed, normalizeMatch, type ChannelInput } from './notification-rule.input';

export interface NotificationRuleChanges {
  name?: string;
  enabled?: boolean;
  match?: Partial<NotificationRuleMatch>;
  channel?: ChannelInput;
}

/**
 * Applies the given changes to a live rule. Queued deliveries keep the URL and payload they were
 * queued with; webhooks are signed with the rule's secret at send time.
 * @throws NotFoundError `NOTIFICATION_RULE.NOT_FOUND`; ValidationError `NOTIFICATION_RULE.TARGET_NOT_ALLOWED`
 * for a URL the outbound policy refuses.
 */
export class UpdateNotificationRule extends Command<NotificationRuleView> {
  constructor(
    readonly id: string,
    readonly changes: NotificationRuleChanges,
    readonly now: Date,
  ) {
    super();
  }
}

/** Replaces the given parts of a rule. @throws NotFoundError `NOTIFICATION_RULE.NOT_FOUND`. */
@CommandHandler(UpdateNotificationRule)
export class UpdateNotificationRuleHandler implements ICommandHandler<UpdateNotificationRule> {
  constructor(
    @InjectDataSource(NOTIFICATION_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(NOTIFICATION_SECRET_BOX) private readonly secrets: NotificationSecretBox,
    @Inject(OUTBOUND_DESTINATION_GUARD) private readonly outbound: OutboundDestinationGuard,
  ) {}

  async execute({ id, changes, now }: UpdateNotificationRule): Promise<NotificationRuleView> {
    // Before the transaction: the check may wait on DNS, and must not hold the row lock meanwhile.
    if (changes.channel !== undefined) await assertTargetAllowed(this.outbound, changes.channel);
    return this.dataSource.transaction(async (manager) => {
      const rules = manager.getRepository(NotificationRuleEntity);
      const rule = await rules.findOne({ where: { id, deletedAt: IsNull() }, lock: { mode: 'pessimistic_write' } });
      if (!rule) throw notificationRuleNotFound(id);

      let generated = false;
      if (changes.name !== undefined) rule.name = changes.name;
      if (changes.enabled !== undefined) rule.enabled = changes.enabled;
      if (changes.match !== undefined) {
        const match = normalizeMatch(changes.match);
        rule.matchSeverities = match.severities;
        rule.matchServices = match.services;
        rule.matchEventTypes = match.eventTypes;
        rule.matchKinds = match.kinds;
      }
      const channel = changes.channel;
      if (channel !== undefined) {
        switch (channel.type) {
          case 'webhook': {
            const keep = rule.channelType === 'webhook' && rule.webhookSecret !== null ? this.secrets.openRuleSecret(rule.id, rule.webhookSecret) : null;
            generated = channel.secret === undefined && keep === null;
            rule.webhookSecret = this.secrets.sealRuleSecret(rule.id, channel.secret ?? keep ?? generateWebhookSecret());
            rule.targetUrl = this.secrets.sealRuleTargetUrl(rule.id, channel.url);
            break;
          }
          case 'slack':
            rule.webhookSecret = null;
            rule.targetUrl = this.secrets.sealRuleTargetUrl(rule.id, channel.webhookUrl);
            break;
          default: {
            const exhaustive: never = channel;
            return exhaustive;
          }
        }
        rule.channelType = channel.type;
      }
      rule.updatedAt = now;
      await rules.save(rule);
      return toNotificationRuleView(rule, this.secrets, generated);
    });
  }
}
