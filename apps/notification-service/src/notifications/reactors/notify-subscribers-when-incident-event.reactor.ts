import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { TOPICS, type IntegrationEvent, type TopicName } from '@fireline/contracts';
import { MESSAGE_TRANSPORT, type MessageTransport } from '@fireline/messaging';
import { insertDeliveries, type NewDelivery } from '../channels/delivery-queue';
import { renderDeliveryPayload } from '../channels/outbound-request';
import { asIncidentEventV1 } from '../domain/incident-event.guard';
import { targetUrlOf, type NotificationRule } from '../domain/notification-rule';
import { rulesToNotify } from '../domain/notification-rule.matcher';
import { NOTIFICATION_PG_POOL, NOTIFICATION_SECRET_BOX } from '../notification.tokens';
import type { NotificationSecretBox } from '../secrets/notification-secret-box';

interface RuleRow {
  id: string;
  name: string;
  enabled: boolean;
  match_severities: NotificationRule['match']['severities'];
  match_services: string[];
  match_event_types: NotificationRule['match']['eventTypes'];
  match_kinds: NotificationRule['match']['kinds'];
  channel_type: 'webhook' | 'slack';
  target_url: string;
  webhook_secret: string | null;
}

/** A rule row as the matcher sees it: URL and secret still sealed (only a matching rule's URL is opened; the secret is read at send time). */
function toRule(row: RuleRow): NotificationRule {
  const match = { severities: row.match_severities, services: row.match_services, eventTypes: row.match_event_types, kinds: row.match_kinds };
  const channel: NotificationRule['channel'] =
    row.channel_type === 'webhook' ? { type: 'webhook', url: row.target_url, secret: row.webhook_secret ?? '' } : { type: 'slack', webhookUrl: row.target_url };
  return { id: row.id, name: row.name, enabled: row.enabled, match, channel };
}



/**
 * Consumes `fireline.incidents.v1` as `notification-service.notify`: for each incident event, queues
 * one delivery per enabled rule it matches, with the channel's rendered payload, in the inbox
 * transaction (so a redelivered event queues nothing twice). Sending is the delivery worker's job.
 */
@Injectable()
export class NotifySubscribersWhenIncidentEventReactor {
  static readonly topic: TopicName = TOPICS.incidents;
  static readonly consumer = 'notification-service.notify';
  private readonly logger = new Logger(NotifySubscribersWhenIncidentEventReactor.name);

  constructor(
    @Inject(MESSAGE_TRANSPORT) private readonly transport: MessageTransport,
    @Inject(NOTIFICATION_PG_POOL) private readonly pool: Pool,
    @Inject(NOTIFICATION_SECRET_BOX) private readonly secrets: NotificationSecretBox,
  ) {}

  /** Registers with the transport; called once from the module's `onModuleInit`. */
  subscribe(): void {
    this.transport.subscribe({
      topic: NotifySubscribersWhenIncidentEventReactor.topic,
      consumer: NotifySubscribersWhenIncidentEventReactor.consumer,
      pool: this.pool,
      handle: (event, tx) => this.handle(event, tx),
    });
  }

  async handle(envelope: IntegrationEvent, tx: PoolClient): Promise<void> {
    const event = asIncidentEventV1(envelope);
    if (event === null) return; // not a v1 incident event we understand: acknowledge
    const { rows } = await tx.query<RuleRow>(
      `SELECT id, name, enabled, match_severities, match_services, match_event_types, match_kinds, channel_type, target_url, webhook_secret
         FROM notification_rules
        WHERE enabled AND deleted_at IS NULL
        ORDER BY created_at, id`,
    );
    const deliveries: NewDelivery[] = rulesToNotify(rows.map(toRule), event).flatMap((rule) => {
      const id = randomUUID();
      let targetUrl: string;
      try {
        targetUrl = this.secrets.openRuleTargetUrl(rule.id, targetUrlOf(rule.channel));
      } catch (error) {
        // One rule whose key is missing must not hold back every other rule's notification of this event.
        this.logger.error(`Rule ${rule.id} not notified of event ${event.eventId}: ${error instanceof Error ? error.message : String(error)}`);
        return [];
      }
      return {
        id,
        ruleId: rule.id,
        eventId: event.eventId,
        eventType: event.type,
        incidentId: event.data.incidentId,
        channelType: rule.channel.type,
        targetUrl,
        payload: renderDeliveryPayload(rule.channel.type, id, event),
      };
    });
    await insertDeliveries(tx, deliveries, this.secrets);
  }
}
