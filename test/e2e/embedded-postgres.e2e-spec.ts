import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isProcessRunning, readPostmasterLock, stopStalePostmaster } from '../../apps/platform/src/database/postmaster-lock';
import { waitForExit } from '../support/owned-postgres';
import { freePort, ServiceProcess } from '../support/service-process';

jest.setTimeout(120_000);

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * `npm start` with its embedded PostgreSQL (`node dist/apps/platform/src/main.js`, no
 * `POSTGRES_SERVER_URL`): killed with SIGKILL it leaves its PostgreSQL running on the data directory,
 * and the next start must stop that server cleanly and come up on the same data; a PostgreSQL that dies
 * under a running platform is started again by the platform; a start that fails says why.
 */
describe('npm start with its embedded PostgreSQL (e2e)', () => {
  const root = `/tmp/fireline-embedded-e2e-${process.pid}-${randomBytes(4).toString('hex')}`;
  const dataDir = join(root, 'postgres');
  const timings: Record<string, number> = {};
  const lives: ServiceProcess<'platform'>[] = [];
  let postgresPort = 0;
  /** The admin key the first start issued and saved next to the data directory. */
  let adminKey = '';
  const auth = () => ({ authorization: `Bearer ${adminKey}` });

  async function platform(env: Record<string, string> = {}): Promise<ServiceProcess<'platform'>> {
    const port = await freePort();
    const life = new ServiceProcess({
      service: 'platform',
      port,
      readyTimeoutMs: 90_000,
      env: { HOST: '127.0.0.1', PORT: String(port), FIRELINE_DATA_DIR: dataDir, EMBEDDED_POSTGRES_PORT: String(postgresPort), PROJECTION_POLL_INTERVAL_MS: '20', ...env },
    });
    lives.push(life);
    return life;
  }

  async function declare(life: ServiceProcess<'platform'>): Promise<string> {
    const response = await fetch(`${life.baseUrl}/v1/incidents`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID(), ...auth() },
      body: JSON.stringify({ title: 'embedded e2e', severity: 'SEV3', services: ['embedded'] }),
    });
    const body = (await response.json()) as { id: string };
    if (response.status !== 201) throw new Error(`declare → ${response.status} ${JSON.stringify(body)}`);
    return body.id;
  }

  const statusOf = (life: ServiceProcess<'platform'>, path: string) =>
    fetch(`${life.baseUrl}${path}`, { signal: AbortSignal.timeout(5_000) }).then(
      (response) => response.status,
      () => 0,
    );

  beforeAll(async () => {
    postgresPort = await freePort();
  });

  afterAll(async () => {
    await Promise.allSettled(lives.map((life) => life.stop()));
    await stopStalePostmaster(dataDir).catch(() => undefined);
    await rm(root, { recursive: true, force: true });
    if (Object.keys(timings).length > 0) process.stdout.write(`embedded PostgreSQL timings (ms): ${JSON.stringify(timings)}\n`);
  });

  it('stops the PostgreSQL a SIGKILLed run left behind and starts on the same data; restarts a PostgreSQL that dies while it runs', async () => {
    const first = await platform();
    await first.start().catch((error: unknown) => {
      throw new Error(`${String(error)}\n${first.tail()}`);
    });
    timings['first start (initdb included)'] = first.bootMs[0];
    // First start on an empty data directory: an admin key, printed once and saved with mode 0600.
    const keyFile = join(root, 'admin-api-key');
    adminKey = (await readFile(keyFile, 'utf8')).trim();
    expect(adminKey).toMatch(/^flk_[0-9A-Za-z]{56}$/);
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    expect(first.output).toContain('FIRST START: an admin API key was created');
    expect(first.output.split(adminKey)).toHaveLength(2);
    expect(await fetch(`${first.baseUrl}/v1/incidents`).then((r) => r.status)).toBe(401);
    const incidentId = await declare(first);
    const orphan = readPostmasterLock(dataDir)!.pid;

    await first.kill();
    expect(isProcessRunning(orphan)).toBe(true);

    const second = await platform();
    await second.start().catch((error: unknown) => {
      throw new Error(`${String(error)}\n${second.tail()}`);
    });
    timings['start after kill -9 (stale server stopped)'] = second.bootMs[0];
    expect(second.output).toContain(`Stopped the PostgreSQL server (pid ${orphan}) a previous run left on ${dataDir} (SIGINT`);
    expect(isProcessRunning(orphan)).toBe(false);
    expect(second.output).not.toContain('FIRST START');
    expect((await readFile(join(root, 'admin-api-key'), 'utf8')).trim()).toBe(adminKey);
    expect(await fetch(`${second.baseUrl}/v1/incidents/${incidentId}`, { headers: auth() }).then((r) => r.status)).toBe(200);

    // The postmaster dies under the running platform: the platform starts it again by itself.
    const postmaster = readPostmasterLock(dataDir)!.pid;
    process.kill(postmaster, 'SIGKILL');
    const killedAt = Date.now();
    await waitForExit(postmaster);
    expect(await statusOf(second, '/health/live')).toBe(200);
    let ready = 0;
    while (Date.now() - killedAt < 30_000 && (ready = await statusOf(second, '/health/ready')) !== 200) await sleep(100);
    expect(ready).toBe(200);
    timings['ready after the postmaster was killed'] = Date.now() - killedAt;
    expect(second.running).toBe(true);
    expect(second.output).toMatch(/The embedded PostgreSQL server \(pid \d+\) exited unexpectedly; restarting it/);
    expect(readPostmasterLock(dataDir)!.pid).not.toBe(postmaster);
    expect(await fetch(`${second.baseUrl}/v1/incidents/${incidentId}`, { headers: auth() }).then((r) => r.status)).toBe(200);
    await declare(second);

    // A clean stop takes PostgreSQL down with it.
    const last = readPostmasterLock(dataDir)!.pid;
    expect(await second.stop()).toEqual({ code: 0, signal: null });
    expect(isProcessRunning(last)).toBe(false);
  });

  it('prints the real cause when the embedded PostgreSQL cannot start', async () => {
    // A data directory that looks initialised (PG_VERSION) but has no configuration file.
    const brokenDir = join(root, 'broken');
    await mkdir(brokenDir, { recursive: true });
    await writeFile(join(brokenDir, 'PG_VERSION'), '18\n');
    const life = await platform({ FIRELINE_DATA_DIR: brokenDir, EMBEDDED_POSTGRES_PORT: String(await freePort()) });

    await expect(life.start()).rejects.toThrow(/exited before it was ready/);

    expect(await life.exited()).toEqual({ code: 1, signal: null });
    expect(life.output).toContain('Start-up failed: Error: The embedded PostgreSQL server did not start');
    expect(life.output).toContain(`could not access the server configuration file "${brokenDir}/postgresql.conf"`);
    expect(life.output).not.toContain('Start-up failed: undefined');
  });
});
