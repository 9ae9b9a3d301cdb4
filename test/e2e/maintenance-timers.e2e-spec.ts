import request from 'supertest';
import { eventually } from '../support/eventually';
import { freePort, ServiceProcess, stopAll } from '../support/service-process';
import { issueKeyInDatabase, withKey } from '../support/test-credentials';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { TEST_ENCRYPTION_ENV } from '../support/test-secrets';

jest.setTimeout(120_000);

/**
 * Durable maintenance timers across a crash: incident-service (from `dist/`) schedules a maintenance,
 * is killed with SIGKILL before `scheduled_for`, and restarted after it. The start fires on restart,
 * exactly once; the completion fires at `scheduled_until` exactly once although two instances now poll
 * the same timers table.
 */
describe('maintenance timers across a restart (e2e)', () => {
  let db: TestDatabase;
  const processes: ServiceProcess[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('status_page_timers_e2e');
  });

  afterAll(async () => {
    await stopAll(processes);
    await db?.drop();
  });

  async function incidentService(): Promise<ServiceProcess> {
    const port = await freePort();
    const service = new ServiceProcess({
      service: 'incident-service',
      port,
      env: {
        HOST: '127.0.0.1',
        PORT: String(port),
        INCIDENT_DATABASE_URL: db.url,
        PROJECTION_POLL_INTERVAL_MS: '20',
        STATUS_PAGES_TIMER_POLL_INTERVAL_MS: '50',
        STATUS_PAGES_CACHE_REVALIDATE_MS: '0',
        ...TEST_ENCRYPTION_ENV,
      },
    });
    processes.push(service);
    await service.start();
    return service;
  }

  const moves = async (pageId: string) =>
    (
      await db.pool.query<{ status: string; automatic: boolean; actor: string }>(
        `SELECT data->'update'->>'status' AS status, (data->>'automatic')::boolean AS automatic, data->>'by' AS actor
         FROM events WHERE event_type = 'MaintenanceAdvanced' AND data->>'pageId' = $1 ORDER BY global_position`,
        [pageId],
      )
    ).rows;

  it('starts a maintenance due while the service was dead once it is back, and completes it exactly once with two instances', async () => {
    const first = await incidentService();
    // A responder key, issued through the command path into the service's store (its projection picks it up).
    const http = withKey(first.baseUrl, (await issueKeyInDatabase(db.url, { role: 'responder', name: 'timers' })).key);
    const slug = `timers-${Date.now().toString(36)}`;
    const page = await eventually(async () => {
      const created = await http.post('/v1/status-pages').send({ slug, name: 'Timers', timeZone: 'UTC' });
      expect(created.status).toBe(201);
      return created;
    });
    const pageId = page.body.page.id as string;
    const component = await http.post(`/v1/status-pages/${pageId}/components`).send({ name: 'Database' });
    const componentId = component.body.page.components[0].id as string;
    const scheduledFor = new Date(Date.now() + 3_000);
    const scheduledUntil = new Date(scheduledFor.getTime() + 4_000);
    const maintenance = await http
      .post(`/v1/status-pages/${pageId}/maintenances`)
      .send({ name: 'Failover drill', message: 'Planned failover.', scheduledFor: scheduledFor.toISOString(), scheduledUntil: scheduledUntil.toISOString(), componentIds: [componentId] });
    expect(maintenance.status).toBe(201);
    // The timers are durable once the projection has written them.
    await eventually(async () => expect((await db.pool.query('SELECT kind FROM status_page_timers WHERE page_id = $1 ORDER BY kind', [pageId])).rows).toEqual([{ kind: 'complete' }, { kind: 'start' }]));

    await first.kill();
    await new Promise((resolve) => setTimeout(resolve, scheduledFor.getTime() - Date.now() + 500));
    expect(await moves(pageId)).toEqual([]);

    const second = await incidentService();
    await eventually(async () => expect(await moves(pageId)).toEqual([{ status: 'in_progress', automatic: true, actor: 'system:status-page-timers' }]));
    const restartedAt = Date.now();
    expect(restartedAt).toBeGreaterThan(scheduledFor.getTime());
    // The read model follows the event store (eventually).
    await eventually(async () => {
      const active = await request(second.baseUrl).get(`/status/${page.body.page.slug}/api/v2/scheduled-maintenances/active.json`);
      expect(active.body.scheduled_maintenances.map((m: { status: string }) => m.status)).toEqual(['in_progress']);
    });
    await eventually(async () => {
      const components = (await request(second.baseUrl).get(`/status/${page.body.page.slug}/api/v2/components.json`)).body.components;
      expect(components[0].status).toBe('under_maintenance');
    });

    await incidentService(); // a second instance polls the same timers
    await eventually(async () => expect((await moves(pageId)).map((m) => m.status)).toEqual(['in_progress', 'completed']), 15_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await moves(pageId)).map((m) => m.status)).toEqual(['in_progress', 'completed']);
    expect((await db.pool.query('SELECT count(*)::int AS n FROM status_page_timers WHERE page_id = $1', [pageId])).rows[0].n).toBe(0);
  });
});
