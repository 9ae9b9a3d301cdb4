import { execFileSync } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';

/**
 * What a data directory's `postmaster.pid` says. PostgreSQL writes it at start and removes it at a
 * clean shutdown (format: src/include/utils/pidfile.h — line 1 the postmaster's pid, line 2 the data
 * directory, line 4 the port); a server killed with SIGKILL, or left running by a killed owner,
 * leaves it behind.
 */
export interface PostmasterLock {
  pid: number;
  dataDir: string;
  port: number | null;
}

/** Reads `<dataDir>/postmaster.pid`; null when there is none (or it is not one PostgreSQL wrote). */
export function readPostmasterLock(dataDir: string): PostmasterLock | null {
  let text: string;
  try {
    text = readFileSync(join(dataDir, 'postmaster.pid'), 'utf8');
  } catch {
    return null;
  }
  const [pidLine, dirLine, , portLine] = text.split('\n');
  const pid = Number(pidLine);
  if (!Number.isInteger(pid) || pid <= 0 || !dirLine) return null;
  const port = Number(portLine);
  return { pid, dataDir: dirLine, port: Number.isInteger(port) && port > 0 ? port : null };
}

/**
 * Whether a process with this pid runs. A zombie (exited, not yet reaped by its parent, e.g. an
 * orphaned postmaster whose new parent never reaps) does not count.
 */
export function isProcessRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    // /proc/<pid>/stat: "pid (comm) state …"; comm may contain spaces and parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc (macOS): kill(0) said it exists
  }
}

/** The command line of a process (argv), or null when it cannot be read. */
function commandLineOf(pid: number): string[] | null {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return raw.split('\0').filter((arg) => arg !== '');
  } catch {
    // No /proc: `ps` gives the command line as one string; paths with spaces cannot be told apart.
    try {
      return execFileSync('ps', ['-o', 'command=', '-p', String(pid)], { encoding: 'utf8' }).trim().split(/\s+/);
    } catch {
      return null;
    }
  }
}

/** The parent pid of a process, or null when it cannot be read. */
function parentOf(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const ppid = /^PPid:\s+(\d+)$/m.exec(status)?.[1];
    return ppid === undefined ? null : Number(ppid);
  } catch {
    try {
      const ppid = Number(execFileSync('ps', ['-o', 'ppid=', '-p', String(pid)], { encoding: 'utf8' }).trim());
      return Number.isInteger(ppid) && ppid > 0 ? ppid : null;
    } catch {
      return null;
    }
  }
}

/**
 * The live Node.js process that started the postmaster `pid` (its parent), or null when the
 * postmaster is an orphan: its owner was killed and it was handed to init or a subreaper.
 */
function nodeOwnerOf(pid: number): number | null {
  const parent = parentOf(pid);
  if (parent === null || parent <= 1 || !isProcessRunning(parent)) return null;
  const program = commandLineOf(parent)?.[0];
  return program !== undefined && /^node(js)?(\d+)?(\.exe)?$/.test(basename(program)) ? parent : null;
}

function samePath(a: string, b: string): boolean {
  const canonical = (path: string) => {
    try {
      return realpathSync(path);
    } catch {
      return resolve(path);
    }
  };
  return canonical(a) === canonical(b);
}

/**
 * Whether `pid` is a PostgreSQL server of `dataDir`: its program is `postgres` (or `postmaster`) and
 * its `-D` argument is that directory. A process that merely reused the pid is not.
 */
export function isPostmasterOf(pid: number, dataDir: string): boolean {
  const argv = commandLineOf(pid);
  if (!argv || argv.length === 0) return false;
  if (!['postgres', 'postmaster'].includes(basename(argv[0]))) return false;
  const d = argv.indexOf('-D');
  const dir = d >= 0 ? argv[d + 1] : argv.find((arg) => arg.startsWith('-D'))?.slice(2);
  return dir !== undefined && samePath(dir, dataDir);
}

/** What `stopStalePostmaster` found and did. */
export type StalePostmaster =
  | { kind: 'none' }
  /** The file names a process that no longer runs: PostgreSQL replaces such a file itself. */
  | { kind: 'stale-file'; pid: number }
  /** The pid runs but is not a PostgreSQL of this directory (reused pid): left alone. */
  | { kind: 'not-ours'; pid: number }
  /** A PostgreSQL of this directory whose owner, a Node.js process, still runs (another Fireline): left alone. */
  | { kind: 'in-use'; pid: number; ownerPid: number }
  /** A server of this directory was running and has been stopped, by `signal`, in `ms`. */
  | { kind: 'stopped'; pid: number; signal: NodeJS.Signals; ms: number };

/** How long to wait after each signal before the next, ms. */
export interface StopPostmasterTimeouts {
  /** After SIGINT (fast shutdown: rolls back open transactions, checkpoints, exits). Default 15000. */
  fastMs: number;
  /** After SIGQUIT (immediate shutdown: crash recovery at next start). Default 5000. */
  immediateMs: number;
  /** After SIGKILL. Default 5000. */
  killMs: number;
}

const DEFAULT_TIMEOUTS: StopPostmasterTimeouts = { fastMs: 15_000, immediateMs: 5_000, killMs: 5_000 };

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function exited(pid: number, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (isProcessRunning(pid)) {
    if (Date.now() >= deadline) return false;
    await sleep(50);
  }
  return true;
}

/**
 * Before starting a server on `dataDir`: if its `postmaster.pid` names a running PostgreSQL of this
 * very directory left behind when the process that started it was killed with SIGKILL (an orphan: its
 * parent is no longer a live Node.js process), stops it cleanly: SIGINT (fast shutdown), then SIGQUIT
 * (immediate), then SIGKILL, waiting `timeouts` after each. Nothing is signalled when the pid no longer
 * runs, belongs to another program now, or is a server whose Node.js owner still runs (`in-use`).
 *
 * @throws Error when the server still runs after SIGKILL (e.g. not ours to signal: EPERM).
 */
export async function stopStalePostmaster(dataDir: string, timeouts: Partial<StopPostmasterTimeouts> = {}): Promise<StalePostmaster> {
  const lock = readPostmasterLock(dataDir);
  if (!lock) return { kind: 'none' };
  const { pid } = lock;
  if (!isProcessRunning(pid)) return { kind: 'stale-file', pid };
  if (!samePath(lock.dataDir, dataDir) || !isPostmasterOf(pid, dataDir)) return { kind: 'not-ours', pid };
  const ownerPid = nodeOwnerOf(pid);
  if (ownerPid !== null) return { kind: 'in-use', pid, ownerPid };
  const { fastMs, immediateMs, killMs } = { ...DEFAULT_TIMEOUTS, ...timeouts };
  const startedAt = Date.now();
  for (const [signal, waitMs] of [
    ['SIGINT', fastMs],
    ['SIGQUIT', immediateMs],
    ['SIGKILL', killMs],
  ] as const) {
    try {
      process.kill(pid, signal);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') return { kind: 'stopped', pid, signal, ms: Date.now() - startedAt };
      throw new Error(`Cannot stop the PostgreSQL server (pid ${pid}) left running on ${dataDir}: ${(error as Error).message}`, { cause: error });
    }
    if (await exited(pid, waitMs)) return { kind: 'stopped', pid, signal, ms: Date.now() - startedAt };
  }
  throw new Error(`The PostgreSQL server (pid ${pid}) left running on ${dataDir} did not exit after SIGINT, SIGQUIT and SIGKILL`);
}
