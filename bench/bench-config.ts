/**
 * Workload sizes, from the environment once. `BENCH_SCALE` multiplies every count (not the batch size,
 * stream length, page size or client count); a specific variable overrides its count outright.
 */
export interface BenchConfig {
  scale: number;
  sequentialAppends: number;
  concurrentAppends: number;
  clients: number;
  batches: number;
  batchSize: number;
  streamLength: number;
  streamReads: number;
  readAllEvents: number;
  pageSize: number;
  /** Each write workload is split into this many rounds, alternating which store goes first. */
  writeRounds: number;
  /** Full passes of the global read per store, alternating which goes first. */
  readAllRounds: number;
  /** `BENCH_BASELINE_PREPARED=1`: the baseline uses named (prepared) statements, like Fireline. */
  baselinePrepared: boolean;
}

export function readBenchConfig(env: NodeJS.ProcessEnv = process.env): BenchConfig {
  const problems: string[] = [];
  const scale = env.BENCH_SCALE === undefined || env.BENCH_SCALE === '' ? 1 : Number(env.BENCH_SCALE);
  if (!(Number.isFinite(scale) && scale > 0)) problems.push(`BENCH_SCALE must be a positive number, got ${env.BENCH_SCALE}`);

  const integer = (name: string, fallback: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!(Number.isSafeInteger(value) && value >= 1)) {
      problems.push(`${name} must be a positive integer, got ${raw}`);
      return fallback;
    }
    return value;
  };
  const factor = problems.length > 0 ? 1 : scale;
  const scaled = (name: string, full: number): number => integer(name, Math.max(1, Math.round(full * factor)));

  const config: BenchConfig = {
    scale,
    sequentialAppends: scaled('BENCH_SEQUENTIAL_APPENDS', 2000),
    concurrentAppends: scaled('BENCH_CONCURRENT_APPENDS', 8000),
    clients: integer('BENCH_CLIENTS', 16),
    batches: scaled('BENCH_BATCHES', 200),
    batchSize: integer('BENCH_BATCH_SIZE', 100),
    streamLength: integer('BENCH_STREAM_LENGTH', 1000),
    streamReads: scaled('BENCH_STREAM_READS', 50),
    readAllEvents: scaled('BENCH_READ_ALL_EVENTS', 100_000),
    pageSize: integer('BENCH_PAGE_SIZE', 1000),
    writeRounds: integer('BENCH_ROUNDS', 4),
    readAllRounds: integer('BENCH_READ_ALL_ROUNDS', 2),
    baselinePrepared: ['1', 'true'].includes(env.BENCH_BASELINE_PREPARED ?? ''),
  };
  if (problems.length > 0) throw new Error(`Invalid benchmark settings:\n  ${problems.join('\n  ')}`);
  return config;
}

/** Settings of bench/enqueue.bench.ts (`POST /v2/enqueue` under HTTP load), from the environment once. */
export interface EnqueueBenchConfig {
  scale: number;
  /** Measured load per server, seconds (`BENCH_DURATION_S`, default 10 × `BENCH_SCALE`, at least 1). */
  durationSeconds: number;
  /** Unmeasured load per server before its measured run, seconds (`BENCH_WARMUP_S`, default 2). */
  warmupSeconds: number;
  /** autocannon connections (`BENCH_CONNECTIONS`, default 32). */
  connections: number;
  /** Share of requests reusing an earlier dedup key (`BENCH_DUPLICATE_RATIO`, default 0.5). */
  duplicateRatio: number;
  /** Of those, the share that resolve (`BENCH_RESOLVE_SHARE`, default 0.3); the rest trigger again. */
  resolveShare: number;
  /** PostgreSQL pool size of each server (`BENCH_PG_POOL`, default 10 = Fireline's default). */
  poolSize: number;
  /** How long to wait for Fireline's asynchronous effects after a run (`BENCH_SETTLE_TIMEOUT_S`, 180). */
  settleTimeoutSeconds: number;
  /** Seed of the key/action sequence (`BENCH_SEED`, default 42). */
  seed: number;
  /**
   * Which loads to run, in order (`BENCH_LOADS`, comma list, default `mixed,same-key`): `mixed` (new and
   * reused dedup keys, triggers and resolves) and `same-key` (every request the same trigger, one key).
   */
  loads: EnqueueLoadName[];
  /** `BENCH_BASELINE_PREPARED` (default true): the baseline's INSERT is a named (prepared) statement, as Fireline's are. */
  baselinePrepared: boolean;
  /**
   * Rounds per load (`BENCH_ROUNDS`, default 3): each measures both servers, alternating which goes
   * first; the report gives every round's ratio and their median (one run on a shared 2-core machine
   * varied by ±25%).
   */
  rounds: number;
  /**
   * `BENCH_PG_STAT_STATEMENTS=1`: load `pg_stat_statements` and log Fireline's costliest statements per
   * round (a diagnostic; it costs some throughput).
   */
  pgStatStatements: boolean;
  /**
   * `BENCH_CPU_PROFILE=1`: record a V8 CPU profile of the bench's main thread (where both servers run)
   * during each measured run, written beside the results as `.cpuprofile` (a diagnostic; sampling costs
   * a few percent of throughput). Open it in Chrome DevTools or summarize it with
   * `npx tsx bench/cpu-profile-summary.ts <file>`.
   */
  cpuProfile: boolean;
}

export const ENQUEUE_LOADS = ['mixed', 'same-key'] as const;
export type EnqueueLoadName = (typeof ENQUEUE_LOADS)[number];

export function readEnqueueBenchConfig(env: NodeJS.ProcessEnv = process.env): EnqueueBenchConfig {
  const problems: string[] = [];
  const number = (name: string, fallback: number, valid: (value: number) => boolean, expected: string): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!(Number.isFinite(value) && valid(value))) {
      problems.push(`${name} must be ${expected}, got ${raw}`);
      return fallback;
    }
    return value;
  };
  const positive = (value: number): boolean => value > 0;
  const positiveInteger = (value: number): boolean => Number.isSafeInteger(value) && value >= 1;
  const share = (value: number): boolean => value >= 0 && value < 1;
  const scale = number('BENCH_SCALE', 1, positive, 'a positive number');
  const config: EnqueueBenchConfig = {
    scale,
    durationSeconds: number('BENCH_DURATION_S', Math.max(1, Math.round(10 * scale)), positiveInteger, 'a positive integer'),
    warmupSeconds: number('BENCH_WARMUP_S', 2, positiveInteger, 'a positive integer'),
    connections: number('BENCH_CONNECTIONS', 32, positiveInteger, 'a positive integer'),
    duplicateRatio: number('BENCH_DUPLICATE_RATIO', 0.5, share, 'in [0, 1)'),
    resolveShare: number('BENCH_RESOLVE_SHARE', 0.3, (value) => value >= 0 && value <= 1, 'in [0, 1]'),
    poolSize: number('BENCH_PG_POOL', 10, (value) => positiveInteger(value) && value >= 2 && value <= 200, 'an integer in [2, 200]'),
    settleTimeoutSeconds: number('BENCH_SETTLE_TIMEOUT_S', 180, positiveInteger, 'a positive integer'),
    seed: number('BENCH_SEED', 42, (value) => Number.isSafeInteger(value) && value >= 0, 'a non-negative integer'),
    loads: [...ENQUEUE_LOADS],
    baselinePrepared: !['0', 'false'].includes(env.BENCH_BASELINE_PREPARED ?? ''),
    rounds: number('BENCH_ROUNDS', 3, positiveInteger, 'a positive integer'),
    pgStatStatements: ['1', 'true'].includes(env.BENCH_PG_STAT_STATEMENTS ?? ''),
    cpuProfile: ['1', 'true'].includes(env.BENCH_CPU_PROFILE ?? ''),
  };
  if (env.BENCH_LOADS !== undefined && env.BENCH_LOADS !== '') {
    const loads = env.BENCH_LOADS.split(',').map((load) => load.trim());
    const unknown = loads.filter((load) => !(ENQUEUE_LOADS as readonly string[]).includes(load));
    if (unknown.length > 0 || loads.length === 0) problems.push(`BENCH_LOADS must be a comma list of ${ENQUEUE_LOADS.join(', ')}, got ${env.BENCH_LOADS}`);
    else config.loads = loads as EnqueueLoadName[];
  }
  if (problems.length > 0) throw new Error(`Invalid benchmark settings:\n  ${problems.join('\n  ')}`);
  return config;
}
