/**
 * `POST /v2/enqueue` (Fireline's PagerDuty Events API v2 receiver) under HTTP load, side by side in one
 * run with the practical limit: a bare Fastify route that only inserts the raw body into PostgreSQL.
 * Both on 127.0.0.1, on one embedded PostgreSQL (separate databases), loaded by autocannon from a worker
 * thread. See bench/README.md ("Enqueue benchmark").
 *
 *   npm run build && npx tsx bench/enqueue.bench.ts            full size (~1 min on 2 cores)
 *   BENCH_SCALE=0.3 npx tsx bench/enqueue.bench.ts             smoke run
 *
 * Fireline is loaded from the BUILT output (`dist/`): its Nest decorators need `emitDecoratorMetadata`,
 * which tsx/esbuild does not emit.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import Fastify, { type FastifyInstance } from 'fastify';
import { Pool } from 'pg';
import { DEFAULT_HTTP_SERVER_LIMITS } from '../libs/config/src/environment';
import type { createPlatformApp as CreatePlatformApp } from '../apps/platform/src/platform.app';
import type { loadIncidentServiceConfig as LoadIncidentConfig } from '../apps/incident-service/src/config/incident-service.config';
import type { loadNotificationServiceConfig as LoadNotificationConfig } from '../apps/notification-service/src/config/notification-service.config';
import type { loadPostmortemServiceConfig as LoadPostmortemConfig } from '../apps/postmortem-service/src/config/postmortem-service.config';
import type { issueApiKey as IssueApiKey } from '../apps/incident-service/src/access/application/api-keys';
import type { EventStore } from '../libs/event-store/src';
import { type EnqueueBenchConfig, type EnqueueLoadName, readEnqueueBenchConfig } from './bench-config';
import { type BenchPostgres, parseProcStat, startPostgres } from './embedded-postgres';
import { type LoadOutcome, type LoadSpec, runLoad } from './enqueue-load.worker';

const ROOT = resolve(__dirname, '..');
const DIST = join(ROOT, 'dist', 'apps');
const PLATFORM_APP_JS = join(DIST, 'platform', 'src', 'platform.app.js');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'alertmanager-0.25');
const HOST = '127.0.0.1';
/** Fireline's integration of one run and load: `bench-<run>-<load>` (its effects are counted apart). */
/** One run of a load on one server: its warm-up or measured part, in round n (1-based). */
type RunName = `${'warmup' | 'measured'}-${number}`;
const integrationName = (run: RunName, load: EnqueueLoadName): string => `bench-${run}-${load}`;
const FIRELINE_DATABASES = { incident: 'fireline_incident', notification: 'fireline_notification', postmortem: 'fireline_postmortem' };
const BASELINE_DATABASE = 'bench_raw_intake';

const log = (message: string): void => {
  process.stderr.write(`[bench] ${message}\n`);
};

type Closable = { name: string; close: () => Promise<unknown> };

/** A server under test: where to send load and how to count what the load left behind. */
interface Contender {
  name: 'baseline' | 'fireline';
  label: string;
  url: string;
  /** The Events v2 bodies it gets (routing key of its integration for this run and load). */
  bodies: (run: RunName, load: EnqueueLoadName) => Promise<{ triggerBody: Record<string, unknown>; resolveBody: Record<string, unknown> }>;
  /** After the warm-up: wait for background work, then make the measured run start from a clean slate. */
  afterWarmup(load: EnqueueLoadName, round: number): Promise<void>;
  /** After the measured run: wait for background work (bounded), then count the effects. */
  effects(outcome: LoadOutcome, load: EnqueueLoadName, round: number): Promise<Effects>;
}

interface Effects {
  /** One line for the table. */
  summary: string;
  /** How long after the load ended until every asynchronous effect had landed (Fireline), ms. */
  settleMs: number | null;
  /** Then how long until the process was quiet (all background work done, see `waitQuiet`), ms; null for the baseline or when never. */
  quietMs: number | null;
  settled: boolean;
  counts: Record<string, number>;
  /** Invariants checked; each must be 0 / true. */
  checks: Record<string, number | boolean>;
}

function fixtureBody(file: string, routingKey: string): Record<string, unknown> {
  const capture = JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')) as { body: Record<string, unknown> };
  return { ...capture.body, routing_key: routingKey };
}

const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

async function count(pool: Pool, sql: string, params: unknown[] = []): Promise<number> {
  return Number((await pool.query<{ n: string }>(sql, params)).rows[0]?.n ?? 0);
}

function openPool(url: string, max: number, name: string): Pool {
  const pool = new Pool({ connectionString: url, max });
  pool.on('error', (error) => {
    if ((error as { code?: string }).code !== '57P01') log(`${name} pool: idle client error: ${error.message}`);
  });
  return pool;
}

// ---------------------------------------------------------------------------------------------------
// Baseline: the practical limit. One route, the raw body (not even parsed) inserted with `pg`, 202.
// ---------------------------------------------------------------------------------------------------

const BASELINE_SCHEMA = `CREATE TABLE raw_intake (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  received_at timestamptz NOT NULL DEFAULT now(),
  body text NOT NULL
)`;

async function startBaseline(postgres: BenchPostgres, config: EnqueueBenchConfig, closables: Closable[]): Promise<Contender> {
  await postgres.createDatabase(BASELINE_DATABASE);
  const pool = openPool(postgres.url(BASELINE_DATABASE), config.poolSize, 'baseline');
  closables.push({ name: 'baseline pool', close: () => pool.end() });
  await pool.query(BASELINE_SCHEMA);

  const app: FastifyInstance = Fastify({ logger: false, bodyLimit: 1024 * 1024 });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
  // Named (prepared once per connection) like Fireline's statements, unless BENCH_BASELINE_PREPARED=0.
  const insert = config.baselinePrepared ? { name: 'bench_raw_intake_insert', text: 'INSERT INTO raw_intake (body) VALUES ($1)' } : { text: 'INSERT INTO raw_intake (body) VALUES ($1)' };
  app.post('/v2/enqueue', async (request, reply) => {
    await pool.query({ ...insert, values: [request.body as string] });
    return reply.code(202).send({ status: 'success', message: 'Event processed' });
  });
  await app.listen({ host: HOST, port: 0 });
  closables.push({ name: 'baseline server', close: () => app.close() });
  const { port } = app.server.address() as AddressInfo;

  return {
    name: 'baseline',
    label: `baseline (Fastify + INSERT raw body${config.baselinePrepared ? ', prepared' : ''})`,
    url: `http://${HOST}:${port}`,
    bodies: () =>
      Promise.resolve({
        triggerBody: fixtureBody('events-v2-trigger.json', 'b'.repeat(32)),
        resolveBody: fixtureBody('events-v2-resolve.json', 'b'.repeat(32)),
      }),
    async afterWarmup() {
      await pool.query('TRUNCATE raw_intake');
    },
    async effects(outcome) {
      const rows = await count(pool, 'SELECT count(*) AS n FROM raw_intake');
      return {
        summary: `${fmt(rows)} rows inserted`,
        settleMs: null,
        quietMs: null,
        settled: true,
        counts: { rowsInserted: rows, answered2xx: outcome.result['2xx'] },
        // Every 202 was answered after its insert committed.
        checks: { rowsMissingFor2xx: Math.max(0, outcome.result['2xx'] - rows) },
      };
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// Fireline: the composed platform (all three services), built by `nest build platform`.
// ---------------------------------------------------------------------------------------------------

interface FirelineModules {
  createPlatformApp: typeof CreatePlatformApp;
  /** Issues the bench's API key through incident-service's command path. */
  issueApiKey: typeof IssueApiKey;
  incidentEventStoreToken: symbol;
  loadIncidentServiceConfig: typeof LoadIncidentConfig;
  loadNotificationServiceConfig: typeof LoadNotificationConfig;
  loadPostmortemServiceConfig: typeof LoadPostmortemConfig;
}

function loadBuiltFireline(): FirelineModules {
  if (!existsSync(PLATFORM_APP_JS)) {
    throw new Error(
      `${PLATFORM_APP_JS} is missing: build Fireline first (\`npx nest build platform\`). ` +
        'The bench runs the compiled app because its Nest decorators need emitDecoratorMetadata, which tsx does not emit.',
    );
  }
  const load = createRequire(__filename);
  return {
    createPlatformApp: (load(PLATFORM_APP_JS) as { createPlatformApp: typeof CreatePlatformApp }).createPlatformApp,
    issueApiKey: (load(join(DIST, 'incident-service/src/access/application/api-keys.js')) as { issueApiKey: typeof IssueApiKey }).issueApiKey,
    incidentEventStoreToken: (load(join(DIST, 'incident-service/src/incident-service.tokens.js')) as { INCIDENT_EVENT_STORE: symbol }).INCIDENT_EVENT_STORE,
    loadIncidentServiceConfig: (load(join(DIST, 'incident-service/src/config/incident-service.config.js')) as { loadIncidentServiceConfig: typeof LoadIncidentConfig })
      .loadIncidentServiceConfig,
    loadNotificationServiceConfig: (
      load(join(DIST, 'notification-service/src/config/notification-service.config.js')) as { loadNotificationServiceConfig: typeof LoadNotificationConfig }
    ).loadNotificationServiceConfig,
    loadPostmortemServiceConfig: (load(join(DIST, 'postmortem-service/src/config/postmortem-service.config.js')) as { loadPostmortemServiceConfig: typeof LoadPostmortemConfig })
      .loadPostmortemServiceConfig,
  };
}

async function createIntegration(baseUrl: string, apiKey: string, name: string): Promise<{ id: string; routingKey: string }> {
  const response = await fetch(`${baseUrl}/v1/integrations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
    body: JSON.stringify({ type: 'events-v2', name, service: 'checkout' }),
  });
  const text = await response.text();
  if (response.status !== 201) throw new Error(`POST /v1/integrations -> ${response.status}: ${text}`);
  const body = JSON.parse(text) as { id: string; credentials?: { routingKey?: string } };
  if (!body.credentials?.routingKey) throw new Error(`POST /v1/integrations returned no routing key: ${text}`);
  return { id: body.id, routingKey: body.credentials.routingKey };
}

/** Fireline's effects for one integration, straight from its database. */
async function firelineCounts(pool: Pool, integrationId: string, integrationName: string): Promise<Record<string, number>> {
  const actor = `integration:${integrationId}`;
  const [intake, unprocessed, withError, accepted, duplicate, rejected, alertEvents, triggered, resolvedAlerts, declared, resolvedIncidents, notes, concurrencyErrors] =
    await Promise.all([
      count(pool, 'SELECT count(*) AS n FROM alert_intake WHERE integration_id = $1', [integrationId]),
      count(pool, 'SELECT count(*) AS n FROM alert_intake WHERE integration_id = $1 AND processed_at IS NULL', [integrationId]),
      count(pool, 'SELECT count(*) AS n FROM alert_intake WHERE integration_id = $1 AND error IS NOT NULL', [integrationId]),
      count(pool, "SELECT count(*) AS n FROM alert_intake WHERE integration_id = $1 AND verdict = 'accepted'", [integrationId]),
      count(pool, "SELECT count(*) AS n FROM alert_intake WHERE integration_id = $1 AND verdict = 'duplicate'", [integrationId]),
      count(pool, "SELECT count(*) AS n FROM alert_intake WHERE integration_id = $1 AND verdict = 'rejected'", [integrationId]),
      count(pool, "SELECT count(*) AS n FROM events WHERE stream_type = 'alert' AND data->>'integrationId' = $1", [integrationId]),
      count(pool, "SELECT count(*) AS n FROM events WHERE event_type = 'AlertTriggered' AND data->>'integrationId' = $1", [integrationId]),
      count(pool, "SELECT count(*) AS n FROM events WHERE event_type = 'AlertResolved' AND data->>'integrationId' = $1", [integrationId]),
      count(pool, "SELECT count(*) AS n FROM events WHERE event_type = 'IncidentDeclared' AND data->>'detectionSource' = $1", [`alert:${integrationName}`]),
      count(pool, "SELECT count(*) AS n FROM events WHERE event_type = 'IncidentResolved' AND metadata->>'actor' = $1", [actor]),
      count(pool, "SELECT count(*) AS n FROM events WHERE event_type = 'TimelineNoteAdded' AND metadata->>'actor' = $1", [actor]),
      count(pool, "SELECT count(*) AS n FROM alert_intake WHERE integration_id = $1 AND error LIKE 'ConcurrencyError%'", [integrationId]),
    ]);
  return {
    intakeRows: intake,
    intakeUnprocessed: unprocessed,
    intakeWithError: withError,
    intakeAccepted: accepted,
    intakeDuplicate: duplicate,
    intakeRejected: rejected,
    alertEvents,
    alertsTriggered: triggered,
    alertsResolved: resolvedAlerts,
    incidentsOpened: declared,
    incidentsResolved: resolvedIncidents,
    timelineNotes: notes,
    intakeConcurrencyErrors: concurrencyErrors,
  };
}

/** Every delivery processed and every alert reaction (open / resolve the incident) done. */
const settledCounts = (c: Record<string, number>): boolean =>
  c.intakeUnprocessed === 0 && c.incidentsOpened === c.alertsTriggered && c.incidentsResolved === c.alertsResolved;

/**
 * Waits until the bench process (where Fireline runs) has been nearly idle, under 5% of a core, for 2 s
 * in a row: the work behind the counted effects (projections, notifications, postmortem drafts, the
 * relays between the services) must not spill into the next measured run. With `postgres`, its
 * processes count too (autovacuum, the checkpointer, backends): then the bench process and PostgreSQL
 * together under 10% of a core. @returns ms waited, or `null` after `timeoutMs` without quiet.
 */
async function waitQuiet(timeoutMs: number, postgres?: BenchPostgres): Promise<number | null> {
  const started = performance.now();
  const windowMs = 500;
  const limitMs = (postgres ? 0.1 : 0.05) * windowMs;
  let quietSince: number | null = null;
  let last = process.cpuUsage();
  postgres?.cpuMsSinceLastCall();
  for (;;) {
    await sleep(windowMs);
    const used = process.cpuUsage(last);
    last = process.cpuUsage();
    const busyMs = (used.user + used.system) / 1000 + (postgres?.cpuMsSinceLastCall() ?? 0);
    const now = performance.now();
    if (busyMs < limitMs) quietSince ??= now - windowMs;
    else quietSince = null;
    if (quietSince !== null && now - quietSince >= 2_000) return Math.max(0, Math.round(quietSince - started));
    if (now - started > timeoutMs) return null;
  }
}

/**
 * Polls, once a second, the five counts `settledCounts` needs (first only the unprocessed intake rows,
 * through their partial index), then counts everything once. The full count is 13 scans of the run's
 * rows; polled every 250 ms, as before, it took seconds of PostgreSQL time per second of settling and
 * slowed what it measured.
 */
async function waitSettled(
  pool: Pool,
  integration: { id: string; name: string },
  timeoutMs: number,
): Promise<{ settled: boolean; settleMs: number; counts: Record<string, number> }> {
  const started = performance.now();
  const actor = `integration:${integration.id}`;
  for (;;) {
    const unprocessed = await count(pool, 'SELECT count(*) AS n FROM alert_intake WHERE integration_id = $1 AND processed_at IS NULL', [integration.id]);
    const settleMs = Math.round(performance.now() - started);
    if (unprocessed === 0) {
      const [alertsTriggered, alertsResolved, incidentsOpened, incidentsResolved] = await Promise.all([
        count(pool, "SELECT count(*) AS n FROM events WHERE event_type = 'AlertTriggered' AND data->>'integrationId' = $1", [integration.id]),
        count(pool, "SELECT count(*) AS n FROM events WHERE event_type = 'AlertResolved' AND data->>'integrationId' = $1", [integration.id]),
        count(pool, "SELECT count(*) AS n FROM events WHERE event_type = 'IncidentDeclared' AND data->>'detectionSource' = $1", [`alert:${integration.name}`]),
        count(pool, "SELECT count(*) AS n FROM events WHERE event_type = 'IncidentResolved' AND metadata->>'actor' = $1", [actor]),
      ]);
      if (settledCounts({ intakeUnprocessed: 0, alertsTriggered, alertsResolved, incidentsOpened, incidentsResolved })) {
        return { settled: true, settleMs, counts: await firelineCounts(pool, integration.id, integration.name) };
      }
    }
    if (settleMs > timeoutMs) return { settled: false, settleMs, counts: await firelineCounts(pool, integration.id, integration.name) };
    await sleep(1_000);
  }
}

async function startFireline(postgres: BenchPostgres, config: EnqueueBenchConfig, closables: Closable[]): Promise<Contender> {
  const modules = loadBuiltFireline();
  for (const database of Object.values(FIRELINE_DATABASES)) await postgres.createDatabase(database);
  const env: NodeJS.ProcessEnv = {
    INCIDENT_DATABASE_URL: postgres.url(FIRELINE_DATABASES.incident),
    INCIDENT_DATABASE_POOL_SIZE: String(config.poolSize),
    NOTIFICATION_DATABASE_URL: postgres.url(FIRELINE_DATABASES.notification),
    POSTMORTEM_DATABASE_URL: postgres.url(FIRELINE_DATABASES.postmortem),
    // The load floods one routing key on purpose; this measures ingestion, not the per-key limiter
    // (which would answer 429 past ALERTS_RATE_LIMIT_PER_MINUTE). Override to bench with the limit on.
    ALERTS_RATE_LIMIT_PER_MINUTE: process.env.ALERTS_RATE_LIMIT_PER_MINUTE ?? '1000000',
    ...(process.env.PROJECTION_LINGER_MS === undefined ? {} : { PROJECTION_LINGER_MS: process.env.PROJECTION_LINGER_MS }),
    // A throw-away key for the run's throw-away databases.
    FIRELINE_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  };
  const app = await modules.createPlatformApp(
    {
      incident: modules.loadIncidentServiceConfig(env),
      notification: modules.loadNotificationServiceConfig(env),
      postmortem: modules.loadPostmortemServiceConfig(env),
    },
    // Only errors: the intake logs a warning per failed attempt, which would flood stderr under load
    // (failed attempts are counted from `alert_intake.error` instead).
    // Every autocannon connection comes from 127.0.0.1: the per-address cap must let them all in.
    {
      bodyLimitBytes: 1024 * 1024,
      logger: ['error'],
      server: { ...DEFAULT_HTTP_SERVER_LIMITS, maxConnectionsPerIp: Math.max(DEFAULT_HTTP_SERVER_LIMITS.maxConnectionsPerIp, 2 * config.connections) },
    },
  );
  closables.push({ name: 'Fireline app', close: () => app.close() });
  await app.listen({ host: HOST, port: 0 });
  const { port } = app.getHttpServer().address() as AddressInfo;
  const url = `http://${HOST}:${port}`;

  const pool = openPool(postgres.url(FIRELINE_DATABASES.incident), 2, 'fireline (counting)');
  closables.push({ name: 'Fireline counting pool', close: () => pool.end() });
  if (config.pgStatStatements) await pool.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  /**
   * With BENCH_PG_STAT_STATEMENTS=1: Fireline's statements since the last call, in its three databases: the 12 costliest
   * (total execution time) and the 30 most called (each call is a round trip, and a socket write and read on each side).
   */
  const logTopStatements = async (what: string): Promise<void> => {
    if (!config.pgStatStatements) return;
    const databases = Object.values(FIRELINE_DATABASES);
    const { rows: totals } = await pool.query<{ calls: string; total_ms: number }>(
      `SELECT coalesce(sum(calls), 0) AS calls, round(coalesce(sum(total_exec_time), 0)::numeric, 0)::float AS total_ms
         FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = ANY($1)`,
      [databases],
    );
    log(`${what}: ${totals[0].calls} statements, ${totals[0].total_ms} ms in all`);
    for (const order of ['total_exec_time', 'calls'] as const) {
      const { rows } = await pool.query<{ datname: string; calls: string; total_ms: number; mean_ms: number; rows: string; query: string }>(
        `SELECT d.datname, calls, round(total_exec_time::numeric, 0)::float AS total_ms, round(mean_exec_time::numeric, 3)::float AS mean_ms, rows, query
           FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = ANY($1) ORDER BY ${order} DESC LIMIT ${order === 'calls' ? 30 : 12}`,
        [databases],
      );
      log(`${what}: top by ${order} (database, calls, total ms, mean ms, rows, query)`);
      for (const row of rows) log(`  ${row.datname.replace('fireline_', '')}\t${row.calls}\t${row.total_ms}\t${row.mean_ms}\t${row.rows}\t${row.query.replace(/\s+/g, ' ').slice(0, 160)}`);
    }
    await pool.query('SELECT pg_stat_statements_reset()');
  };
  const { key } = await modules.issueApiKey(
    app.get<EventStore>(modules.incidentEventStoreToken),
    { name: 'bench', scopes: ['integrations:admin'] },
    null,
    { defaultLifetimeDays: 1, maxLifetimeDays: 1 },
    { now: new Date(), actor: 'system:bench', correlationId: 'bench' },
  );
  const integrations = new Map<string, { id: string; routingKey: string; name: string }>();
  const integrationOf = async (run: RunName, load: EnqueueLoadName) => {
    const name = integrationName(run, load);
    if (!integrations.has(name)) integrations.set(name, { ...(await createIntegration(url, key, name)), name });
    return integrations.get(name)!;
  };
  const timeoutMs = config.settleTimeoutSeconds * 1000;

  return {
    name: 'fireline',
    label: 'Fireline POST /v2/enqueue',
    url,
    bodies: async (run, load) => {
      const { routingKey } = await integrationOf(run, load);
      return {
        triggerBody: fixtureBody('events-v2-trigger.json', routingKey),
        resolveBody: fixtureBody('events-v2-resolve.json', routingKey),
      };
    },
    async afterWarmup(load, round) {
      // The warm-up's incidents are opened asynchronously: let that finish so it does not load the measured run.
      const done = await waitSettled(pool, await integrationOf(`warmup-${round}`, load), timeoutMs);
      const quietMs = await waitQuiet(timeoutMs);
      await logTopStatements(`Fireline ${load} round ${round} warm-up`);
      log(
        `Fireline warm-up ${done.settled ? 'settled' : 'NOT settled'} after ${fmt(done.settleMs)} ms (${fmt(done.counts.incidentsOpened ?? 0)} incidents), ` +
          `quiet ${quietMs === null ? 'NEVER' : `${fmt(quietMs)} ms later`}`,
      );
    },
    async effects(outcome, load, round) {
      const loadEndedAt = new Date();
      await logTopStatements(`Fireline ${load} round ${round} (measured run)`);
      const measured = await integrationOf(`measured-${round}`, load);
      const { settled, settleMs, counts } = await waitSettled(pool, measured, timeoutMs);
      // What the intake's priority under pressure costs: how many of the run's incidents opened while the load lasted.
      const incidentsOpenedDuringLoad = await count(
        pool,
        "SELECT count(*) AS n FROM events WHERE event_type = 'IncidentDeclared' AND data->>'detectionSource' = $1 AND recorded_at <= $2",
        [`alert:${measured.name}`, loadEndedAt],
      );
      const quietMs = await waitQuiet(timeoutMs);
      await logTopStatements(`Fireline ${load} round ${round} (load end to quiet)`);
      log(`Fireline ${load} round ${round}: alert effects landed after ${fmt(settleMs)} ms, the process was quiet after ${quietMs === null ? 'NEVER' : `${fmt(quietMs)} ms`} more`);
      const checks = {
        // At most one incident per (dedup key, incarnation): one AlertTriggered per (alert stream, incarnation)…
        alertIncarnationsTriggeredTwice: await count(
          pool,
          "SELECT count(*) AS n FROM (SELECT stream_id, data->>'incarnation' FROM events WHERE event_type = 'AlertTriggered' AND data->>'integrationId' = $1 GROUP BY 1, 2 HAVING count(*) > 1) d",
          [measured.id],
        ),
        // …and one declaration per incident stream (the incident id derives from stream and incarnation).
        incidentsDeclaredTwice: await count(
          pool,
          "SELECT count(*) AS n FROM (SELECT stream_id FROM events WHERE event_type = 'IncidentDeclared' AND data->>'detectionSource' = $1 GROUP BY stream_id HAVING count(*) > 1) d",
          [`alert:${measured.name}`],
        ),
        // Every 202 was answered after its ledger row was written.
        intakeRowsMissingFor2xx: Math.max(0, outcome.result['2xx'] - (counts.intakeRows ?? 0)),
        incidentsPerTriggeredIncarnation: counts.incidentsOpened === counts.alertsTriggered,
        settled,
      };
      return {
        summary:
          `${fmt(counts.intakeRows ?? 0)} intake rows (${fmt(counts.intakeAccepted ?? 0)} accepted, ${fmt(counts.intakeDuplicate ?? 0)} duplicate), ` +
          `${fmt(counts.alertEvents ?? 0)} alert events, ${fmt(counts.incidentsOpened ?? 0)} incidents opened (${fmt(incidentsOpenedDuringLoad)} during the load, ${fmt(counts.incidentsResolved ?? 0)} resolved), ` +
          `${fmt(counts.timelineNotes ?? 0)} notes, ${fmt(counts.intakeConcurrencyErrors ?? 0)} ConcurrencyErrors`,
        settleMs,
        quietMs,
        settled,
        counts: { ...counts, incidentsOpenedDuringLoad, answered2xx: outcome.result['2xx'] },
        checks,
      };
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// Runs and report.
// ---------------------------------------------------------------------------------------------------

interface RunResult {
  load: EnqueueLoadName;
  /** 1-based; servers alternate which goes first from round to round. */
  round: number;
  server: Contender['name'];
  label: string;
  requestsPerSecond: number;
  requestsTotal: number;
  latencyMs: { p50: number; p90: number; p99: number; average: number; max: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  generated: LoadOutcome['generated'];
  effects: Effects;
  /** Share of the measured run the server's event loop was busy (both servers share the bench's main thread). */
  serverEventLoopUtilization: number;
  /** WAL the whole PostgreSQL server wrote during the measured run, bytes (what the server under test made it write, and whatever ran meanwhile). */
  walBytes: number;
  /** Checkpoints that started during the measured run (timed or requested). */
  checkpointsDuring: number;
  /** CPU time during the measured run, ms (`cpuSplit`). */
  cpuMs: CpuSplit;
}

async function load(contender: Contender, config: EnqueueBenchConfig, run: RunName, loadName: EnqueueLoadName): Promise<LoadOutcome> {
  const spec: LoadSpec = {
    url: contender.url,
    path: '/v2/enqueue',
    durationSeconds: run.startsWith('warmup') ? config.warmupSeconds : config.durationSeconds,
    connections: config.connections,
    ...(await contender.bodies(run, loadName)),
    keyPrefix: `${run}-${loadName}-${contender.name}`,
    duplicateRatio: config.duplicateRatio,
    resolveShare: config.resolveShare,
    seed: config.seed,
    ...(loadName === 'same-key' ? { sameKey: `${run}-${contender.name}-storm` } : {}),
  };
  return runLoad(spec);
}

/** CPU time of this process's main thread (where both servers run), ms (`/proc`, Linux). */
function mainThreadCpuMs(): number {
  return parseProcStat(readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8')).cpuMs;
}

/**
 * Where the machine's CPU went from now until `stop()`, ms: the bench's main thread (the server under
 * test), the bench's other threads (the load generator's worker, GC helpers, libuv's pool) and
 * PostgreSQL's processes. On a 2-core machine they compete: a round trip's socket write wakes a backend
 * that may take the core the server was on.
 */
function cpuSplit(postgres: BenchPostgres): { stop: () => CpuSplit } {
  const mainBefore = mainThreadCpuMs();
  const processBefore = process.cpuUsage();
  postgres.cpuMsSinceLastCall();
  return {
    stop: () => {
      const used = process.cpuUsage(processBefore);
      const serverThreadMs = mainThreadCpuMs() - mainBefore;
      return {
        serverThreadMs,
        otherBenchThreadsMs: Math.max(0, Math.round((used.user + used.system) / 1000) - serverThreadMs),
        postgresMs: postgres.cpuMsSinceLastCall(),
      };
    },
  };
}

/** See `cpuSplit`. */
interface CpuSplit {
  serverThreadMs: number;
  otherBenchThreadsMs: number;
  postgresMs: number;
}

/** Milliseconds the bench process (both servers) spent in garbage collection from now until `stop()`. */
function gcTimer(): { stop: () => number } {
  let total = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) total += entry.duration;
  });
  observer.observe({ entryTypes: ['gc'] });
  return {
    stop: () => {
      observer.disconnect();
      return total;
    },
  };
}

/** Longest wait for the machine to be quiet before a measured run, ms. */
const QUIET_BEFORE_RUN_TIMEOUT_MS = 120_000;
const RESULTS_DIR = join(__dirname, 'results');

/**
 * With `BENCH_CPU_PROFILE=1`, a V8 CPU profile of this thread (both servers run on it) from now until
 * the returned function is called, which writes it to `bench/results/<name>.cpuprofile` and returns
 * the path. Without, a no-op returning null.
 */
async function startCpuProfile(config: EnqueueBenchConfig, name: string): Promise<() => Promise<string | null>> {
  if (!config.cpuProfile) return () => Promise.resolve(null);
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return async () => {
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    mkdirSync(RESULTS_DIR, { recursive: true });
    const file = join(RESULTS_DIR, `${name}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    return file;
  };
}

async function measure(
  contender: Contender,
  config: EnqueueBenchConfig,
  loadName: EnqueueLoadName,
  round: number,
  postgres: BenchPostgres,
): Promise<RunResult> {
  const name = `${loadName} / ${contender.name} / round ${round}`;
  log(`${name}: warm-up ${config.warmupSeconds} s`);
  await load(contender, config, `warmup-${round}`, loadName);
  await contender.afterWarmup(loadName, round);
  // Every measured run starts on a quiet machine: what the run before left to PostgreSQL (autovacuum of
  // the rows it wrote, a checkpoint) must not land in this one. Before, only Fireline's own runs were
  // followed by a wait, and that wait watched the bench process alone.
  // Autovacuum wakes at most once a minute (autovacuum_naptime) and then works at a throttled pace, so
  // the quiet gate alone did not keep it out: sampling pg_stat_activity during runs showed it vacuuming
  // the baseline's raw_intake, or Fireline's events and alert_intake left by the run before, inside
  // measured runs (and the full-page writes after the checkpoint doubled the WAL of those runs). Every
  // database is vacuumed here instead, so each run starts with nothing due to autovacuum.
  const vacuumMs = await postgres.vacuumAll();
  const quietMs = await waitQuiet(QUIET_BEFORE_RUN_TIMEOUT_MS, postgres);
  // A checkpoint spreads its writes over minutes (checkpoint_completion_target) at little CPU, so the
  // quiet gate lets it through: the timed one (every 5 min) then ran through whichever measured run came
  // next — Fireline's third in run after run, 0.35x–0.42x against 0.49x–0.69x before it. Each measured run
  // now starts right after a checkpoint of its own, so both servers also pay the same full-page writes.
  const checkpointMs = await postgres.checkpoint();
  log(
    `${name}: every database vacuumed (${fmt(vacuumMs)} ms), bench process and PostgreSQL quiet ${quietMs === null ? `NOT within ${fmt(QUIET_BEFORE_RUN_TIMEOUT_MS)} ms` : `after ${fmt(quietMs)} ms`}, ` +
      `then a checkpoint (${fmt(checkpointMs)} ms)`,
  );
  log(`${name}: measured run ${config.durationSeconds} s, ${config.connections} connections`);
  const walBefore = await postgres.walPosition();
  const eluBefore = performance.eventLoopUtilization();
  const gc = gcTimer();
  const cpu = cpuSplit(postgres);
  const stopProfile = await startCpuProfile(config, `enqueue-${new Date().toISOString().replace(/[:.]/g, '-')}-${loadName}-${contender.name}-${round}`);
  const outcome = await load(contender, config, `measured-${round}`, loadName);
  const eventLoopUtilization = performance.eventLoopUtilization(eluBefore).utilization;
  const gcMs = gc.stop();
  const cpuMs = cpu.stop();
  // After the run's own measures: serializing and writing the profile is not the server's work.
  const profileFile = await stopProfile();
  if (profileFile !== null) log(`${name}: CPU profile of the measured run in ${profileFile}`);
  const { result } = outcome;
  const heapMiB = Math.round(process.memoryUsage().heapUsed / 2 ** 20);
  const walAfter = await postgres.walPosition();
  const walBytes = await postgres.walBytesBetween(walBefore.lsn, walAfter.lsn);
  const checkpointsDuring = walAfter.checkpoints - walBefore.checkpoints;
  log(
    `${name}: ${fmt(result.requests.total)} requests, server event loop ${Math.round(100 * eventLoopUtilization)}% busy, ` +
      `GC ${fmt(Math.round(gcMs))} ms of it, heap ${fmt(heapMiB)} MiB after; WAL ${fmt(Math.round(walBytes / 2 ** 20))} MiB ` +
      `(${fmt(Math.round(walBytes / Math.max(1, result.requests.total)))} B per request), checkpoints started ${checkpointsDuring}; ` +
      `CPU: server thread ${fmt(cpuMs.serverThreadMs)} ms, other bench threads ${fmt(cpuMs.otherBenchThreadsMs)} ms, PostgreSQL ${fmt(cpuMs.postgresMs)} ms; counting effects`,
  );
  const effects = await contender.effects(outcome, loadName, round);
  const statusCodes = Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, stats]) => [code, stats.count]));
  return {
    load: loadName,
    round,
    server: contender.name,
    label: contender.label,
    requestsPerSecond: Math.round(result.requests.total / result.duration),
    requestsTotal: result.requests.total,
    latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, average: result.latency.average, max: result.latency.max },
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes,
    generated: outcome.generated,
    effects,
    serverEventLoopUtilization: Math.round(1000 * eventLoopUtilization) / 1000,
    walBytes,
    checkpointsDuring,
    cpuMs,
  };
}

const integerFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const fmt = (value: number): string => integerFormat.format(value);

/** Fireline req/s over the baseline's, per load (>1: Fireline faster): each round's, and their median. */
type Ratios = Partial<Record<EnqueueLoadName, { median: number; rounds: number[] }>>;

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const twoDecimals = (value: number): number => Math.round(value * 100) / 100;

function renderTable(results: RunResult[], ratios: Ratios, config: EnqueueBenchConfig, environment: Environment): string {
  const rows = [
    ['load', 'round', 'server', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'effects'],
    ...results.map((r) => [
      r.load,
      String(r.round),
      r.label,
      fmt(r.requestsPerSecond),
      r.latencyMs.p50.toFixed(0),
      r.latencyMs.p99.toFixed(0),
      fmt(r.non2xx + r.errors),
      r.effects.summary,
    ]),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const left = (column: number): boolean => column === 0 || column === 2 || column === 7;
  const line = (row: string[]): string => `| ${row.map((cell, column) => (left(column) ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join(' | ')} |`;
  const rule = `|${widths.map((width, column) => (left(column) ? '-'.repeat(width + 2) : `${'-'.repeat(width + 1)}:`)).join('|')}|`;
  const s = environment.settings;
  const firelineLines = results
    .filter((r) => r.server === 'fireline')
    .map((r) => {
      const checks = Object.entries(r.effects.checks).map(([name, value]) => `${name}=${String(value)}`).join(' ');
      return (
        `Fireline ${r.load} round ${r.round}: all alert effects landed ${r.effects.settled ? `${fmt(r.effects.settleMs ?? 0)} ms after the load ended` : `NOT within ${config.settleTimeoutSeconds} s`}, ` +
        `the process quiet ${r.effects.quietMs === null ? 'NEVER' : `${fmt(r.effects.quietMs)} ms later`}; ` +
        `intake rows with a failed attempt: ${fmt(r.effects.counts.intakeWithError ?? 0)}; checks: ${checks}`
      );
    });
  return [
    line(rows[0]!),
    rule,
    ...rows.slice(1).map(line),
    '',
    ...Object.entries(ratios).map(
      ([loadName, ratio]) => `ratio Fireline/baseline req/s, ${loadName}: median ${ratio.median.toFixed(2)}x (rounds: ${ratio.rounds.map((r) => `${r.toFixed(2)}x`).join(', ')})`,
    ),
    `loads: mixed = ~${Math.round(config.duplicateRatio * 100)}% of requests reuse an earlier dedup key (${Math.round(config.resolveShare * 100)}% of those resolve), the rest are new keys; ` +
      `same-key = every request the same trigger (one dedup key, an alert every client keeps re-sending)`,
    `per load, ${config.rounds} round(s), the servers alternating which goes first; per round and server: ${config.durationSeconds} s after ${config.warmupSeconds} s warm-up, ${config.connections} connections, PostgreSQL pool ${config.poolSize}, ` +
      `baseline statement ${config.baselinePrepared ? 'prepared (named)' : 'unnamed'}`,
    ...firelineLines,
    `Node ${environment.node} | PostgreSQL ${environment.postgres} | ${environment.cores} cores (${environment.cpuModel}), ${environment.memoryGiB} GiB | ` +
      `fsync=${s.fsync} synchronous_commit=${s.synchronous_commit}`,
  ].join('\n');
}

interface Environment {
  node: string;
  postgres: string;
  versions: Record<string, string>;
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  settings: Record<string, string>;
}

function packageVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

async function describeEnvironment(postgres: BenchPostgres): Promise<Environment> {
  const pool = openPool(postgres.url(), 1, 'environment');
  try {
    const settings: Record<string, string> = {};
    for (const name of ['server_version', 'fsync', 'synchronous_commit', 'max_connections', 'shared_buffers']) {
      settings[name] = (await pool.query<Record<string, string>>(`SHOW ${name}`)).rows[0]?.[name] ?? '?';
    }
    return {
      node: process.version,
      postgres: settings.server_version ?? '?',
      versions: Object.fromEntries(['autocannon', 'fastify', 'pg', '@nestjs/core', 'embedded-postgres'].map((name) => [name, packageVersion(name)])),
      cores: cpus().length,
      cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      settings,
    };
  } finally {
    await pool.end();
  }
}

async function main(): Promise<void> {
  const started = performance.now();
  const startedAt = new Date();
  const config = readEnqueueBenchConfig();
  log(`config: ${JSON.stringify(config)}`);
  loadBuiltFireline(); // fail fast, before PostgreSQL starts, if the build is missing
  const postgres = await startPostgres(config.pgStatStatements ? ['-c', 'shared_preload_libraries=pg_stat_statements'] : []);
  log(`PostgreSQL on ${HOST}:${postgres.port}, data in ${postgres.databaseDir}`);
  const closables: Closable[] = [];
  const results: RunResult[] = [];
  let environment: Environment;
  const ratios: Ratios = {};
  try {
    environment = await describeEnvironment(postgres);
    const baseline = await startBaseline(postgres, config, closables);
    const fireline = await startFireline(postgres, config, closables);
    log(`baseline on ${baseline.url}, Fireline on ${fireline.url}`);
    for (const loadName of config.loads) {
      // Each round measures both servers back to back, the baseline first in odd rounds and Fireline
      // first in even ones, so a slow phase of the machine does not always hit the same server. Fireline's
      // effects (incidents, projections, notifications) settle before anything else runs.
      const rounds: number[] = [];
      for (let round = 1; round <= config.rounds; round++) {
        const order = round % 2 === 1 ? [baseline, fireline] : [fireline, baseline];
        const pair: RunResult[] = [];
        for (const contender of order) pair.push(await measure(contender, config, loadName, round, postgres));
        results.push(...pair);
        const of = (name: Contender['name']) => pair.find((r) => r.server === name)!.requestsPerSecond;
        rounds.push(twoDecimals(of('fireline') / of('baseline')));
      }
      ratios[loadName] = { median: twoDecimals(median(rounds)), rounds };
    }
    process.stdout.write(`\n${renderTable(results, ratios, config, environment)}\n`);
  } finally {
    for (const closable of closables.reverse()) {
      await closable.close().catch((error: unknown) => log(`closing ${closable.name}: ${String(error)}`));
    }
    await postgres.stop();
    log('servers and PostgreSQL stopped, data directory removed');
  }
  const durationMs = Math.round(performance.now() - started);
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `enqueue-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify({ startedAt: startedAt.toISOString(), durationMs, config, environment, ratios, results }, null, 2)}\n`);
  const failed = results.flatMap((r) =>
    Object.entries(r.effects.checks)
      .filter(([, value]) => value !== 0 && value !== true)
      .map(([name, value]) => `${r.load}.${r.server}.${name}=${String(value)}`),
  );
  process.stdout.write(`\nTotal run time: ${(durationMs / 1000).toFixed(1)} s. Results: ${file}\n`);
  if (failed.length > 0) throw new Error(`effect checks failed: ${failed.join(', ')}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`[bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  // Not `process.exitCode`: embedded-postgres's exit hook calls `process.exit(0)` on `beforeExit`.
  process.exit(1);
});
