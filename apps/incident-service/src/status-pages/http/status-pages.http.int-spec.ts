import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { eventually } from '../../../../../test/support/eventually';
import { createServiceTestApp } from '../../../../../test/support/nest-test-app';
import { createTestDatabase, type TestDatabase } from '../../../../../test/support/test-database';
import { api as adminApi, issueKeyIn, withKey, type AuthedAgent } from '../../../../../test/support/test-credentials';
import { TEST_ENCRYPTION_KEYS } from '../../../../../test/support/test-secrets';
import { TOPICS, type IntegrationEvent, type StatusPageIntegrationEventV1 } from '@fireline/contracts';
import { MESSAGE_TRANSPORT, type MessageTransport } from '@fireline/messaging';
import { IncidentServiceModule } from '../../incident-service.module';
import { MaintenanceTimerWorker } from '../workflows/maintenance-timer.worker';

jest.setTimeout(60_000);

describe('StatusPagesHttpController and the public surface', () => {
  let db: TestDatabase;
  let app: NestFastifyApplication;
  /** As the harness's admin key. */
  let http: AuthedAgent;
  /** No credential: the public surface under /status/ needs none. */
  let anonymous: ReturnType<typeof request>;

  beforeAll(async () => {
    db = await createTestDatabase('status_pages_http');
    app = await createServiceTestApp(
      IncidentServiceModule.register({
        database: { url: db.url, poolSize: 20, migrationsRun: true },
        projections: { pollIntervalMs: 20 },
        statusPages: { publicBaseUrl: 'https://status.example.com', timerPollIntervalMs: 50, cacheRevalidateMs: 0 },
        encryption: TEST_ENCRYPTION_KEYS,
      }),
    );
    http = adminApi(app);
    anonymous = request(app.getHttpServer());
    app.get<MessageTransport>(MESSAGE_TRANSPORT).subscribe({ topic: TOPICS.statusPages, consumer: 'test.status-pages', pool: db.pool, handle: async (event) => void relayed.push(event) });
  });

  const relayed: IntegrationEvent[] = [];

  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  const slugOf = () => `acme-${randomUUID().slice(0, 8)}`;

  async function aPage(name = 'Acme') {
    const slug = slugOf();
    const created = await http.post('/v1/status-pages').send({ slug, name, timeZone: 'Europe/Berlin' });
    expect(created.status).toBe(201);
    const pageId = created.body.page.id as string;
    const api = await http.post(`/v1/status-pages/${pageId}/components`).send({ name: 'API' });
    const web = await http.post(`/v1/status-pages/${pageId}/components`).send({ name: 'Website', description: 'www' });
    expect([api.status, web.status]).toEqual([201, 201]);
    return { slug, pageId, api: api.body.page.components[0].id as string, web: web.body.page.components[1].id as string };
  }

  async function anIncident(title = 'orders-db primary disk full') {
    const declared = await http.post('/v1/incidents').send({ title, severity: 'SEV1', services: ['orders-db'] });
    expect(declared.status).toBe(201);
    return declared.body.id as string;
  }

  const summary = (slug: string) => anonymous.get(`/status/${slug}/api/v2/summary.json`);

  it('refuses status page management without a credential (401) or with too little scope (403); a responder acts as its key', async () => {
    const slug = slugOf();
    const body = { slug, name: 'Scoped', timeZone: 'UTC' };
    const unauthenticated = await anonymous.post('/v1/status-pages').set('x-actor', 'mallory').send(body);
    expect([unauthenticated.status, unauthenticated.body.code]).toEqual([401, 'AUTH.UNAUTHENTICATED']);
    expect((await anonymous.get('/v1/status-pages')).status).toBe(401);
    const viewer = withKey(app.getHttpServer(), (await issueKeyIn(app, { role: 'viewer', name: 'viewer' })).key);
    const responderKey = await issueKeyIn(app, { role: 'responder', name: 'responder' });
    const responder = withKey(app.getHttpServer(), responderKey.key);
    await eventually(async () => expect((await viewer.get('/v1/status-pages')).status).toBe(200));
    const refused = await viewer.post('/v1/status-pages').send(body);
    expect([refused.status, refused.body.code]).toEqual([403, 'AUTH.INSUFFICIENT_SCOPE']);
    const created = await eventually(async () => {
      const response = await responder.post('/v1/status-pages').set('x-actor', 'mallory').send(body);
      expect(response.status).toBe(201);
      return response;
    });
    const pageId = created.body.page.id as string;
    expect((await viewer.get(`/v1/status-pages/${pageId}`)).status).toBe(200);
    expect((await viewer.post(`/v1/status-pages/${pageId}/components`).send({ name: 'API' })).status).toBe(403);
    const { rows } = await db.pool.query<{ actor: string }>("SELECT metadata->>'actor' AS actor FROM events WHERE event_type = 'StatusPageCreated' AND data->>'pageId' = $1", [pageId]);
    expect(rows).toEqual([{ actor: `key:${responderKey.keyId}` }]);
  });

  it('refuses a second page with the same slug, and bad input field by field, never with a 500', async () => {
    const { slug } = await aPage();
    const again = await http.post('/v1/status-pages').send({ slug, name: 'Other', timeZone: 'UTC' });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('STATUS_PAGE.SLUG_TAKEN');
    const bad = await http.post('/v1/status-pages').send({ slug: 'Not A Slug', name: '', timeZone: 'x'.repeat(65) });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['name', 'name', 'slug', 'timeZone']);
    const zone = await http.post('/v1/status-pages').send({ slug: slugOf(), name: 'Zone', timeZone: 'Mars/Olympus_Mons' });
    expect(zone.status).toBe(400);
    expect(zone.body).toMatchObject({ code: 'STATUS_PAGE.INVALID', errors: [{ field: 'timeZone' }] });
    for (const name of ['a\u0000b', 'x\ud800y', 'x\udc00']) {
      const hostile = await http.post('/v1/status-pages').send({ slug: slugOf(), name, timeZone: 'UTC' });
      expect(hostile.status).toBe(400);
      expect(hostile.body.errors).toEqual([{ field: 'name', message: 'name must not contain NUL characters or unpaired UTF-16 surrogates' }]);
    }
  });

  it('shows a published incident, its external updates only, and restores the component when it resolves', async () => {
    const { slug, pageId, api, web } = await aPage();
    const incidentId = await anIncident();
    await http.post(`/v1/incidents/${incidentId}/updates`).send({ audience: 'internal', message: 'primary at 100% disk, failing over' });
    await http.post(`/v1/incidents/${incidentId}/updates`).send({ audience: 'external', message: 'Checkout is failing for some customers.' });
    const published = await http.post(`/v1/status-pages/${pageId}/incidents`).send({ incidentId, name: 'Checkout errors', impacts: [{ componentId: api, status: 'major_outage' }] });
    expect(published.status).toBe(201);
    expect(published.body.page.components.find((c: { id: string }) => c.id === api).status).toBe('major_outage');

    await eventually(async () => {
      const body = (await summary(slug)).body;
      expect(body.status).toEqual({ indicator: 'critical', description: 'Major System Outage' });
      expect(body.incidents).toHaveLength(1);
      expect(body.incidents[0]).toMatchObject({ name: 'Checkout errors', status: 'investigating', impact: 'critical', page_id: pageId });
      expect(body.incidents[0].incident_updates.map((u: { body: string }) => u.body)).toEqual(['Checkout is failing for some customers.']);
    });
    expect(JSON.stringify((await summary(slug)).body)).not.toContain('failing over');

    // A later external update (with an override) and the resolution reach the page through the workflow.
    await http.post(`/v1/incidents/${incidentId}/status`).send({ status: 'mitigating' });
    await http.post(`/v1/incidents/${incidentId}/updates`).send({ audience: 'external', message: 'A fix is rolling out.' });
    await http.post(`/v1/incidents/${incidentId}/updates`).send({ audience: 'external', message: 'We found the cause.', publicStatus: 'identified' });
    await eventually(async () => {
      const incident = (await summary(slug)).body.incidents[0];
      expect(incident.incident_updates.map((u: { status: string }) => u.status)).toEqual(['identified', 'monitoring', 'investigating']);
      expect(incident.monitoring_at).not.toBeNull();
    });
    expect((await http.post(`/v1/incidents/${incidentId}/resolve`).send({ summary: 'internal: grew the volume' })).status).toBe(200);
    await eventually(async () => {
      const body = (await summary(slug)).body;
      expect(body.incidents).toEqual([]);
      expect(body.status.indicator).toBe('none');
      expect(body.components.map((c: { status: string }) => c.status)).toEqual(['operational', 'operational']);
    });
    const all = (await anonymous.get(`/status/${slug}/api/v2/incidents.json`)).body.incidents;
    expect(all[0]).toMatchObject({ status: 'resolved', resolved_at: expect.any(String) });
    expect(JSON.stringify(all)).not.toContain('grew the volume');
    expect(web).toBeTruthy();

    // The versioned integration events a subscriber notifier will consume, with the page's state after each.
    await eventually(() => {
      const mine = relayed.filter((e) => (e.data as { pageId: string }).pageId === pageId) as StatusPageIntegrationEventV1[];
      expect(mine.map((e) => [e.type, 'change' in e.data ? e.data.change : null])).toEqual([
        ['StatusPageIncidentPublished', null],
        ['StatusPageIncidentUpdated', 'update'],
        ['StatusPageComponentStatusChanged', null],
        ['StatusPageIncidentUpdated', 'update'],
        ['StatusPageIncidentUpdated', 'update'],
        ['StatusPageIncidentUpdated', 'resolved'],
        ['StatusPageComponentStatusChanged', null],
      ]);
      expect(mine[2].data).toMatchObject({ component: { id: api, status: 'major_outage' }, oldStatus: 'operational', newStatus: 'major_outage', page: { statusIndicator: 'critical' } });
      expect(mine[5].data).toMatchObject({ incident: { status: 'resolved' }, update: { status: 'resolved', body: 'This incident has been resolved.' } });
      expect(mine.every((e) => e.version === 1 && e.streamId === `status-page-${pageId}`)).toBe(true);
    });
  });

  it('answers every Statuspage v2 resource with ETag, Cache-Control and 304 on If-None-Match', async () => {
    const { slug } = await aPage();
    await eventually(async () => expect((await summary(slug)).body.components).toHaveLength(2));
    for (const path of ['summary', 'status', 'components', 'incidents', 'incidents/unresolved', 'scheduled-maintenances', 'scheduled-maintenances/upcoming', 'scheduled-maintenances/active']) {
      const response = await anonymous.get(`/status/${slug}/api/v2/${path}.json`);
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(response.headers['cache-control']).toBe('public, max-age=10');
      expect(response.headers['access-control-allow-origin']).toBe('*');
      expect(response.body.page).toMatchObject({ name: 'Acme', url: `https://status.example.com/status/${slug}`, time_zone: 'Europe/Berlin' });
      const again = await anonymous.get(`/status/${slug}/api/v2/${path}.json`).set('if-none-match', response.headers.etag);
      expect(again.status).toBe(304);
    }
    const html = await anonymous.get(`/status/${slug}`);
    expect(html.status).toBe(200);
    expect(html.headers['content-type']).toMatch(/^text\/html/);
    expect(html.text).toContain('All Systems Operational');
    expect((await anonymous.get(`/status/${slug}/history.atom`)).headers['content-type']).toMatch(/atom\+xml/);
    expect((await anonymous.get(`/status/${slug}/history.rss`)).text).toContain('<rss');
  });

  it('escapes every stored string in the HTML and the feeds', async () => {
    const { slug, pageId, api } = await aPage('<script>alert(1)</script>');
    const incidentId = await anIncident();
    await http.post(`/v1/incidents/${incidentId}/updates`).send({ audience: 'external', message: '<img src=x onerror=alert(2)> ]]> & more' });
    await http.post(`/v1/status-pages/${pageId}/incidents`).send({ incidentId, name: '"><script>alert(3)</script>', impacts: [{ componentId: api, status: 'partial_outage' }] });
    await eventually(async () => expect((await anonymous.get(`/status/${slug}`)).text).toContain('&lt;img src=x'));
    const page = (await anonymous.get(`/status/${slug}`)).text;
    expect(page).not.toMatch(/<script>alert|<img src=x/);
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    const atom = (await anonymous.get(`/status/${slug}/history.atom`)).text;
    expect(atom).not.toMatch(/<img src=x|<script>alert/);
  });

  it('answers unknown pages with 404 and refuses a bad or future ?at=', async () => {
    expect((await http.get('/status/no-such-page/api/v2/summary.json')).status).toBe(404);
    expect((await http.get('/status/NOT..valid/api/v2/summary.json')).status).toBe(404);
    const html = await http.get('/status/no-such-page').set('accept', 'text/html,application/xhtml+xml');
    expect([html.status, html.headers['content-type']]).toEqual([404, 'text/html; charset=utf-8']);
    const tool = await http.get('/status/no-such-page');
    expect([tool.status, tool.headers['content-type'], tool.body.code]).toEqual([404, 'application/problem+json; charset=utf-8', 'STATUS_PAGE.NOT_FOUND']);
    const { slug } = await aPage();
    expect((await anonymous.get(`/status/${slug}/api/v2/summary.json`).query({ at: 'yesterday' })).body.code).toBe('STATUS_PAGE.INVALID_AT');
    expect((await anonymous.get(`/status/${slug}/api/v2/summary.json`).query({ at: '2999-01-01T00:00:00Z' })).status).toBe(400);
    expect((await anonymous.get(`/status/${slug}/api/v2/summary.json`).query({ at: '2001-01-01T00:00:00Z' })).status).toBe(404);
  });

  it('replays the page as it was at ?at= (before the incident, during it)', async () => {
    const { slug, pageId, api } = await aPage();
    const before = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const incidentId = await anIncident();
    await http.post(`/v1/status-pages/${pageId}/incidents`).send({ incidentId, impacts: [{ componentId: api, status: 'major_outage' }] });
    const during = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await http.post(`/v1/incidents/${incidentId}/resolve`).send({ summary: 'fixed' });
    await eventually(async () => expect((await summary(slug)).body.incidents).toEqual([]));
    const then = await anonymous.get(`/status/${slug}/api/v2/summary.json`).query({ at: during });
    expect(then.status).toBe(200);
    expect(then.body.status.indicator).toBe('critical');
    expect(then.body.incidents[0].name).toBe('orders-db primary disk full');
    expect((await anonymous.get(`/status/${slug}/api/v2/summary.json`).query({ at: before })).body.status.indicator).toBe('none');
    expect((await anonymous.get(`/status/${slug}`).query({ at: during })).text).toContain('replayed from history');
  });

  it('starts and completes a maintenance by its timers exactly once, also when two workers fire at once', async () => {
    const { slug, pageId, api } = await aPage();
    const now = Date.now();
    const scheduled = await http.post(`/v1/status-pages/${pageId}/maintenances`).send({
      name: 'Database upgrade',
      message: 'We will upgrade the database.',
      scheduledFor: new Date(now + 700).toISOString(),
      scheduledUntil: new Date(now + 1_800).toISOString(),
      componentIds: [api],
    });
    expect(scheduled.status).toBe(201);
    const worker = app.get(MaintenanceTimerWorker);
    await eventually(async () => {
      await Promise.all([worker.fireDue(), worker.fireDue()]);
      expect((await anonymous.get(`/status/${slug}/api/v2/scheduled-maintenances/active.json`)).body.scheduled_maintenances).toHaveLength(1);
    });
    expect((await summary(slug)).body.components.find((c: { id: string }) => c.id === api).status).toBe('under_maintenance');
    await eventually(async () => {
      await Promise.all([worker.fireDue(), worker.fireDue()]);
      expect((await anonymous.get(`/status/${slug}/api/v2/scheduled-maintenances.json`)).body.scheduled_maintenances[0].status).toBe('completed');
    });
    const moves = await db.pool.query(`SELECT data->'update'->>'status' AS status FROM events WHERE event_type = 'MaintenanceAdvanced' AND data->>'pageId' = $1 ORDER BY global_position`, [pageId]);
    expect(moves.rows.map((r) => r.status)).toEqual(['in_progress', 'completed']);
    expect((await summary(slug)).body.components.find((c: { id: string }) => c.id === api).status).toBe('operational');
  });
});
