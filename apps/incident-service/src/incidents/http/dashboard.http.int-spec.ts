import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { CommandBus } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { createServiceTestApp } from '../../../../../test/support/nest-test-app';
import { api, type AuthedAgent } from '../../../../../test/support/test-credentials';
import { createTestDatabase, type TestDatabase } from '../../../../../test/support/test-database';
import { TEST_ENCRYPTION_KEYS } from '../../../../../test/support/test-secrets';
import { IncidentServiceModule } from '../../incident-service.module';
import { IncidentSubscriptions } from '../../incident-service.subscriptions';
import { ExecuteIncidentCommand } from '../application/execute-incident.command';
import type { IncidentCommand } from '../domain/incident.commands';
import { IncidentWorkflows } from '../workflows/incident-workflows';
import { DashboardHttpController } from './dashboard.http.controller';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { INCIDENT_DATA_SOURCE } from '../../incident-service.tokens';
import { AddIncidentSummaryAutoResolved1732000003300 } from '../projections/incident-summary-auto-resolved.migration';

const BOT = 'integration:0b6f3c1e-5d7a-4f2e-9c8b-1a2b3c4d5e6f';

/**
 * The dashboard's `autoResolved` filter (issue 11 point 8): 40 minute-long alert incidents that only
 * their integration touched dominate MTTR; `autoResolved=exclude` leaves them out.
 */
describe(DashboardHttpController.name, () => {
  let db: TestDatabase;
  let app: NestFastifyApplication;
  let http: AuthedAgent;
  const service = `dash-${randomUUID().slice(0, 8)}`;
  const short: string[] = [];
  const long: string[] = [];
  let reopened: string;

  const run = (command: IncidentCommand) => app.get(CommandBus).execute(new ExecuteIncidentCommand(command));
  const t0 = Date.now();
  const ago = (minutes: number) => new Date(t0 - minutes * 60_000);
  const meta = (actor: string, at: Date) => ({ now: at, actor, correlationId: randomUUID() });

  async function incident(id: string, actor: string, severity: 'SEV2' | 'SEV4', source: string, declaredAt: Date) {
    await run({ type: 'DeclareIncident', data: { incidentId: id, title: `t ${id}`, description: '', severity, services: [service], detectionSource: source }, metadata: meta(actor, declaredAt) });
  }
  const resolve = (id: string, actor: string, at: Date) => run({ type: 'ResolveIncident', data: { incidentId: id, summary: 'Alert resolved' }, metadata: meta(actor, at) });
  const settle = async () => {
    await app.get(IncidentWorkflows).closeWhenPostmortemNotRequired.catchUp();
    await app.get(IncidentSubscriptions).summary.catchUp();
  };

  beforeAll(async () => {
    db = await createTestDatabase('incident_dashboard');
    app = await createServiceTestApp(
      IncidentServiceModule.register({ database: { url: db.url, poolSize: 10, migrationsRun: true }, projections: { pollIntervalMs: 20 }, encryption: TEST_ENCRYPTION_KEYS }),
    );
    http = api(app);
    // 40 alert incidents, one minute each, that only the integration touched.
    for (let i = 0; i < 40; i++) {
      const id = randomUUID();
      short.push(id);
      await incident(id, BOT, 'SEV4', 'alert:prometheus', ago(300 + i));
      await resolve(id, BOT, ago(299 + i));
    }
    // 2 incidents people worked on for two hours: one declared by hand, one alert a human acknowledged.
    long.push(randomUUID(), randomUUID());
    await incident(long[0], 'key:responder', 'SEV2', 'manual', ago(600));
    await resolve(long[0], 'key:responder', ago(480));
    await incident(long[1], BOT, 'SEV4', 'alert:prometheus', ago(600));
    await run({ type: 'AcknowledgeIncident', data: { incidentId: long[1] }, metadata: meta('key:responder', ago(599)) });
    await resolve(long[1], BOT, ago(480));
    // Auto-resolved, then reopened by a human: no longer auto-resolved (and not resolved).
    reopened = randomUUID();
    await incident(reopened, BOT, 'SEV4', 'alert:prometheus', ago(200));
    await resolve(reopened, BOT, ago(199));
    await run({ type: 'ReopenIncident', data: { incidentId: reopened, reason: 'still broken' }, metadata: meta('key:responder', ago(198)) });
    await settle();
  }, 120_000);

  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  it('leaves the auto-resolved alert incidents out of MTTR and MTTA with autoResolved=exclude, and says how many', async () => {
    const included = await http.get('/v1/dashboard');
    expect(included.status).toBe(200);
    const excluded = await http.get('/v1/dashboard').query({ autoResolved: 'exclude' });
    expect(excluded.status).toBe(200);
    const withShort = included.body.mttr.byService[service];
    const withoutShort = excluded.body.mttr.byService[service];
    console.log(`dashboard MTTR over 40 one-minute auto-resolved + 2 two-hour incidents: mean ${withShort.meanSeconds} s (p50 ${withShort.p50Seconds} s) included, ${withoutShort.meanSeconds} s excluded`);
    expect(withShort).toEqual({ count: 42, meanSeconds: 400, p50Seconds: 60, p90Seconds: expect.any(Number) });
    expect(withoutShort).toEqual({ count: 2, meanSeconds: 7200, p50Seconds: 7200, p90Seconds: 7200 });
    expect(included.body.autoResolved).toEqual({ filter: 'include', excludedFromMtta: 0, excludedFromMttr: 0 });
    expect(excluded.body.autoResolved).toEqual({ filter: 'exclude', excludedFromMtta: 0, excludedFromMttr: 40 });
    expect(excluded.body.mtta.byService[service]).toMatchObject({ count: 1, meanSeconds: 60 });
  });

  it('answers 400 problem+json for an unknown autoResolved value', async () => {
    const response = await http.get('/v1/dashboard').query({ autoResolved: 'maybe' });
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.body.code).toBe('REQUEST.INVALID');
    expect(response.body.errors.map((e: { field: string }) => e.field)).toEqual(['autoResolved']);
  });

  it('flags auto-resolved incidents on the list (closed without a postmortem, still auto-resolved) and filters on it', async () => {
    const list = await http.get('/v1/incidents').query({ service, limit: 100 });
    const byId = new Map((list.body.items as { id: string; autoResolved: boolean; status: string }[]).map((i) => [i.id, i]));
    expect(short.map((id) => byId.get(id))).toEqual(short.map(() => expect.objectContaining({ autoResolved: true, status: 'closed' })));
    expect([...long, reopened].map((id) => byId.get(id)?.autoResolved)).toEqual([false, false, false]);
    const humanOnly = await http.get('/v1/incidents').query({ service, limit: 100, autoResolved: 'exclude' });
    expect((humanOnly.body.items as { id: string }[]).map((i) => i.id).sort()).toEqual([...long, reopened].sort());
    const autoOnly = await http.get('/v1/incidents').query({ service, limit: 100, autoResolved: 'only' });
    expect(autoOnly.body.items).toHaveLength(40);
    expect((await http.get('/v1/incidents').query({ autoResolved: 'yes' })).status).toBe(400);
  });

  it('computes the same flags when the read model is rebuilt from the events', async () => {
    const flags = async () => (await db.pool.query('SELECT id, auto_resolved, human_acted FROM incident_summaries ORDER BY id')).rows;
    const before = await flags();
    expect(before.filter((r) => r.auto_resolved)).toHaveLength(40);
    await db.pool.query('UPDATE incident_summaries SET auto_resolved = NOT auto_resolved, human_acted = NOT human_acted');
    const rebuilt = await http.post('/v1/admin/incident-service/projections/incident-service.incident-summaries/rebuild');
    expect(rebuilt.status).toBe(200);
    expect(await flags()).toEqual(before);
  });

  it('fills the flags of rows written before the migration from the events, as the projection computes them', async () => {
    const flags = async () => (await db.pool.query('SELECT id, auto_resolved, human_acted FROM incident_summaries ORDER BY id')).rows;
    const before = await flags();
    const runner = app.get<DataSource>(getDataSourceToken(INCIDENT_DATA_SOURCE)).createQueryRunner();
    try {
      const migration = new AddIncidentSummaryAutoResolved1732000003300();
      await migration.down(runner);
      await migration.up(runner);
    } finally {
      await runner.release();
    }
    expect(await flags()).toEqual(before);
  });
});
