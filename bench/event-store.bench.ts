/**
 * Fireline's event store against plain SQL on the design's gap-safe table, side by side in one run on one
 * embedded PostgreSQL (/work/shared/design/event-store.md, "Measured on this machine"). See bench/README.md.
 *
 *   npx tsx bench/event-store.bench.ts            full size (~25 s on 2 cores)
 *   BENCH_SCALE=0.1 npx tsx bench/event-store.bench.ts   smoke run
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { type Checkpoint, EventStore, START_CHECKPOINT, eventStoreSchemaSql } from '@fireline/event-store';
import { Pool } from 'pg';
import { type BenchConfig, readBenchConfig } from './bench-config';
import { BaselineEventStore, type BenchEvent, baselineSchemaSql } from './baseline-event-store';
import { type BenchPostgres, startPostgres } from './embedded-postgres';

type Side = 'baseline' | 'fireline';
const SIDES: readonly Side[] = ['baseline', 'fireline'];
const STREAM_TYPE = 'incident';
const READ_STREAM_ID = 'incident-read-stream';

/** The same operations on both stores; each call is one application-level operation. */
interface Contender {
  side: Side;
  pool: Pool;
  append(streamId: string, events: BenchEvent[], expectedVersion: number): Promise<void>;
  /** Returns the number of events read. */
  readStream(streamId: string): Promise<number>;
  /** Reads every visible event with the gap-safe query, page by page; returns events and queries. */
  readAll(pageSize: number): Promise<{ events: number; pages: number }>;
}

function baselineContender(pool: Pool, prepared: boolean): Contender {
  const store = new BaselineEventStore(pool, prepared);
  return {
    side: 'baseline',
    pool,
    append: (streamId, events, expectedVersion) => store.append(streamId, STREAM_TYPE, events, expectedVersion),
    readStream: async (streamId) => (await store.readStream(streamId)).length,
    async readAll(pageSize) {
      let after = { transactionId: '0', globalPosition: '0' };
      let events = 0;
      let pages = 0;
      for (;;) {
        const rows = await store.readAllPage(after.transactionId, after.globalPosition, pageSize);
        pages++;
        events += rows.length;
        const last = rows.at(-1);
        if (last === undefined || rows.length < pageSize) return { events, pages };
        after = { transactionId: last.transaction_id, globalPosition: last.global_position };
      }
    },
  };
}

function firelineContender(pool: Pool): Contender {
  const store = new EventStore(pool);
  return {
    side: 'fireline',
    pool,
    async append(streamId, events, expectedVersion) {
      const result = await store.appendToStream(streamId, events, { streamType: STREAM_TYPE, expectedVersion });
      if (result.recorded.length !== events.length) throw new Error(`Fireline append to ${streamId} recorded ${result.recorded.length}`);
    },
    readStream: async (streamId) => (await store.readStream(streamId)).events.length,
    async readAll(pageSize) {
      let after: Checkpoint = START_CHECKPOINT;
      let events = 0;
      let pages = 0;
      for (;;) {
        const page = await store.readAll(after, { limit: pageSize });
        pages++;
        events += page.length;
        const last = page.at(-1);
        if (last === undefined || page.length < pageSize) return { events, pages };
        after = { transactionId: last.transactionId, globalPosition: last.globalPosition };
      }
    },
  };
}

const EVENT_TYPES = ['IncidentDeclared', 'IncidentAcknowledged', 'IncidentSeverityChanged', 'IncidentNoteAdded', 'IncidentResolved'];

/** An incident event of realistic size (~250 B data, ~220 B metadata). */
function makeEvent(seq: number): BenchEvent {
  return {
    type: EVENT_TYPES[seq % EVENT_TYPES.length] as string,
    data: {
      incidentId: randomUUID(),
      title: 'Checkout p99 latency above SLO in eu-west-1',
      severity: 'SEV2',
      service: 'checkout-api',
      summary: 'Error budget burn rate 14x over 1h; on-call paged.',
      seq,
    },
    metadata: {
      correlationId: randomUUID(),
      causationId: null,
      actor: 'user:alice@example.com',
      traceparent: `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`,
      occurredAt: new Date(1_750_000_000_000 + seq * 1000).toISOString(),
    },
  };
}

function makeEvents(count: number, firstSeq = 0): BenchEvent[] {
  return Array.from({ length: count }, (_, index) => makeEvent(firstSeq + index));
}

interface AppendJob {
  streamId: string;
  expectedVersion: number;
  events: BenchEvent[];
}

/**
 * `appends` appends of `eventsPerAppend` events, split over `clients` sequential clients. Each client owns
 * its streams (no conflicts) and moves to a new stream every `appendsPerStream` appends, so both the
 * no-stream (expected 0) and the exact-version guards are exercised. Payloads are built here, untimed.
 */
function planAppends(prefix: string, appends: number, clients: number, eventsPerAppend: number, appendsPerStream: number): AppendJob[][] {
  return Array.from({ length: Math.min(clients, appends) }, (_, client) => {
    const share = Math.floor(appends / clients) + (client < appends % clients ? 1 : 0);
    return Array.from({ length: share }, (_, index) => ({
      streamId: `${STREAM_TYPE}-${prefix}-c${client}-s${Math.floor(index / appendsPerStream)}`,
      expectedVersion: (index % appendsPerStream) * eventsPerAppend,
      events: makeEvents(eventsPerAppend, index * eventsPerAppend),
    }));
  });
}

/** Runs the clients concurrently; returns wall time and each append's latency (ms). */
async function runAppends(contender: Contender, plan: AppendJob[][]): Promise<{ ms: number; latencies: number[] }> {
  const latencies: number[] = [];
  const start = performance.now();
  await Promise.all(
    plan.map(async (jobs) => {
      for (const job of jobs) {
        const begin = performance.now();
        await contender.append(job.streamId, job.events, job.expectedVersion);
        latencies.push(performance.now() - begin);
      }
    }),
  );
  return { ms: performance.now() - start, latencies };
}

/** `total` split into at most `rounds` near-equal positive parts. */
function splitRounds(total: number, rounds: number): number[] {
  const count = Math.min(rounds, total);
  return Array.from({ length: count }, (_, round) => Math.floor(total / count) + (round < total % count ? 1 : 0));
}

/** Round `r` runs baseline first when `r` is even, Fireline first when odd (cancels drift and warm-up order). */
function orderFor(round: number, contenders: Record<Side, Contender>): Contender[] {
  return round % 2 === 0 ? [contenders.baseline, contenders.fireline] : [contenders.fireline, contenders.baseline];
}

function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}

const round2 = (value: number): number => Math.round(value * 100) / 100;

interface LatencySummary {
  p50: number;
  p95: number;
  p99: number;
  mean: number;
}

function summarize(latencies: readonly number[]): LatencySummary {
  const mean = latencies.reduce((sum, value) => sum + value, 0) / latencies.length;
  return {
    p50: round2(percentile(latencies, 0.5)),
    p95: round2(percentile(latencies, 0.95)),
    p99: round2(percentile(latencies, 0.99)),
    mean: round2(mean),
  };
}

/** One store's result on one workload. `value` is in the workload's unit. */
interface Measurement {
  value: number;
  totalMs: number;
  operations: number;
  events: number;
  /** Per-operation latency (ms). */
  latencyMs: LatencySummary;
  /** `value` of each round, in run order. */
  rounds: number[];
}

interface WorkloadResult {
  key: string;
  label: string;
  unit: string;
  /** `throughput`: higher is better, ratio = Fireline / baseline. `latency`: ratio = baseline / Fireline. */
  kind: 'throughput' | 'latency';
  baseline: Measurement;
  fireline: Measurement;
  /** > 1 means Fireline is faster. */
  ratio: number;
}

function ratioOf(kind: WorkloadResult['kind'], baseline: number, fireline: number): number {
  return round2(kind === 'throughput' ? fireline / baseline : baseline / fireline);
}

const log = (message: string): void => {
  process.stderr.write(`[bench] ${message}\n`);
};

/** A write workload, split into rounds that alternate which store goes first. */
async function appendWorkload(
  contenders: Record<Side, Contender>,
  spec: { key: string; label: string; appends: number; clients: number; eventsPerAppend: number; appendsPerStream: number; rounds: number },
): Promise<WorkloadResult> {
  const unit = spec.eventsPerAppend === 1 ? 'appends/s' : 'events/s';
  const totals = {
    baseline: { ms: 0, latencies: [] as number[], rounds: [] as number[] },
    fireline: { ms: 0, latencies: [] as number[], rounds: [] as number[] },
  };
  const roundSizes = splitRounds(spec.appends, spec.rounds);
  for (const [round, size] of roundSizes.entries()) {
    const plan = planAppends(`${spec.key}-r${round}`, size, spec.clients, spec.eventsPerAppend, spec.appendsPerStream);
    for (const contender of orderFor(round, contenders)) {
      const { ms, latencies } = await runAppends(contender, plan);
      const total = totals[contender.side];
      total.ms += ms;
      total.latencies.push(...latencies);
      total.rounds.push(Math.round((size * spec.eventsPerAppend * 1000) / ms));
    }
    log(`${spec.label}: round ${round + 1}/${roundSizes.length} done`);
  }
  const measure = (side: Side): Measurement => {
    const total = totals[side];
    const events = spec.appends * spec.eventsPerAppend;
    const perSecond = spec.eventsPerAppend === 1 ? spec.appends : events;
    return {
      value: Math.round((perSecond * 1000) / total.ms),
      totalMs: Math.round(total.ms),
      operations: spec.appends,
      events,
      latencyMs: summarize(total.latencies),
      rounds: total.rounds,
    };
  };
  const baseline = measure('baseline');
  const fireline = measure('fireline');
  return {
    key: spec.key,
    label: spec.label,
    unit,
    kind: 'throughput',
    baseline,
    fireline,
    ratio: ratioOf('throughput', baseline.value, fireline.value),
  };
}

async function readStreamWorkload(contenders: Record<Side, Contender>, config: BenchConfig, label: string): Promise<WorkloadResult> {
  const latencies: Record<Side, number[]> = { baseline: [], fireline: [] };
  for (const side of SIDES) {
    const count = await contenders[side].readStream(READ_STREAM_ID); // warm-up, untimed
    if (count !== config.streamLength) throw new Error(`${side}: read stream has ${count} events, expected ${config.streamLength}`);
  }
  for (let read = 0; read < config.streamReads; read++) {
    for (const contender of orderFor(read, contenders)) {
      const begin = performance.now();
      const count = await contender.readStream(READ_STREAM_ID);
      latencies[contender.side].push(performance.now() - begin);
      if (count !== config.streamLength) throw new Error(`${contender.side}: read ${count} events, expected ${config.streamLength}`);
    }
  }
  const measure = (side: Side): Measurement => {
    const summary = summarize(latencies[side]);
    return {
      value: summary.p50,
      totalMs: Math.round(latencies[side].reduce((sum, value) => sum + value, 0)),
      operations: config.streamReads,
      events: config.streamReads * config.streamLength,
      latencyMs: summary,
      rounds: latencies[side].map(round2),
    };
  };
  const baseline = measure('baseline');
  const fireline = measure('fireline');
  return {
    key: 'read-stream',
    label,
    unit: 'ms (p50)',
    kind: 'latency',
    baseline,
    fireline,
    ratio: ratioOf('latency', baseline.value, fireline.value),
  };
}

async function readAllWorkload(
  contenders: Record<Side, Contender>,
  config: BenchConfig,
  expected: number,
  label: string,
): Promise<WorkloadResult> {
  const totals: Record<Side, { ms: number; events: number; pages: number; rounds: number[] }> = {
    baseline: { ms: 0, events: 0, pages: 0, rounds: [] },
    fireline: { ms: 0, events: 0, pages: 0, rounds: [] },
  };
  for (let round = 0; round < config.readAllRounds; round++) {
    for (const contender of orderFor(round, contenders)) {
      const begin = performance.now();
      const { events, pages } = await contender.readAll(config.pageSize);
      const ms = performance.now() - begin;
      if (events !== expected) throw new Error(`${contender.side}: global read returned ${events} events, expected ${expected}`);
      const total = totals[contender.side];
      total.ms += ms;
      total.events += events;
      total.pages += pages;
      total.rounds.push(Math.round((events * 1000) / ms));
    }
    log(`${label}: round ${round + 1}/${config.readAllRounds} done`);
  }
  const measure = (side: Side): Measurement => {
    const total = totals[side];
    const perPage = total.ms / total.pages;
    return {
      value: Math.round((total.events * 1000) / total.ms),
      totalMs: Math.round(total.ms),
      operations: total.pages,
      events: total.events,
      latencyMs: { p50: Number.NaN, p95: Number.NaN, p99: Number.NaN, mean: round2(perPage) },
      rounds: total.rounds,
    };
  };
  const baseline = measure('baseline');
  const fireline = measure('fireline');
  return {
    key: 'read-all',
    label,
    unit: 'events/s',
    kind: 'throughput',
    baseline,
    fireline,
    ratio: ratioOf('throughput', baseline.value, fireline.value),
  };
}

async function countEvents(pool: Pool): Promise<number> {
  return Number((await pool.query<{ n: string }>('SELECT count(*)::text AS n FROM events')).rows[0]?.n ?? 0);
}

/** Untimed: the 1,000-event stream both stores append themselves, then plain inserts up to `target` events. */
async function prepareReadData(contenders: Record<Side, Contender>, config: BenchConfig): Promise<number> {
  for (const contender of Object.values(contenders)) {
    for (let version = 0; version < config.streamLength; version += 100) {
      const size = Math.min(100, config.streamLength - version);
      await contender.append(READ_STREAM_ID, makeEvents(size, version), version);
    }
  }
  const counts = await Promise.all(SIDES.map((side) => countEvents(contenders[side].pool)));
  if (counts[0] !== counts[1]) throw new Error(`Stores hold different event counts: ${counts.join(' vs ')}`);
  const existing = counts[0] as number;
  const target = Math.max(existing, config.readAllEvents);
  // Fill with the baseline's plain insert in both databases: same rows, untimed, and Fireline's table has
  // the same columns.
  const fillers = SIDES.map((side) => new BaselineEventStore(contenders[side].pool));
  for (let written = existing, chunk = 0; written < target; chunk++) {
    const size = Math.min(1000, target - written);
    const events = makeEvents(size, written);
    await Promise.all(fillers.map((filler) => filler.append(`${STREAM_TYPE}-fill-${chunk}`, STREAM_TYPE, events, 0)));
    written += size;
  }
  // Same state for both: visibility hints set, statistics fresh.
  await Promise.all(SIDES.map((side) => contenders[side].pool.query('VACUUM (ANALYZE) events')));
  return target;
}

/** Opens every pool connection and prepares Fireline's named statements before anything is timed. */
async function warmUp(contenders: Record<Side, Contender>, config: BenchConfig): Promise<void> {
  for (const contender of Object.values(contenders)) {
    await runAppends(contender, planAppends('warmup', config.clients * 3, config.clients, 1, 3));
    await runAppends(contender, planAppends('warmup-batch', 2, 1, config.batchSize, 1));
    await contender.readStream(`${STREAM_TYPE}-warmup-c0-s0`);
    await contender.readAll(config.pageSize);
  }
}

function packageVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(join(__dirname, '..', 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

interface Environment {
  node: string;
  postgres: string;
  pg: string;
  embeddedPostgres: string;
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  settings: Record<string, string>;
}

async function describeEnvironment(pool: Pool): Promise<Environment> {
  const settings: Record<string, string> = {};
  for (const name of ['fsync', 'synchronous_commit', 'wal_sync_method', 'full_page_writes', 'shared_buffers', 'max_wal_size']) {
    settings[name] = (await pool.query<Record<string, string>>(`SHOW ${name}`)).rows[0]?.[name] ?? '?';
  }
  const version = (await pool.query<{ server_version: string }>('SHOW server_version')).rows[0]?.server_version ?? '?';
  return {
    node: process.version,
    postgres: version,
    pg: packageVersion('pg'),
    embeddedPostgres: packageVersion('embedded-postgres'),
    cores: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    settings,
  };
}

const integerFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const fmt = (value: number): string => integerFormat.format(value);

function formatValue(result: WorkloadResult, side: Side): string {
  const { value } = result[side];
  return result.kind === 'latency' ? `${value.toFixed(1)} ms` : `${fmt(value)} ${result.unit}`;
}

function renderTable(results: WorkloadResult[], environment: Environment, config: BenchConfig): string {
  const rows = [
    ['workload', config.baselinePrepared ? 'baseline (plain SQL, prepared)' : 'baseline (plain SQL)', 'Fireline', 'ratio'],
    ...results.map((result) => [
      result.label,
      formatValue(result, 'baseline'),
      formatValue(result, 'fireline'),
      `${result.ratio.toFixed(2)}x`,
    ]),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const line = (row: string[]): string =>
    `| ${row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join(' | ')} |`;
  const rule = `|${widths.map((width, column) => (column === 0 ? '-'.repeat(width + 2) : `${'-'.repeat(width + 1)}:`)).join('|')}|`;
  const latencyLines = results
    .filter((result) => result.key !== 'read-all')
    .map((result) => {
      const cell = (side: Side): string => {
        const { p50, p95, p99 } = result[side].latencyMs;
        return `p50 ${p50.toFixed(2)} / p95 ${p95.toFixed(2)} / p99 ${p99.toFixed(2)} ms`;
      };
      return `  ${result.label}: baseline ${cell('baseline')}; Fireline ${cell('fireline')}`;
    });
  const s = environment.settings;
  return [
    line(rows[0]!),
    rule,
    ...rows.slice(1).map(line),
    '',
    'ratio: Fireline/baseline for throughput, baseline/Fireline for latency; > 1 means Fireline is faster.',
    'Per-operation latency:',
    ...latencyLines,
    '',
    `Node ${environment.node} | PostgreSQL ${environment.postgres} (embedded-postgres ${environment.embeddedPostgres}) | pg ${environment.pg} | ` +
      `${environment.cores} cores (${environment.cpuModel}), ${environment.memoryGiB} GiB`,
    `fsync=${s.fsync} synchronous_commit=${s.synchronous_commit} wal_sync_method=${s.wal_sync_method} ` +
      `full_page_writes=${s.full_page_writes} shared_buffers=${s.shared_buffers} max_wal_size=${s.max_wal_size}`,
  ].join('\n');
}

async function runWorkloads(
  postgres: BenchPostgres,
  config: BenchConfig,
  pools: Pool[],
): Promise<{ results: WorkloadResult[]; environment: Environment }> {
  for (const side of SIDES) await postgres.createDatabase(`bench_${side}`);
  const openPool = (side: Side): Pool => {
    const pool = new Pool({ connectionString: postgres.url(`bench_${side}`), max: config.clients });
    pool.on('error', (error) => {
      // 57P01 admin_shutdown: `pool.end()` resolves before every socket has closed, so the server's
      // shutdown can still reach a client that is going away anyway.
      if ((error as { code?: string }).code !== '57P01') log(`${side} pool: idle client error: ${error.message}`);
    });
    pools.push(pool);
    return pool;
  };
  const contenders: Record<Side, Contender> = {
    baseline: baselineContender(openPool('baseline'), config.baselinePrepared),
    fireline: firelineContender(openPool('fireline')),
  };
  await contenders.baseline.pool.query(baselineSchemaSql);
  await contenders.fireline.pool.query(eventStoreSchemaSql);
  const environment = await describeEnvironment(contenders.baseline.pool);
  await warmUp(contenders, config);
  log('warm-up done');

  const results: WorkloadResult[] = [];
  const rounds = config.writeRounds;
  results.push(
    await appendWorkload(contenders, {
      key: 'append-sequential',
      label: `1-event appends, sequential (N=${fmt(config.sequentialAppends)})`,
      appends: config.sequentialAppends,
      clients: 1,
      eventsPerAppend: 1,
      appendsPerStream: 10,
      rounds,
    }),
  );
  results.push(
    await appendWorkload(contenders, {
      key: 'append-concurrent',
      label: `1-event appends, ${config.clients} clients (N=${fmt(config.concurrentAppends)})`,
      appends: config.concurrentAppends,
      clients: config.clients,
      eventsPerAppend: 1,
      appendsPerStream: 10,
      rounds,
    }),
  );
  results.push(
    await appendWorkload(contenders, {
      key: 'append-batches',
      label: `${config.batchSize}-event batches (${fmt(config.batches)} batches)`,
      appends: config.batches,
      clients: 1,
      eventsPerAppend: config.batchSize,
      appendsPerStream: 5,
      rounds,
    }),
  );

  const total = await prepareReadData(contenders, config);
  log(`read data ready: ${fmt(total)} events per store`);
  results.push(
    await readStreamWorkload(contenders, config, `read one ${fmt(config.streamLength)}-event stream (${config.streamReads}x, p50)`),
  );
  results.push(
    await readAllWorkload(
      contenders,
      config,
      total,
      `read all, ${fmt(total)} events, pages of ${fmt(config.pageSize)} (${config.readAllRounds}x)`,
    ),
  );
  return { results, environment };
}

/** Figures from /work/shared/design/event-store.md, for the JSON record. */
const DESIGN_REFERENCE = {
  source: '/work/shared/design/event-store.md, "Measured on this machine" (PostgreSQL 18.4, 2 cores)',
  plainSql: {
    'append-sequential': '~1,000–1,700 appends/s',
    'append-concurrent': '~3,500–6,300 appends/s',
    'append-batches': '~19,000–31,000 events/s',
    'read-stream': '~8–10 ms',
    'read-all': '~85,000–116,000 events/s',
  },
};

async function main(): Promise<void> {
  const started = performance.now();
  const startedAt = new Date();
  const config = readBenchConfig();
  log(`config: ${JSON.stringify(config)}`);
  const postgres = await startPostgres();
  log(`PostgreSQL on port ${postgres.port}, data in ${postgres.databaseDir}`);
  const pools: Pool[] = [];
  let outcome: { results: WorkloadResult[]; environment: Environment };
  try {
    outcome = await runWorkloads(postgres, config, pools);
    process.stdout.write(`\n${renderTable(outcome.results, outcome.environment, config)}\n`);
  } finally {
    await Promise.allSettled(pools.map((pool) => pool.end()));
    await postgres.stop();
    log('PostgreSQL stopped, data directory removed');
  }
  const durationMs = Math.round(performance.now() - started);
  const dir = join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `event-store-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  const record = {
    startedAt: startedAt.toISOString(),
    durationMs,
    config,
    environment: outcome.environment,
    results: outcome.results,
    designReference: DESIGN_REFERENCE,
  };
  writeFileSync(
    file,
    `${JSON.stringify(record, (_, value: unknown) => (typeof value === 'number' && Number.isNaN(value) ? null : value), 2)}\n`,
  );
  process.stdout.write(`\nTotal run time: ${(durationMs / 1000).toFixed(1)} s. Results: ${file}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`[bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  // Not `process.exitCode`: embedded-postgres's exit hook (async-exit-hook) calls `process.exit(0)` on
  // `beforeExit`. PostgreSQL is already stopped here (the `finally` in `main`).
  process.exit(1);
});
