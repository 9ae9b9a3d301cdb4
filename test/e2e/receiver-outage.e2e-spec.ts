import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyFirelineSignature } from '../../apps/notification-service/src/notifications/channels/webhook-signature';
import { retrySchedule, type RetryPolicy } from '../../apps/notification-service/src/notifications/domain/retry-policy';
import type { DeliveryPageView } from '../../apps/notification-service/src/notifications/projections/delivery.view';
import { eventually } from '../support/eventually';
import { createPlatformTestApp, type PlatformTestApp } from '../support/platform-test-app';

jest.setTimeout(60_000);

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The delivery settings of this test: today's defaults scaled down (1 s → 20 ms base, 1 h → 200 ms cap, 24 h → 30 s window). */
const POLICY: RetryPolicy = { retryWindowMs: 30_000, maxAttempts: null, baseDelayMs: 20, maxDelayMs: 200 };
const BREAKER = { failureThreshold: 5, halfOpenAfterMs: 300 };
/** How long the receiver refuses connections, then answers 503. */
const REFUSED_MS = 1_500;
const UNAVAILABLE_MS = 1_500;

interface Received {
  headers: IncomingHttpHeaders;
  body: Buffer;
  status: number;
}

/** A webhook receiver on a fixed port that can be down (nothing listening), answer 503, or accept. */
class FlakyReceiver {
  readonly received: Received[] = [];
  private server: Server | null = null;
  private answer = 503;

  constructor(readonly port: number) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/hook`;
  }

  /** Listens again on the same port, answering `status` to every request. */
  async listen(status: number): Promise<void> {
    this.answer = status;
    if (this.server) return;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        this.received.push({ headers: req.headers, body: Buffer.concat(chunks), status: this.answer });
        res.writeHead(this.answer, { 'content-type': 'text/plain' }).end(this.answer === 200 ? 'ok' : 'down for maintenance');
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', resolve);
    });
    this.server = server;
  }

  /** Stops listening: connections are refused until `listen` again. */
  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** A port nothing listens on (taken from the OS, then released). */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/**
 * The case: a webhook receiver that is down (connection refused, then 503) for longer than the
 * old 6-attempt schedule lasted, then comes back. The notification must wait it out and arrive once.
 */
describe('A webhook receiver down for longer than the old retry schedule lasted (e2e)', () => {
  let platform: PlatformTestApp | undefined;
  let hook: FlakyReceiver;

  beforeAll(async () => {
    platform = await createPlatformTestApp('outage', ['error'], { delivery: { ...POLICY, circuitBreaker: BREAKER } });
    hook = new FlakyReceiver(await freePort());
  });

  afterAll(async () => {
    await hook?.close();
    await platform?.close();
  });

  it('delivers the notification exactly once, under its original Fireline-Delivery-Id, after the receiver comes back', async () => {
    const http = platform!.http;
    // The old schedule (6 attempts) with this test's delays: given up on at most this long after the first attempt.
    const oldScheduleLastAttemptMs = retrySchedule({ ...POLICY, maxAttempts: 6 }).at(-1)!.latestMs;
    expect(REFUSED_MS + UNAVAILABLE_MS).toBeGreaterThan(5 * oldScheduleLastAttemptMs);

    const service = `payments-${randomUUID().slice(0, 8)}`;
    const rule = await http.post('/v1/notification-rules').send({ name: 'on-call', match: { services: [service] }, channel: { type: 'webhook', url: hook.url } });
    expect(rule.status).toBe(201);
    const secret = rule.body.channel.secret as string;

    const downAt = Date.now();
    const declared = await http.post('/v1/incidents').send({ title: 'Payments API down', severity: 'SEV1', services: [service] });
    expect(declared.status).toBe(201);
    const deliveries = async () => ((await http.get('/v1/deliveries').query({ ruleId: rule.body.id }).expect(200)).body as DeliveryPageView).items;

    const circuitMetric = `fireline_notification_circuit_open{service="notification-service",target="http://127.0.0.1:${hook.port}"} 1`;
    const metrics = async () => (await http.get('/metrics').expect(200)).text;
    await sleep(REFUSED_MS);
    // The receiver's circuit opened: operators see it.
    expect(await metrics()).toContain(circuitMetric);
    expect(await metrics()).toMatch(/^fireline_notification_circuits\{service="notification-service",state="(open|half_open)"\} 1$/m);
    await hook.listen(503);
    await sleep(UNAVAILABLE_MS);
    const [during] = await deliveries();
    expect(during.status).not.toBe('dead_lettered');
    await hook.listen(200);
    const upAt = Date.now();

    const delivered = await eventually(async () => {
      const items = await deliveries();
      expect(items).toHaveLength(1);
      expect(items[0].status).toBe('delivered');
      return items[0];
    }, 15_000);
    const deliveredAfterUpMs = new Date(delivered.deliveredAt!).getTime() - upAt;

    // Both kinds of outage were met, over more attempts than the old schedule allowed.
    const errors = delivered.attempts.map((a) => a.error ?? `HTTP ${a.httpStatus}`);
    expect(errors.some((e) => /ECONNREFUSED/.test(e))).toBe(true);
    expect(errors).toContain('HTTP 503');
    expect(delivered.attemptCount).toBeGreaterThan(6);

    expect(await metrics()).not.toContain(circuitMetric);

    // Exactly one request was accepted, and every request carried the delivery's one id and a valid signature.
    await sleep(500); // a duplicate would come within the worker's next polls
    expect(hook.received.filter((r) => r.status === 200)).toHaveLength(1);
    for (const request of hook.received) {
      expect(request.headers['fireline-delivery-id']).toBe(delivered.id);
      expect(JSON.parse(request.body.toString('utf8'))).toMatchObject({ deliveryId: delivered.id });
      expect(verifyFirelineSignature(secret, request.body, request.headers, 300)).toBe(true);
    }
    process.stdout.write(
      `receiver outage: down ${upAt - downAt} ms (refused, then 503), old schedule gave up within ${oldScheduleLastAttemptMs} ms; ` +
        `delivered ${deliveredAfterUpMs} ms after it came back, on attempt ${delivered.attemptCount} (${hook.received.length} requests reached it)\n`,
    );
  });
});
