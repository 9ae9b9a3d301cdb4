import type { IncidentIntegrationEventV1 } from '@fireline/contracts';
import type { NotificationChannelType } from '../domain/notification-rule';
import { renderSlackMessage } from './slack.channel';
import { renderWebhookBody, webhookRequestHeaders } from './webhook.channel';

/** One HTTP POST to make. `body` is sent as its UTF-8 bytes, unchanged. */
export interface OutboundRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export const USER_AGENT = 'Fireline-Notifications/1';

/** The stored payload of a new delivery for a channel type. */
export function renderDeliveryPayload(channelType: NotificationChannelType, deliveryId: string, event: IncidentIntegrationEventV1): string {
  switch (channelType) {
    case 'webhook':
      return renderWebhookBody(deliveryId, event);
    case 'slack':
      return JSON.stringify(renderSlackMessage(event));
    default: {
      const exhaustive: never = channelType;
      return exhaustive;
    }
  }
}

/**
 * The request for one attempt of a queued delivery. Webhooks are signed at attempt time (fresh
 * timestamp, same delivery id and body); Slack incoming webhooks take no signature.
 * @throws Error for a webhook delivery without a secret (rules always get one; a data bug otherwise).
 */
export function buildOutboundRequest(
  delivery: { id: string; channelType: NotificationChannelType; targetUrl: string; payload: string; secret: string | null },
  now: Date,
): OutboundRequest {
  const base = { 'user-agent': USER_AGENT };
  switch (delivery.channelType) {
    case 'webhook': {
      if (delivery.secret === null) throw new Error(`Webhook delivery ${delivery.id} has no signing secret`);
      const headers = webhookRequestHeaders({ deliveryId: delivery.id, secret: delivery.secret, rawBody: delivery.payload, now });
      return { url: delivery.targetUrl, headers: { ...base, ...headers }, body: delivery.payload };
    }
    case 'slack':
      return { url: delivery.targetUrl, headers: { ...base, 'content-type': 'application/json; charset=utf-8' }, body: delivery.payload };
    default: {
      const exhaustive: never = delivery.channelType;
      return exhaustive;
    }
  }
}
