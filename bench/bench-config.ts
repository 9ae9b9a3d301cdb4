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
