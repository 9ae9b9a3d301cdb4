import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { INCIDENT_PG_POOL } from '../../../incident-service.tokens';

/** A PagerDuty event as first seen. */
export interface NewPagerDutyDelivery {
  integrationId: string;
  /** `event.id`. */
  eventId: string;
  /** `X-Webhook-Id`, when sent. */
  webhookId: string | null;
  eventType: string;
  intakeId: string;
  receivedAt: Date;
}

/** How a delivery is recognised: its `event.id` or its `X-Webhook-Id`. */
export type DeliveryKey = Pick<NewPagerDutyDelivery, 'integrationId' | 'eventId' | 'webhookId'>;

/**
 * What a delivery may do: process the event (`claimed`: first seen, or an earlier attempt failed or
 * died), or nothing because it was processed already or is being processed by a concurrent delivery.
 */
export type DeliveryClaim =
  | { status: 'claimed' }
  | { status: 'processed'; verdict: string | null; reason: string | null }
  | { status: 'in_flight' };

/**
 * `pagerduty_webhook_deliveries`: who processes a PagerDuty event. The unique keys make concurrent
 * identical deliveries race on one row: one wins the insert (and a processing lease of `leaseMs`), the
 * others see it claimed. The event store's command ids are the second line: a command re-run after a
 * lease ran out appends nothing it appended before.
 */
@Injectable()
export class PagerDutyWebhookDeliveryRepository {
  constructor(@Inject(INCIDENT_PG_POOL) private readonly pool: Pool) {}

  async claim(delivery: NewPagerDutyDelivery, leaseMs: number): Promise<DeliveryClaim> {
    const { integrationId, eventId, webhookId, eventType, intakeId, receivedAt } = delivery;
    const inserted = await this.pool.query(
      `INSERT INTO pagerduty_webhook_deliveries (integration_id, external_delivery_id, webhook_id, event_type, first_intake_id, received_at, claimed_until)
       VALUES ($1, $2, $3, $4, $5, $6, clock_timestamp() + make_interval(secs => $7::double precision / 1000))
       ON CONFLICT DO NOTHING RETURNING 1`,
      [integrationId, eventId, webhookId, eventType, intakeId, receivedAt, leaseMs],
    );
    if ((inserted.rowCount ?? 0) > 0) return { status: 'claimed' };
    const retaken = await this.pool.query(
      `UPDATE pagerduty_webhook_deliveries SET claimed_until = clock_timestamp() + make_interval(secs => $4::double precision / 1000)
       WHERE integration_id = $1 AND (external_delivery_id = $2 OR webhook_id = $3)
         AND processed_at IS NULL AND (claimed_until IS NULL OR claimed_until <= clock_timestamp())
       RETURNING 1`,
      [integrationId, eventId, webhookId, leaseMs],
    );
    if ((retaken.rowCount ?? 0) > 0) return { status: 'claimed' };
    const existing = await this.pool.query<{ processed_at: Date | null; verdict: string | null; reason: string | null }>(
      `SELECT processed_at, verdict, reason FROM pagerduty_webhook_deliveries
       WHERE integration_id = $1 AND (external_delivery_id = $2 OR webhook_id = $3) LIMIT 1`,
      [integrationId, eventId, webhookId],
    );
    const row = existing.rows[0];
    return row?.processed_at ? { status: 'processed', verdict: row.verdict, reason: row.reason } : { status: 'in_flight' };
  }

  /** The event was processed (for good): later deliveries of it are duplicates. */
  async complete({ integrationId, eventId, webhookId }: DeliveryKey, verdict: string, reason: string): Promise<void> {
    await this.pool.query(
      `UPDATE pagerduty_webhook_deliveries SET processed_at = now(), claimed_until = NULL, verdict = $4, reason = $5
       WHERE integration_id = $1 AND (external_delivery_id = $2 OR webhook_id = $3) AND processed_at IS NULL`,
      [integrationId, eventId, webhookId, verdict, reason],
    );
  }

  /** Processing failed: the next delivery (PagerDuty retries a non-2xx) may claim the event at once. */
  async release({ integrationId, eventId, webhookId }: DeliveryKey): Promise<void> {
    await this.pool.query(
      `UPDATE pagerduty_webhook_deliveries SET claimed_until = NULL
       WHERE integration_id = $1 AND (external_delivery_id = $2 OR webhook_id = $3) AND processed_at IS NULL`,
      [integrationId, eventId, webhookId],
    );
  }
}
