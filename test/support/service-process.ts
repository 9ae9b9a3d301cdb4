import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** The standalone deployables under `dist/apps/<service>/src/main.js`. */
export type FirelineService = 'incident-service' | 'notification-service' | 'postmortem-service';

/** What can run as a process: one service, or the platform (`npm start`: all three in one process). */
export type FirelineEntryPoint = FirelineService | 'platform';

export interface ServiceProcessOptions<N extends FirelineEntryPoint = FirelineService> {
  service: N;
  /** The child's whole environment besides `PATH` (nothing else of the test process leaks in). */
  env: Record<string, string>;
  /** The port `env.PORT` names, to build `baseUrl`. */
  port: number;
  /** Polled until it answers 200. Default `/health/ready`. */
  readyPath?: string;
  /** Default 30000. */
  readyTimeoutMs?: number;
  /** Where `apps/<service>/src/main.js` lives. Default `<repo>/dist`. */
  distDir?: string;
  /** Characters of stdout+stderr kept for failure messages (the tail). Default 200000. */
  outputLimit?: number;
}

/** How one life of the child ended. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const REPO_ROOT = join(__dirname, '..', '..');

/** Children of this test process still running; killed on `process.exit` in case a test forgot. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A port that was free a moment ago on 127.0.0.1 (bind to 0, read it, close). */
export async function freePort(): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') return reject(new Error('unexpected server address'));
      server.close(() => resolve(address.port));
    });
  });
}

/**
 * One Fireline service run as a separate OS process from the built output (`node dist/apps/<service>/src/main.js`),
 * restartable with the same environment. Output of every life is kept (tail) for failure messages.
 */
export class ServiceProcess<N extends FirelineEntryPoint = FirelineService> {
  readonly baseUrl: string;
  /** Milliseconds from spawn to the first 200 on the ready path, per life. */
  readonly bootMs: number[] = [];
  private child: ChildProcess | null = null;
  private exit: Promise<ProcessExit> | null = null;
  private lives = 0;
  private captured = '';

  constructor(private readonly options: ServiceProcessOptions<N>) {
    this.baseUrl = `http://127.0.0.1:${options.port}`;
  }

  get name(): N {
    return this.options.service;
  }

  /** Pid of the running child, or null. */
  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  get running(): boolean {
    return this.child !== null;
  }

  /** The tail of stdout and stderr of every life so far. */
  get output(): string {
    return this.captured;
  }

  /**
   * Spawns the child and resolves once the ready path answers 200.
   * @throws Error with the child's output when it exits first or is not ready in time (it is killed then).
   */
  async start(): Promise<void> {
    if (this.child) throw new Error(`${this.name} is already running (pid ${this.child.pid})`);
    this.lives += 1;
    const main = join(this.options.distDir ?? join(REPO_ROOT, 'dist'), 'apps', this.name, 'src', 'main.js');
    this.append(`--- ${this.name} life ${this.lives}: ${main}\n`);
    const startedAt = Date.now();
    const child = spawn(process.execPath, [main], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...this.options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: false,
    });
    this.child = child;
    live.add(child);
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => this.append(chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => this.append(chunk));
    this.exit = new Promise<ProcessExit>((resolve) => {
      const settle = (code: number | null, signal: NodeJS.Signals | null) => {
        live.delete(child);
        if (this.child === child) this.child = null;
        this.append(`--- ${this.name} life ${this.lives} exited (code ${code}, signal ${signal})\n`);
        resolve({ code, signal });
      };
      child.once('exit', settle);
      child.once('error', (error) => {
        this.append(`--- ${this.name}: spawn failed: ${error.message}\n`);
        settle(null, null);
      });
    });
    try {
      await this.waitReady(child, this.options.readyTimeoutMs ?? 30_000);
    } catch (error) {
      await this.kill();
      throw error;
    }
    this.bootMs.push(Date.now() - startedAt);
  }

  /** Sends SIGKILL without waiting: safe to call from a synchronous callback. No-op when not running. */
  killNow(): void {
    this.child?.kill('SIGKILL');
  }

  /** SIGKILL (kill -9) and wait for the exit. */
  async kill(): Promise<ProcessExit | null> {
    const exit = this.exit;
    if (!this.child || !exit) return exit ? exit : null;
    this.child.kill('SIGKILL');
    return exit;
  }

  /** Resolves when the current (or last) life has ended. */
  async exited(): Promise<ProcessExit | null> {
    return this.exit;
  }

  /** SIGTERM, then SIGKILL if the child has not exited after `timeoutMs` (default 10000). */
  async stop(timeoutMs = 10_000): Promise<ProcessExit | null> {
    const child = this.child;
    const exit = this.exit;
    if (!child || !exit) return exit;
    child.kill('SIGTERM');
    const timer = setTimeout(() => {
      this.append(`--- ${this.name}: no exit ${timeoutMs} ms after SIGTERM, sending SIGKILL\n`);
      child.kill('SIGKILL');
    }, timeoutMs);
    try {
      return await exit;
    } finally {
      clearTimeout(timer);
    }
  }

  private async waitReady(child: ChildProcess, timeoutMs: number): Promise<void> {
    const url = `${this.baseUrl}${this.options.readyPath ?? '/health/ready'}`;
    const deadline = Date.now() + timeoutMs;
    let last = 'no answer yet';
    while (Date.now() < deadline) {
      if (this.child !== child) throw new Error(`${this.name} exited before it was ready (${url}).\n${this.tail()}`);
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
        await response.arrayBuffer();
        if (response.status === 200) return;
        last = `HTTP ${response.status}`;
      } catch (error) {
        last = error instanceof Error ? error.message : String(error);
      }
      await sleep(50);
    }
    throw new Error(`${this.name} was not ready within ${timeoutMs} ms (${url}: ${last}).\n${this.tail()}`);
  }

  /** The last lines of output, for error messages. */
  tail(chars = 8_000): string {
    return this.captured.length > chars ? `…${this.captured.slice(-chars)}` : this.captured;
  }

  private append(text: string): void {
    const limit = this.options.outputLimit ?? 200_000;
    this.captured += text;
    if (this.captured.length > limit) this.captured = this.captured.slice(-limit);
  }
}

/** Stops every running process (SIGTERM, then SIGKILL); never throws, so it is safe in `afterAll`. */
export async function stopAll(processes: readonly (ServiceProcess<FirelineEntryPoint> | undefined)[], timeoutMs = 10_000): Promise<void> {
  await Promise.allSettled(processes.map((p) => (p ? p.stop(timeoutMs) : Promise.resolve(null))));
}
