import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OwnedPostgres } from '../../../../test/support/owned-postgres';
import { isPostmasterOf, isProcessRunning, readPostmasterLock, stopStalePostmaster } from './postmaster-lock';

jest.setTimeout(60_000);

/** A `postmaster.pid` as PostgreSQL writes it, naming `pid` and `dataDir`. */
function lockFile(pid: number, dataDir: string, port = 5432): string {
  return `${pid}\n${dataDir}\n1733300000\n${port}\n/tmp\nlocalhost\n  1234567  7\nready   \n`;
}

describe(stopStalePostmaster.name, () => {
  let server: OwnedPostgres;
  let scratch: string;

  beforeAll(async () => {
    server = await OwnedPostgres.start('fireline-stale-pg');
    scratch = `/tmp/fireline-stale-lock-${process.pid}-${randomBytes(4).toString('hex')}`;
    await mkdir(scratch, { recursive: true });
  });

  afterAll(async () => {
    await server?.destroy();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it('leaves alone a PostgreSQL of another data directory that the lock file names', async () => {
    const otherDir = join(scratch, 'other');
    await mkdir(otherDir);
    await writeFile(join(otherDir, 'postmaster.pid'), lockFile(server.postmasterPid, otherDir));

    expect(isPostmasterOf(server.postmasterPid, server.dataDir)).toBe(true);
    expect(isPostmasterOf(server.postmasterPid, otherDir)).toBe(false);
    await expect(stopStalePostmaster(otherDir)).resolves.toEqual({ kind: 'not-ours', pid: server.postmasterPid });
    expect(isProcessRunning(server.postmasterPid)).toBe(true);
  });

  it('leaves alone an unrelated process that reused the pid of the lock file', async () => {
    const dataDir = join(scratch, 'reused');
    await mkdir(dataDir);
    const unrelated = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      await writeFile(join(dataDir, 'postmaster.pid'), lockFile(unrelated.pid!, dataDir));
      await expect(stopStalePostmaster(dataDir)).resolves.toEqual({ kind: 'not-ours', pid: unrelated.pid });
      expect(isProcessRunning(unrelated.pid!)).toBe(true);
    } finally {
      unrelated.kill('SIGKILL');
    }
  });

  it('reports a lock file whose process is gone, which PostgreSQL replaces by itself', async () => {
    const dataDir = join(scratch, 'gone');
    await mkdir(dataDir);
    const done = spawn('true');
    await new Promise((resolve) => done.once('exit', resolve));
    await writeFile(join(dataDir, 'postmaster.pid'), lockFile(done.pid!, dataDir));

    await expect(stopStalePostmaster(dataDir)).resolves.toEqual({ kind: 'stale-file', pid: done.pid });
    await expect(stopStalePostmaster(join(scratch, 'no-such-dir'))).resolves.toEqual({ kind: 'none' });
  });

  it('leaves alone the server of this data directory while the Node.js process that started it runs', async () => {
    await expect(stopStalePostmaster(server.dataDir)).resolves.toEqual({ kind: 'in-use', pid: server.postmasterPid, ownerPid: server.ownerPid });
    expect(isProcessRunning(server.postmasterPid)).toBe(true);
  });

  it('stops with a fast shutdown the server of this data directory that a SIGKILLed owner left running', async () => {
    const pid = server.postmasterPid;
    await server.killOwner();
    expect(isProcessRunning(pid)).toBe(true);
    expect(readPostmasterLock(server.dataDir)).toMatchObject({ pid, port: server.port });
    expect(await server.query<{ one: number }>('SELECT 1 AS one')).toEqual([{ one: 1 }]);

    const outcome = await stopStalePostmaster(server.dataDir);

    expect(outcome).toMatchObject({ kind: 'stopped', pid, signal: 'SIGINT' });
    expect(isProcessRunning(pid)).toBe(false);
    // A clean shutdown removes the lock file; the directory starts again at once.
    expect(existsSync(join(server.dataDir, 'postmaster.pid'))).toBe(false);
    await server.restart();
    expect(await server.query<{ two: number }>('SELECT 2 AS two')).toEqual([{ two: 2 }]);
  });
});
