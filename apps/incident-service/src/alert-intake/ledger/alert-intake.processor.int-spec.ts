import { runMigrations } from '@fireline/event-store';
import { SecretBox } from '@fireline/secrets';
import { Logger } from '@nestjs/common';
import type { CommandBus } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { DatabaseError } from 'pg';
import { TcpSwitch } from '../../../../../test/support/tcp-switch';
import { createTestDatabase, servicePool, type TestDatabase } from '../../../../../test/support/test-database';
import { TEST_ENCRYPTION_KEYS } from '../../../../../test/support/test-secrets';
import { INCIDENT_SERVICE_MIGRATIONS } from '../../incident-service.module';
import type { IntegrationRepository } from '../integrations/persistence/integration.repository';
import { anEventsV2Event } from '../testing/events-v2.testing';
import { AlertDedupRepository } from '../dedup/alert-dedup.repository';
import { AlertIntakeProcessor, INTAKE_MAX_ATTEMPTS } from './alert-intake.processor';
import { AlertIntakeRepository, type AlertIntakeRow } from './alert-intake.repository';

/** What the event store throws when its backend is terminated (pg_terminate_backend, a restart). */
function terminatedBackend(): DatabaseError {
  return Object.assign(new DatabaseError('terminating connection due to administrator command', 0, 'error'), { code: '57P01', severity: 'FATAL' });
}

/** A command bus whose every command meets `error`. */
const failingCommands = (error: unknown) => ({ execute: () => Promise.reject(error) }) as unknown as CommandBus;

const box = new SecretBox(TEST_ENCRYPTION_KEYS);

describe(AlertIntakeProcessor.name, () => {
  let db: TestDatabase;
  let integrationId: string;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    db = await createTestDatabase('alert_intake_processor');
    await runMigrations(db.url, INCIDENT_SERVICE_MIGRATIONS);
    integrationId = randomUUID();
    await db.pool.query(
      `INSERT INTO integrations (id, type, name, service, severity_mapping, credential_hash, created_at) VALUES ($1, 'events-v2', 'prometheus', 'checkout', '{}', $2, now())`,
      [integrationId, randomUUID()],
    );
  });

  afterAll(async () => {
    await db?.drop();
  });

  /** A claimed row (attempt `attempts`, leased for 30 s), as the worker or the request holds it. */
  async function claimedRow(attempts: number): Promise<AlertIntakeRow> {
    const id = randomUUID();
    const body = JSON.stringify(anEventsV2Event('x'.repeat(32), { dedup_key: `key-${id}` }));
    await db.pool.query(
      `INSERT INTO alert_intake (id, integration_id, received_at, headers, raw_body, event_action, dedup_key, verdict, attempts, next_attempt_at)
       VALUES ($1, $2, now(), '{}', $3, 'trigger', $4, 'accepted', $5, now() + interval '30 seconds')`,
      [id, integrationId, body, `key-${id}`, attempts],
    );
    const row = await new AlertIntakeRepository(db.pool, box).findById(id);
    return row!;
  }

  async function stored(id: string) {
    const { rows } = await db.pool.query<{ processed_at: Date | null; attempts: number; error: string | null; retry_in_ms: number }>(
      `SELECT processed_at, attempts, error, (extract(epoch FROM next_attempt_at - now()) * 1000)::float8 AS retry_in_ms FROM alert_intake WHERE id = $1`,
      [id],
    );
    return rows[0]!;
  }

  it('never gives up a row whose last allowed attempt met an unavailable database, and takes that attempt back', async () => {
    const row = await claimedRow(INTAKE_MAX_ATTEMPTS);
    const processor = new AlertIntakeProcessor(failingCommands(terminatedBackend()), new AlertIntakeRepository(db.pool, box), {} as IntegrationRepository, new AlertDedupRepository(db.pool), {});

    await processor.process(row, 'events-v2');

    const after = await stored(row.id);
    expect(after).toMatchObject({ processed_at: null, attempts: INTAKE_MAX_ATTEMPTS - 1, error: expect.stringContaining('terminating connection') });
    expect(after.retry_in_ms).toBeLessThanOrEqual(1_000);
  });

  it('still gives up after the last attempt when the failure is not the database', async () => {
    const row = await claimedRow(INTAKE_MAX_ATTEMPTS);
    const processor = new AlertIntakeProcessor(failingCommands(new Error('handler bug')), new AlertIntakeRepository(db.pool, box), {} as IntegrationRepository, new AlertDedupRepository(db.pool), {});

    await processor.process(row, 'events-v2');

    expect(await stored(row.id)).toMatchObject({ processed_at: expect.any(Date), attempts: INTAKE_MAX_ATTEMPTS, error: 'Error: handler bug' });
  });

  it('records a failure the database was not there to take as soon as it answers again, instead of leaving the row to its 30 s lease', async () => {
    const row = await claimedRow(1);
    const tcpSwitch = await TcpSwitch.start('127.0.0.1', Number(new URL(db.url).port));
    const pool = servicePool(tcpSwitch.route(db.url), { max: 2 });
    try {
      const processor = new AlertIntakeProcessor(failingCommands(terminatedBackend()), new AlertIntakeRepository(pool, box), {} as IntegrationRepository, new AlertDedupRepository(pool), {});
      await tcpSwitch.cut();

      await processor.process(row, 'events-v2');
      await expect(processor.recordPendingFailures()).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      expect((await stored(row.id)).retry_in_ms).toBeGreaterThan(20_000);

      await tcpSwitch.restore();
      await processor.recordPendingFailures();
      const after = await stored(row.id);
      expect(after).toMatchObject({ processed_at: null, attempts: 0 });
      expect(after.retry_in_ms).toBeLessThanOrEqual(1_000);
      await processor.recordPendingFailures(); // nothing left: no second write
      expect((await stored(row.id)).attempts).toBe(0);
    } finally {
      await pool.end();
      await tcpSwitch.close();
    }
  });
});
