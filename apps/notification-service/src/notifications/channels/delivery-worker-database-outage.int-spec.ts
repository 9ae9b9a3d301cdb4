import { runMigrations } from '@fireline/event-store';
import { SecretBox } from '@fireline/secrets';
import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { eventually } from '../../../../../test/support/eventually';
import { startLocalHttpReceiver, type LocalHttpReceiver } from '../../../../../test/support/local-http-receiver';
import { TcpSwitch } from '../../../../../test/support/tcp-switch';
import { createTestDatabase, servicePool, type TestDatabase } from '../../../../../test/support/test-database';
import { NOTIFICATION_SERVICE_MIGRATIONS } from '../../notification-service.module';
import { DeliveryQueue } from './delivery-queue';
import { deliveryCircuitBreakers, DeliveryWorker } from './delivery-worker';
import { TEST_DELIVERY_CONFIG } from '../../../../../test/support/test-delivery-config';
import { TEST_ENCRYPTION_KEYS, TEST_OUTBOUND_POLICY } from '../../../../../test/support/test-secrets';
import { OutboundDestinationGuard } from '../../outbound/outbound-destination.guard';
import { NotificationSecretBox } from '../secrets/notification-secret-box';

const LEASE_MS = 1_500;

const secrets = new NotificationSecretBox(new SecretBox(TEST_ENCRYPTION_KEYS));

describe(`${DeliveryWorker.name} while the database goes away`, () => {
  let db: TestDatabase;
  let tcpSwitch: TcpSwitch;
  let pool: Pool;
  let receiver: LocalHttpReceiver;
  let worker: DeliveryWorker | undefined;
  const outbound = new OutboundDestinationGuard(TEST_OUTBOUND_POLICY);
  /** Set by a test: what the receiver does when a request arrives (after recording it). */
  let onRequest: () => void = () => undefined;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    db = await createTestDatabase('delivery_worker');
    await runMigrations(db.url, NOTIFICATION_SERVICE_MIGRATIONS);
    tcpSwitch = await TcpSwitch.start('127.0.0.1', Number(new URL(db.url).port));
    pool = servicePool(tcpSwitch.route(db.url));
    receiver = await startLocalHttpReceiver(() => {
      onRequest();
      return { status: 200, body: 'ok' };
    });
  });

  afterEach(async () => {
    await worker?.stop();
    worker = undefined;
    await tcpSwitch.restore();
  });

  afterAll(async () => {
    await pool?.end();
    await tcpSwitch?.close();
    await outbound.close();
    await receiver?.close();
    await db?.drop();
  });

  async function queueDelivery(): Promise<string> {
    const ruleId = randomUUID();
    const deliveryId = randomUUID();
    await db.pool.query(
      `INSERT INTO notification_rules (id, name, enabled, channel_type, target_url, webhook_secret) VALUES ($1, 'outage', true, 'webhook', $2, 'whsec-test')`,
      [ruleId, receiver.url],
    );
    await db.pool.query(
      `INSERT INTO deliveries (id, rule_id, event_id, event_type, incident_id, channel_type, target_url, target_origin, payload, status, next_attempt_at)
       VALUES ($1, $2, $3, 'IncidentDeclared', $4, 'webhook', $5, $6, $7, 'pending', now())`,
      [deliveryId, ruleId, randomUUID(), randomUUID(), receiver.url, new URL(receiver.url).origin, JSON.stringify({ deliveryId })],
    );
    return deliveryId;
  }

  function startWorker(): void {
    worker = new DeliveryWorker(new DeliveryQueue(pool, secrets), {
      policy: { retryWindowMs: 60_000, maxAttempts: 5, baseDelayMs: 10, maxDelayMs: 50 },
      timeoutMs: 1_000,
      circuitBreakers: deliveryCircuitBreakers({ ...TEST_DELIVERY_CONFIG.circuitBreaker, probeTimeoutMs: 1_000 }),
      pollIntervalMs: 20,
      concurrency: 2,
      leaseMs: LEASE_MS,
      outbound,
    });
    worker.start();
  }

  async function deliveryRow(id: string) {
    const { rows } = await db.pool.query<{ status: string; attempt_count: number; attempts: number }>(
      `SELECT status, attempt_count, (SELECT count(*)::int FROM delivery_attempts a WHERE a.delivery_id = d.id) AS attempts FROM deliveries d WHERE id = $1`,
      [id],
    );
    return rows[0];
  }

  it('records a send whose database went away meanwhile once it is back, without sending it again when the lease runs out', async () => {
    const id = await queueDelivery();
    const requestsBefore = receiver.requests.length;
    onRequest = () => {
      onRequest = () => undefined;
      // The webhook has the request; the database goes away before the attempt is recorded.
      void tcpSwitch.cut();
      setTimeout(() => void tcpSwitch.restore(), LEASE_MS + 500);
    };
    startWorker();

    await eventually(async () => expect(await deliveryRow(id)).toMatchObject({ status: 'delivered' }), 15_000, 50);

    expect(receiver.requests.length - requestsBefore).toBe(1);
    expect(await deliveryRow(id)).toEqual({ status: 'delivered', attempt_count: 1, attempts: 1 });
  });

  it('keeps polling while the database refuses connections and delivers what was queued once it is back', async () => {
    await tcpSwitch.cut();
    startWorker();
    const id = await queueDelivery();
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(await deliveryRow(id)).toMatchObject({ status: 'pending', attempt_count: 0 });

    await tcpSwitch.restore();
    await eventually(async () => expect(await deliveryRow(id)).toEqual({ status: 'delivered', attempt_count: 1, attempts: 1 }), 10_000, 50);
  });
});
