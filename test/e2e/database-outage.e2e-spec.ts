import { randomUUID } from 'node:crypto';
import { incidentIdOfAlert } from '../../apps/incident-service/src/alert-intake/workflows/alert-incident';
import { eventually } from '../support/eventually';
import { startLocalHttpReceiver, type LocalHttpReceiver } from '../support/local-http-receiver';
import { OwnedPostgres } from '../support/owned-postgres';
import { freePort, ServiceProcess } from '../support/service-process';
import { TEST_ENCRYPTION_ENV, TEST_OUTBOUND_ENV } from '../support/test-secrets';
import { issueKeyInDatabase } from '../support/test-credentials';

jest.setTimeout(120_000);

/** Load: this many loops, each sending one request then pausing `LOAD_PAUSE_MS`. */
const LOAD_LOOPS = 4;
const LOAD_PAUSE_MS = 40;
/** A request that takes longer than this is a hang. */
const HANG_MS = 15_000;
/** How long the database stays away while the load goes on. */
const OUTAGE_MS = 3_000;

type Route = 'declare' | 'enqueue';
type Phase = 'before' | 'outage' | 'after';

/** One answer the load got. `status` 0: no answer within `HANG_MS` or a broken connection. */
interface Answer {
  route: Route;
  phase: Phase;
  status: number;
  ms: number;
  contentType: string;
  retryAfter: string | null;
  body: Record<string, unknown> | null;
  /** The declare's Idempotency-Key or the alert's dedup_key. */
  key: string;
  /** The request, to send it again. */
  request: { path: string; body: unknown; headers: Record<string, string> };
  error?: string;
}

interface LedgerRow {
  id: string;
  dedupKey: string | null;
  verdict: string;
  processedAt: string | null;
  error: string | null;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The platform outlives its database. `node dist/apps/platform/src/main.js` runs against a PostgreSQL
 * server this test owns (`POSTGRES_SERVER_URL`), under a steady load of declarations (with
 * Idempotency-Key) and Events API v2 alerts, with a notification rule sending every incident event to a
 * local webhook receiver. The test kills the postmaster with SIGKILL, keeps the load going, starts the
 * server again on the same port and data directory, then terminates every `fireline_%` backend, and
 * checks: the process never exits; every answer is 2xx or 503 (problem+json with Retry-After, or
 * PagerDuty's error shape on /v2/enqueue), none hangs; live 200 and ready 503 while the database is
 * away, ready 200 again soon after it returns; every request answered 503, sent again afterwards with the
 * same Idempotency-Key or dedup_key, is taken; and nothing acknowledged is lost — every 201 declaration
 * exists, every 202 alert is processed and opened its incident, every event of those incidents reached
 * the receiver.
 */
describe('the platform outliving its database (e2e)', () => {
  let postgres: OwnedPostgres | undefined;
  let platform: ServiceProcess<'platform'> | undefined;
  let webhook: LocalHttpReceiver | undefined;
  const service = `outage-${randomUUID().slice(0, 8)}`;
  const answers: Answer[] = [];
  const timings: Record<string, number> = {};
  let phase: Phase = 'before';
  let loadRunning = false;

  const url = (path: string) => `${platform!.baseUrl}${path}`;
  /** An admin key issued into the platform's incident database after it started (external PostgreSQL: no first-start key). */
  let adminKey = '';
  const auth = () => ({ authorization: `Bearer ${adminKey}` });

  function diagnostics(): string {
    return `platform output:\n${platform?.tail(6_000) ?? ''}\npostgres owner output:\n${postgres?.log.slice(-3_000) ?? ''}`;
  }

  async function call(route: Route, key: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    const startedAt = Date.now();
    const at = phase;
    const sent = { path, body, headers };
    try {
      const response = await fetch(url(path), {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...auth(), ...headers },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(HANG_MS),
      });
      const text = await response.text();
      let parsed: Record<string, unknown> | null = null;
      try {
        parsed = JSON.parse(text) as Record<string, unknown>;
      } catch {
        parsed = null;
      }
      return {
        route,
        phase: at,
        status: response.status,
        ms: Date.now() - startedAt,
        contentType: response.headers.get('content-type') ?? '',
        retryAfter: response.headers.get('retry-after'),
        body: parsed,
        key,
        request: sent,
      };
    } catch (error) {
      return { route, phase: at, status: 0, ms: Date.now() - startedAt, contentType: '', retryAfter: null, body: null, key, request: sent, error: String(error) };
    }
  }

  async function createIntegration(): Promise<{ id: string; routingKey: string }> {
    const response = await fetch(url('/v1/integrations'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth() },
      body: JSON.stringify({ type: 'events-v2', name: `outage-${service}`, service }),
    });
    const body = (await response.json()) as { id: string; credentials: { routingKey: string } };
    if (response.status !== 201) throw new Error(`create integration → ${response.status} ${JSON.stringify(body)}`);
    return { id: body.id, routingKey: body.credentials.routingKey };
  }

  async function createRule(): Promise<void> {
    const response = await fetch(url('/v1/notification-rules'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth() },
      body: JSON.stringify({ name: `outage ${service}`, match: { services: [service] }, channel: { type: 'webhook', url: webhook!.url } }),
    });
    if (response.status !== 201) throw new Error(`create rule → ${response.status} ${await response.text()}`);
  }

  /** One load loop: declarations and alerts in turn until `loadRunning` turns false. */
  async function loadLoop(routingKey: string): Promise<void> {
    let turn = 0;
    while (loadRunning) {
      const key = randomUUID();
      const answer =
        turn++ % 2 === 0
          ? await call('declare', key, '/v1/incidents', { title: `outage load ${key}`, severity: 'SEV2', services: [service], detectionSource: 'alert:outage-e2e' }, { 'idempotency-key': key })
          : await call('enqueue', key, '/v2/enqueue', { routing_key: routingKey, event_action: 'trigger', dedup_key: key, payload: { summary: `outage alert ${key}`, source: 'db-1', severity: 'error' } });
      answers.push(answer);
      await sleep(LOAD_PAUSE_MS);
    }
  }

  async function status(path: string): Promise<number> {
    try {
      const response = await fetch(url(path), { signal: AbortSignal.timeout(HANG_MS) });
      await response.arrayBuffer();
      return response.status;
    } catch {
      return 0;
    }
  }

  /** Milliseconds until `/health/ready` answers 200 (polled every 50 ms). */
  async function millisUntilReady(timeoutMs = 30_000): Promise<number> {
    const startedAt = Date.now();
    while (Date.now() - startedAt < timeoutMs) {
      if ((await status('/health/ready')) === 200) return Date.now() - startedAt;
      await sleep(50);
    }
    throw new Error(`not ready ${timeoutMs} ms after the database returned\n${diagnostics()}`);
  }

  async function ledger(integrationId: string): Promise<LedgerRow[]> {
    const rows: LedgerRow[] = [];
    let cursor: string | null = null;
    do {
      const response = await fetch(url(`/v1/integrations/${integrationId}/deliveries?limit=100${cursor ? `&cursor=${cursor}` : ''}`), { headers: auth() });
      const page = (await response.json()) as { items: LedgerRow[]; nextCursor: string | null };
      rows.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return rows;
  }

  async function timelineEventIds(incidentId: string): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=100&cursor=${encodeURIComponent(cursor)}` : '?limit=100';
      const response = await fetch(url(`/v1/incidents/${incidentId}/timeline${query}`), { headers: auth() });
      if (response.status !== 200) throw new Error(`timeline of ${incidentId} → ${response.status}`);
      const page = (await response.json()) as { items: { eventId: string }[]; nextCursor: string | null };
      ids.push(...page.items.map((entry) => entry.eventId));
      cursor = page.nextCursor;
    } while (cursor);
    if (ids.length === 0) throw new Error(`incident ${incidentId} has no events`);
    return ids;
  }

  /** Runs `work` over `items`, `lanes` at a time. */
  async function forEachConcurrently<T, R>(items: readonly T[], lanes: number, work: (item: T) => Promise<R>): Promise<R[]> {
    const results: R[] = new Array<R>(items.length);
    let next = 0;
    await Promise.all(
      Array.from({ length: lanes }, async () => {
        while (next < items.length) {
          const index = next++;
          results[index] = await work(items[index]);
        }
      }),
    );
    return results;
  }

  beforeAll(async () => {
    try {
      webhook = await startLocalHttpReceiver();
      postgres = await OwnedPostgres.start('fireline-outage-pg');
      const port = await freePort();
      platform = new ServiceProcess({
        service: 'platform',
        port,
        readyTimeoutMs: 60_000,
        env: {
          HOST: '127.0.0.1',
          PORT: String(port),
          POSTGRES_SERVER_URL: postgres.serverUrl,
          PROJECTION_POLL_INTERVAL_MS: '20',
          DATABASE_CONNECT_TIMEOUT_MS: '2000',
          NOTIFICATION_DELIVERY_POLL_INTERVAL_MS: '20',
          NOTIFICATION_DELIVERY_TIMEOUT_MS: '2000',
          NOTIFICATION_DELIVERY_LEASE_MS: '5000',
          NOTIFICATION_DELIVERY_BASE_DELAY_MS: '50',
          NOTIFICATION_DELIVERY_MAX_DELAY_MS: '500',
          NOTIFICATION_DELIVERY_MAX_ATTEMPTS: '10',
          // An external PostgreSQL: the platform needs a key (only the embedded one makes its own); the receiver is on 127.0.0.1.
          ...TEST_ENCRYPTION_ENV,
          ...TEST_OUTBOUND_ENV,
          // A load test with one key: the per-credential limit (600/min by default) is not under test here.
          API_RATE_LIMIT_PER_MINUTE: '1000000',
        },
      });
      await platform.start();
      adminKey = (await issueKeyInDatabase(`${postgres.serverUrl}/fireline_incident`)).key;
      await eventually(async () => {
        const response = await fetch(url('/v1/notification-rules?limit=1'), { headers: auth() });
        expect(response.status).toBe(200);
      }, 15_000);
    } catch (error) {
      throw new Error(`${error instanceof Error ? error.message : String(error)}\n${diagnostics()}`);
    }
  });

  afterAll(async () => {
    loadRunning = false;
    await platform?.stop();
    await postgres?.destroy();
    await webhook?.close();
    if (Object.keys(timings).length > 0) process.stdout.write(`database outage timings (ms): ${JSON.stringify(timings)}\n`);
  });

  it('answers 503 while the database is away, recovers by itself when it returns, and loses nothing it acknowledged', async () => {
    const integration = await createIntegration();
    await createRule();

    loadRunning = true;
    const loops = Array.from({ length: LOAD_LOOPS }, () => loadLoop(integration.routingKey));
    await sleep(1_500);

    // 1. kill -9 of the postmaster, under load.
    phase = 'outage';
    const killedAt = Date.now();
    await postgres!.killPostmaster();
    await sleep(500);
    const liveDuringOutage = await status('/health/live');
    const readyDuringOutage = await status('/health/ready');
    await sleep(OUTAGE_MS - (Date.now() - killedAt));
    await postgres!.killOwner();
    const restartedAt = Date.now();
    await postgres!.restart();
    timings['postgres restart (crash recovery)'] = Date.now() - restartedAt;
    phase = 'after';
    timings['ready after the database returned (kill -9)'] = await millisUntilReady();
    await sleep(1_500);

    // 2. pg_terminate_backend of every fireline_% backend, three times, under load.
    for (let round = 0; round < 3; round++) {
      const terminated = await postgres!.query<{ n: number }>(
        "SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname LIKE 'fireline_%' AND pid <> pg_backend_pid()",
      );
      timings[`backends terminated, round ${round + 1}`] = terminated[0].n;
      await sleep(300);
    }
    timings['ready after terminating backends'] = await millisUntilReady();
    await sleep(1_000);
    loadRunning = false;
    await Promise.all(loops);

    expect({ running: platform!.running, output: platform!.running ? '' : diagnostics() }).toEqual({ running: true, output: '' });
    expect(liveDuringOutage).toBe(200);
    expect(readyDuringOutage).toBe(503);

    // Every answer is 2xx or a retryable 503 in the right shape; none hung.
    const wrong = answers.filter((a) => !(a.status >= 200 && a.status < 300) && a.status !== 503);
    expect(wrong.slice(0, 5)).toEqual([]);
    const unavailable = answers.filter((a) => a.status === 503);
    for (const answer of unavailable) {
      expect(answer.retryAfter).toMatch(/^\d+$/);
      if (answer.route === 'declare') {
        expect(answer.contentType).toContain('application/problem+json');
        expect(answer.body).toMatchObject({ status: 503, code: 'DEPENDENCY.DATABASE_UNAVAILABLE' });
      } else {
        expect(answer.contentType).toContain('application/json');
        expect(answer.body).toMatchObject({ status: 'error', message: expect.any(String) });
      }
    }
    const byPhase = (p: Phase, ok: (a: Answer) => boolean) => answers.filter((a) => a.phase === p && ok(a)).length;
    expect(byPhase('outage', (a) => a.status === 503)).toBeGreaterThan(0);
    expect(byPhase('before', (a) => a.status < 300)).toBeGreaterThan(0);
    expect(byPhase('after', (a) => a.status < 300)).toBeGreaterThan(0);
    timings['answers'] = answers.length;
    timings['answers 503'] = unavailable.length;
    timings['slowest answer'] = Math.max(...answers.map((a) => a.ms));

    // Senders retry what was answered 503, with the same Idempotency-Key or dedup_key: now it is taken.
    const retries = await forEachConcurrently(unavailable, 4, (a) => call(a.route, a.key, a.request.path, a.request.body, a.request.headers));
    expect(retries.filter((a) => a.status !== (a.route === 'declare' ? 201 : 202)).slice(0, 5)).toEqual([]);

    // Nothing acknowledged is lost.
    const acknowledged = [...answers, ...retries];
    const declared = acknowledged.filter((a) => a.route === 'declare' && a.status === 201).map((a) => String(a.body?.id));
    const alerted = acknowledged.filter((a) => a.route === 'enqueue' && a.status === 202).map((a) => a.key);
    const alertIncidents = alerted.map((dedupKey) => incidentIdOfAlert(integration.id, dedupKey, 1));
    await eventually(async () => {
      const rows = await ledger(integration.id);
      const processed = new Set(rows.filter((row) => row.processedAt !== null && row.verdict === 'accepted').map((row) => row.dedupKey));
      const missing = alerted.filter((key) => !processed.has(key));
      expect(missing.map((key) => rows.find((row) => row.dedupKey === key) ?? key)).toEqual([]);
    }, 30_000, 250);
    const incidents = [...declared, ...alertIncidents];
    const expectedEvents = await eventually(async () => (await forEachConcurrently(incidents, 8, timelineEventIds)).flat(), 30_000, 250);
    await eventually(
      () => {
        const received = new Set(webhook!.requests.map((r) => (JSON.parse(r.rawBody.toString('utf8')) as { event: { eventId: string } }).event.eventId));
        expect(expectedEvents.filter((eventId) => !received.has(eventId))).toEqual([]);
      },
      30_000,
      250,
    );
    timings['503s retried'] = retries.length;
    timings['declarations acknowledged'] = declared.length;
    timings['alerts acknowledged'] = alerted.length;
    timings['notifications expected'] = expectedEvents.length;
    timings['distinct deliveries received'] = new Set(webhook!.requests.map((r) => String(r.headers['fireline-delivery-id']))).size;
    expect(platform!.running).toBe(true);
  });
});
