import { ReceivePagerDutyWebhookHandler } from './receive-pagerduty-webhook.command';
import { RawBodyHook } from './pagerduty-raw-body.hook';
import { PagerDutyWebhooksHttpController } from './pagerduty-webhooks.http.controller';
import { CreatePagerDutyWebhookDeliveries1732000002500 } from './pagerduty-webhook-deliveries.migration';
import { PagerDutyWebhookDeliveryRepository } from './pagerduty-webhook-delivery.repository';

/**
 * The PagerDuty Webhooks v3 receiver's parts, for `IncidentServiceModule` to register with one line
 * each. Uses the integrations and the intake ledger registered by `ALERT_INGESTION`.
 */
export const PAGERDUTY_WEBHOOKS = {
  migrations: [CreatePagerDutyWebhookDeliveries1732000002500],
  controllers: [PagerDutyWebhooksHttpController],
  providers: [PagerDutyWebhookDeliveryRepository, ReceivePagerDutyWebhookHandler, RawBodyHook],
} as const;
