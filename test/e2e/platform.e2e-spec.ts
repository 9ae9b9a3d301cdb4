import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { verifyFirelineSignature } from '../../apps/notification-service/src/notifications/channels/webhook-signature';
import { IncidentSubscriptions } from '../../apps/incident-service/src/incident-service.subscriptions';
import { eventually } from '../support/eventually';
import { startLocalHttpReceiver, type LocalHttpReceiver } from '../support/local-http-receiver';
import { createPlatformTestApp, type PlatformTestApp } from '../support/platform-test-app';
import type { TestDatabase } from '../support/test-database';

/**
 * The composed platform (all three services, in-process transport, three databases) driven over HTTP
 * the way a user would: a SEV1 from declaration to drafted postmortem, with real webhook receivers.
 */
describe('Fireline platform (e2e)', () => {
  let platform: PlatformTestApp | undefined;
  let incidentDb: TestDatabase;
  let notificationDb: TestDatabase;
  let app: NestFastifyApplication;
  let http: ReturnType<typeof request>;
  let webhook: LocalHttpReceiver;
  let slack: LocalHttpReceiver;

  beforeAll(async () => {
    platform = await createPlatformTestApp('e2e', ['error']);
    ({ app, http, incidentDb, notificationDb } = platform);
    webhook = await startLocalHttpReceiver();
    slack = await startLocalHttpReceiver();
  });

  afterAll(async () => {
    await platform?.close();
    await webhook?.close();
    await slack?.close();
  });

  it('runs a SEV1 from declaration to a drafted postmortem, notifying exactly once per event, even when events are redelivered', async () => {
    const service = `orders-db-${randomUUID().slice(0, 6)}`;
    const webhookRule = await http
      .post('/v1/notification-rules')
      .send({ name: 'on-call', match: { severities: ['SEV1', 'SEV2'], services: [service] }, channel: { type: 'webhook', url: webhook.url } });
    expect(webhookRule.status).toBe(201);
    const secret = webhookRule.body.channel.secret as string;
    expect(secret).toBeTruthy();
    const slackRule = await http
      .post('/v1/notification-rules')
      .send({ name: '#inc', match: { services: [service], eventTypes: ['IncidentDeclared', 'IncidentResolved'] }, channel: { type: 'slack', webhookUrl: slack.url } });
    expect(slackRule.status).toBe(201);

    const declared = await http
      .post('/v1/incidents')
      .send({ title: 'orders-db primary disk full', severity: 'SEV2', services: [service, 'checkout'], detectionSource: 'alert:PostgresDiskFull' });
    expect(declared.status).toBe(201);
    const id = declared.body.id as string;
    const steps: [string, string, object?][] = [
      ['post', 'acknowledge'],
      ['put', 'roles/incident_commander', { assignee: 'dana' }],
      ['post', 'severity', { severity: 'SEV1', reason: 'all writes failing' }],
      ['post', 'status', { status: 'investigating' }],
      ['post', 'status', { status: 'identified', note: 'stale replication slot retains WAL' }],
      ['post', 'updates', { audience: 'internal', message: 'dropping the slot' }],
      ['post', 'updates', { audience: 'external', message: 'Checkout is failing; fix in progress' }],
      ['post', 'status', { status: 'mitigating' }],
      ['post', 'resolve', { summary: 'dropped the slot, grew the volume' }],
    ];
    for (const [method, path, body] of steps) {
      const response = await (method === 'put' ? http.put(`/v1/incidents/${id}/${path}`) : http.post(`/v1/incidents/${id}/${path}`)).send(body);
      expect([200, 201]).toContain(response.status);
    }
    const eventCount = steps.length + 1;

    const postmortem = await eventually(async () => {
      const list = await http.get('/v1/postmortems').query({ incidentId: id });
      expect(list.body.items).toHaveLength(1);
      const full = await http.get(`/v1/postmortems/${list.body.items[0].id}`);
      expect(full.body.timeline).toHaveLength(eventCount);
      return full.body;
    });
    const incident = (await http.get(`/v1/incidents/${id}`)).body;
    expect(postmortem).toMatchObject({ incidentId: id, status: 'draft', title: expect.stringContaining('orders-db primary disk full') });
    expect(Date.parse(postmortem.dueAt) - Date.parse(incident.resolvedAt)).toBe(48 * 3600 * 1000);
    expect(postmortem.timeline.map((e: { type: string }) => e.type)).toEqual([
      'IncidentDeclared',
      'IncidentAcknowledged',
      'IncidentRoleAssigned',
      'IncidentSeverityChanged',
      'IncidentStatusChanged',
      'IncidentStatusChanged',
      'IncidentStatusUpdatePosted',
      'IncidentStatusUpdatePosted',
      'IncidentStatusChanged',
      'IncidentResolved',
    ]);

    // Every event matched the webhook rule (SEV2 then SEV1, on the service); Slack only declared + resolved.
    const deliveries = await eventually(async () => {
      const page = await http.get('/v1/deliveries').query({ incidentId: id, limit: 100 });
      expect(page.body.items).toHaveLength(eventCount + 2);
      expect(page.body.items.every((d: { status: string }) => d.status === 'delivered')).toBe(true);
      return page.body.items;
    });
    expect(webhook.requests).toHaveLength(eventCount);
    expect(slack.requests).toHaveLength(2);
    for (const received of webhook.requests) expect(verifyFirelineSignature(secret, received.rawBody, received.headers, 300)).toBe(true);
    expect(new Set(deliveries.map((d: { eventId: string; ruleId: string }) => `${d.ruleId}:${d.eventId}`)).size).toBe(deliveries.length);

    // Redeliver everything: rewind the relay's checkpoint so every incident event is published again.
    const relay = app.get(IncidentSubscriptions).relay;
    await relay.stop();
    await incidentDb.pool.query(`DELETE FROM subscription_checkpoints WHERE name LIKE 'relay:%'`);
    expect(await relay.catchUp()).toBeGreaterThanOrEqual(eventCount);
    relay.start();
    const after = await http.get('/v1/deliveries').query({ incidentId: id, limit: 100 });
    expect(after.body.items).toHaveLength(eventCount + 2);
    expect(webhook.requests).toHaveLength(eventCount);
    expect(slack.requests).toHaveLength(2);
    const list = await http.get('/v1/postmortems').query({ incidentId: id });
    expect(list.body.items).toHaveLength(1);
    const { rows } = await notificationDb.pool.query('SELECT count(*)::int AS n FROM inbox');
    expect(rows[0].n).toBeGreaterThanOrEqual(eventCount);
  });

  it('makes every POST safe to retry with Idempotency-Key, across services', async () => {
    const key = randomUUID();
    const body = { title: 'Retried declaration', severity: 'SEV3', services: ['search'] };
    const [first, second] = await Promise.all([http.post('/v1/incidents').set('idempotency-key', key).send(body), http.post('/v1/incidents').set('idempotency-key', key).send(body)]);
    expect(first.status).toBe(201);
    expect(second.body.id).toBe(first.body.id);
    const reused = await http.post('/v1/incidents').set('idempotency-key', key).send({ ...body, title: 'Another' });
    expect(reused.status).toBe(422);
    expect(reused.body.code).toBe('IDEMPOTENCY.KEY_REUSED');

    const ruleKey = randomUUID();
    const rule = { name: 'retried rule', channel: { type: 'slack', webhookUrl: slack.url }, match: { services: ['nowhere'] } };
    const created = await http.post('/v1/notification-rules').set('idempotency-key', ruleKey).send(rule);
    const replayed = await http.post('/v1/notification-rules').set('idempotency-key', ruleKey).send(rule);
    expect(replayed.body.id).toBe(created.body.id);
    const rules = await http.get('/v1/notification-rules');
    expect(rules.body.items.filter((r: { name: string }) => r.name === 'retried rule')).toHaveLength(1);
  });

  it('serialises concurrent writers on one incident: nothing lost, stale If-Match refused', async () => {
    const { body } = await http.post('/v1/incidents').send({ title: 'Busy incident', severity: 'SEV2' });
    const writes = await Promise.all([
      ...Array.from({ length: 6 }, (_, i) => http.post(`/v1/incidents/${body.id}/notes`).send({ text: `note ${i}` })),
      ...Array.from({ length: 4 }, (_, i) => http.post(`/v1/incidents/${body.id}/updates`).send({ audience: 'internal', message: `update ${i}` })),
      http.post(`/v1/incidents/${body.id}/acknowledge`),
    ]);
    expect(writes.every((w) => w.status === 200 || w.status === 201)).toBe(true);
    const incident = await http.get(`/v1/incidents/${body.id}`);
    expect(incident.body).toMatchObject({ noteCount: 6, updateCount: 4, version: 12 });
    expect(incident.body.acknowledgedAt).not.toBeNull();

    const racers = await Promise.all(
      Array.from({ length: 5 }, (_, i) => http.post(`/v1/incidents/${body.id}/severity`).set('if-match', '"12"').send({ severity: 'SEV1', reason: `racer ${i}` })),
    );
    expect(racers.filter((r) => r.status === 200)).toHaveLength(1);
    expect(racers.filter((r) => r.status === 412)).toHaveLength(4);
  });

  it('refuses oversize and non-JSON bodies with 413 and 415 problems', async () => {
    const big = await http.post('/v1/incidents').send({ title: 'x', severity: 'SEV1', description: 'y'.repeat(70 * 1024) });
    expect(big.status).toBe(413);
    expect(big.body.code).toBe('REQUEST.BODY_TOO_LARGE');
    const text = await http.post('/v1/notification-rules').set('content-type', 'text/plain').send('name=x');
    expect(text.status).toBe(415);
    expect(text.headers['content-type']).toContain('application/problem+json');
  });

  it('serves Swagger UI and an OpenAPI document naming every public path', async () => {
    const document = await http.get('/docs-json');
    expect(document.status).toBe(200);
    expect(Object.keys(document.body.paths)).toEqual(
      expect.arrayContaining([
        '/v1/incidents',
        '/v1/incidents/{id}',
        '/v1/incidents/{id}/timeline',
        '/v1/incidents/{id}/acknowledge',
        '/v1/incidents/{id}/status',
        '/v1/incidents/{id}/severity',
        '/v1/incidents/{id}/roles/{role}',
        '/v1/incidents/{id}/notes',
        '/v1/incidents/{id}/updates',
        '/v1/incidents/{id}/resolve',
        '/v1/incidents/{id}/close',
        '/v1/dashboard',
        '/v1/notification-rules',
        '/v1/deliveries',
        '/v1/postmortems',
        '/v1/postmortems/{id}',
        '/v1/postmortems/{id}/action-items',
        '/v1/action-items',
      ]),
    );
    const ui = await http.get('/docs');
    expect(ui.status).toBe(200);
    expect(ui.text).toContain('swagger');
  });

  it('reports readiness per service with relay backlog and subscription lag, and the same as Prometheus metrics', async () => {
    const ready = await http.get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe('ok');
    expect(ready.body.transport).toMatchObject({ transport: 'in-process', up: true });
    const services = ready.body.services as { name: string; database: { up: boolean }; subscriptions: { name: string; kind: string }[] }[];
    expect(services.map((s) => s.name)).toEqual(['incident-service', 'notification-service', 'postmortem-service']);
    expect(services.every((s) => s.database.up)).toBe(true);
    // incident-service: incident summaries, status-page views and timers, API keys; the incident, status-page and access relays; three workflows
    // (alert incidents, status-page updates, closing incidents that need no postmortem).
    expect(services[0].subscriptions.map((s) => s.kind).sort()).toEqual(['projection', 'projection', 'projection', 'projection', 'relay', 'relay', 'relay', 'workflow', 'workflow', 'workflow']);
    expect((await http.get('/health/live')).status).toBe(200);

    // Once the earlier tests' events are relayed, the backlog is zero everywhere.
    await eventually(async () => {
      const status = (await http.get('/health/ready')).body as { services: { relayBacklog: number; subscriptions: { behind: number }[] }[] };
      expect(status.services.flatMap((s) => [s.relayBacklog, ...s.subscriptions.map((sub) => sub.behind)]).every((n) => n === 0)).toBe(true);
    });
    const metrics = await http.get('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.headers['content-type']).toContain('text/plain');
    expect(metrics.text).toMatch(/^fireline_ready 1$/m);
    expect(metrics.text).toMatch(/^fireline_relay_backlog_events\{service="incident-service"\} 0$/m);
    expect(metrics.text).not.toContain('fireline_relay_backlog_events{service="notification-service"}'); // it has no relay
    expect(metrics.text).toMatch(/^fireline_database_up\{service="postmortem-service"\} 1$/m);
    expect(metrics.text).toMatch(/^# TYPE fireline_notification_deliveries gauge$/m);
    // Every delivery of this test processed; the intake queue is empty.
    expect(metrics.text).toMatch(/^fireline_alert_intake_unprocessed\{service="incident-service",state="due"\} 0$/m);
    expect(metrics.text).toMatch(/^fireline_alert_intake_admissions\{service="incident-service",outcome="processed"\} \d+$/m);
    expect(metrics.text).toMatch(/^process_resident_memory_bytes \d+/m);
  });

  it.each([
    ['POST', '/v1/incidents', '{"title":'],
    ['POST', '/v1/notification-rules', '{"name":"x","channel":{"type":"webhook","url":"ftp://nope"}}'],
    ['PATCH', `/v1/postmortems/${randomUUID()}`, '{"rootCause": 42}'],
    ['POST', `/v1/postmortems/${randomUUID()}/action-items`, '{"title":""}'],
    ['GET', '/v1/action-items?overdue=perhaps', undefined],
    ['GET', '/v1/deliveries?incidentId=not-a-uuid', undefined],
  ])('answers %s %s with a 4xx problem, never a 500', async (method, path, body) => {
    const call = http[method.toLowerCase() as 'post' | 'patch' | 'get'](path);
    const response = body === undefined ? await call : await call.set('content-type', 'application/json').send(body);
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(typeof response.body.code).toBe('string');
  });

  it('answers unknown routes with a 404 problem', async () => {
    const response = await http.get('/v1/nothing-here');
    expect(response.status).toBe(404);
    expect(response.body.code).toBe('ROUTE.NOT_FOUND');
  });
});
