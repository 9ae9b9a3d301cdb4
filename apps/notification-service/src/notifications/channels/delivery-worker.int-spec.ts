import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { runMigrations } from '@fireline/event-store';
import { eventually } from '../../../../../test/support/eventually';
import { startLocalHttpReceiver, type LocalHttpReceiver } from '../../../../../test/support/local-http-receiver';
import { createTestDatabase, type TestDatabase } from '../../../../../test/support/test-database';
import { NOTIFICATION_SERVICE_MIGRATIONS } from '../../notification-service.module';
import { DeliveryQueue, insertDeliveries, type NewDelivery } from './delivery-queue';
import { deliveryCircuitBreakers, DeliveryWorker } from './delivery-worker';
import { SecretBox } from '@fireline/secrets';
import { TEST_ENCRYPTION_KEYS, TEST_OUTBOUND_POLICY } from '../../../../../test/support/test-secrets';
import { NotificationSecretBox } from '../secrets/notification-secret-box';
import { OutboundDestinationGuard } from '../../outbound/outbound-destination.guard';

const secrets = new NotificationSecretBox(new SecretBox(TEST_ENCRYPTION_KEYS));

jest.setTimeout(60_000);

/** Per-attempt HTTP timeout: how long a send to the dead receiver holds a worker slot. */
const TIMEOUT_MS = 300;
const CONCURRENCY = 2;
const DELIVERIES_PER_TARGET = 20;
const BREAKER = { failureThreshold: 3, halfOpenAfterMs: 500 };

/** A receiver that accepts connections and requests and never answers (a hung server). */
async function startHangingReceiver(): Promise<{ url: string; requests: () => number; close(): Promise<void> }> {
  let requests = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer(() => void requests++);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

interface Run {
  deadOrigin: string;
  /** From the worker's start until the healthy receiver had every delivery, ms. */
  healthyDoneMs: number;
  /** Each healthy delivery's delivered_at − worker start, ms, ascending. */
  healthyLatenciesMs: number[];
  /** Requests the dead receiver got by the time the healthy one had everything. */
  deadRequestsByThen: number;
  deadRequestsTotal: number;
  /** Attempts recorded for deliveries to the dead receiver, after the worker stopped. */
  deadAttemptsRecorded: number;
  deadStatuses: Record<string, number>;
  deadLastErrors: string[];
}

describe(`${DeliveryWorker.name} with a receiver that never answers beside a healthy one`, () => {
  const closers: (() => Promise<void>)[] = [];

  afterAll(async () => {
    await Promise.allSettled(closers.map((close) => close()));
  });

  async function aRule(db: TestDatabase, url: string): Promise<string> {
    const id = randomUUID();
    await db.pool.query(
      `INSERT INTO notification_rules (id, name, enabled, channel_type, target_url, webhook_secret) VALUES ($1, 'worker spec', true, 'webhook', $2, 'whsec_worker_spec_secret')`,
      [id, url],
    );
    return id;
  }

  function aDelivery(ruleId: string, targetUrl: string): NewDelivery {
    const id = randomUUID();
    return { id, ruleId, eventId: randomUUID(), eventType: 'IncidentDeclared', incidentId: randomUUID(), channelType: 'webhook', targetUrl, payload: JSON.stringify({ deliveryId: id }) };
  }

  /**
   * Queues `DELIVERIES_PER_TARGET` deliveries to each receiver, interleaved and all due at once, runs a
   * worker with `CONCURRENCY` slots until the healthy receiver has all of its, and reports.
   */
  async function run(failureThreshold: number): Promise<Run> {
    // A database of its own, so that one run's queue does not slow the other.
    const db = await createTestDatabase('delivery_worker');
    closers.push(() => db.drop());
    await runMigrations(db.url, NOTIFICATION_SERVICE_MIGRATIONS);
    const dead = await startHangingReceiver();
    const healthy: LocalHttpReceiver = await startLocalHttpReceiver();
    closers.push(dead.close, healthy.close);
    const [deadRule, healthyRule] = [await aRule(db, dead.url), await aRule(db, healthy.url)];
    const client = await db.pool.connect();
    try {
      for (let i = 0; i < DELIVERIES_PER_TARGET; i++) await insertDeliveries(client, [aDelivery(deadRule, dead.url), aDelivery(healthyRule, healthy.url)], secrets);
    } finally {
      client.release();
    }

    const outbound = new OutboundDestinationGuard(TEST_OUTBOUND_POLICY);
    closers.push(() => outbound.close());
    const worker = new DeliveryWorker(new DeliveryQueue(db.pool, secrets), {
      policy: { retryWindowMs: 60_000, maxAttempts: null, baseDelayMs: 50, maxDelayMs: 200 },
      timeoutMs: TIMEOUT_MS,
      pollIntervalMs: 10,
      concurrency: CONCURRENCY,
      circuitBreakers: deliveryCircuitBreakers({ failureThreshold, halfOpenAfterMs: BREAKER.halfOpenAfterMs, probeTimeoutMs: TIMEOUT_MS }),
      outbound,
    });
    const startedAt = new Date();
    let healthyDoneMs: number;
    let deadRequestsByThen: number;
    worker.start();
    try {
      await eventually(() => expect(healthy.requests).toHaveLength(DELIVERIES_PER_TARGET), 30_000, 5);
      healthyDoneMs = Date.now() - startedAt.getTime();
      deadRequestsByThen = dead.requests();
    } finally {
      await worker.stop();
    }

    const latencies = await db.pool.query<{ ms: number }>(
      `SELECT (extract(epoch FROM delivered_at - $2::timestamptz) * 1000)::float8 AS ms FROM deliveries WHERE rule_id = $1 ORDER BY 1`,
      [healthyRule, startedAt],
    );
    const attempts = await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id WHERE d.rule_id = $1`, [deadRule]);
    const deadRows = await db.pool.query<{ status: string; last_error: string | null }>(`SELECT status, last_error FROM deliveries WHERE rule_id = $1`, [deadRule]);
    const deadStatuses: Record<string, number> = {};
    for (const row of deadRows.rows) deadStatuses[row.status] = (deadStatuses[row.status] ?? 0) + 1;
    return {
      deadOrigin: new URL(dead.url).origin,
      healthyDoneMs,
      healthyLatenciesMs: latencies.rows.map((row) => Math.round(row.ms)),
      deadRequestsByThen,
      deadRequestsTotal: dead.requests(),
      deadAttemptsRecorded: attempts.rows[0].n,
      deadStatuses,
      deadLastErrors: deadRows.rows.map((row) => row.last_error ?? ''),
    };
  }

  const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
  const summary = (name: string, r: Run) =>
    `${name}: healthy p50 ${percentile(r.healthyLatenciesMs, 50)} ms, p95 ${percentile(r.healthyLatenciesMs, 95)} ms, all in ${r.healthyDoneMs} ms; dead receiver got ${r.deadRequestsByThen} requests by then`;

  it('sends the dead receiver only its breaker probes and lets the healthy receiver’s deliveries through at full speed; no attempt burned unsent', async () => {
    // The same workload with a breaker that never opens: what a dead receiver costs the healthy one.
    const without = await run(Number.MAX_SAFE_INTEGER);
    const withBreaker = await run(BREAKER.failureThreshold);
    process.stdout.write(
      `delivery worker, ${DELIVERIES_PER_TARGET}+${DELIVERIES_PER_TARGET} deliveries, ${CONCURRENCY} slots, ${TIMEOUT_MS} ms timeout:\n  ${summary('without breaker', without)}\n  ${summary('with breaker   ', withBreaker)}\n`,
    );

    // Until the circuit opened: the threshold's failures plus at most the sends already in flight beside
    // them; after it: one probe per half-open period.
    const probes = Math.ceil(withBreaker.healthyDoneMs / BREAKER.halfOpenAfterMs) + 1;
    expect(withBreaker.deadRequestsByThen).toBeLessThanOrEqual(BREAKER.failureThreshold + (CONCURRENCY - 1) + probes);
    // Every request the dead receiver got is an attempt on record, and no attempt was counted without one.
    expect(withBreaker.deadAttemptsRecorded).toBe(withBreaker.deadRequestsTotal);
    // Nothing was lost: the dead receiver's deliveries wait in the queue, those held back say why.
    expect(withBreaker.deadStatuses.dead_lettered).toBeUndefined();
    expect(withBreaker.deadLastErrors).toContain(`not sent: circuit to ${withBreaker.deadOrigin} open after ${BREAKER.failureThreshold} consecutive failures`);
    // Each healthy delivery went out once.
    expect(withBreaker.healthyLatenciesMs).toHaveLength(DELIVERIES_PER_TARGET);
  });
});
