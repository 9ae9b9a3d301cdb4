import { adminActorOf, api, type AuthedAgent } from '../../../../../test/support/test-credentials';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import { eventually } from '../../../../../test/support/eventually';
import { createServiceTestApp } from '../../../../../test/support/nest-test-app';
import { createTestDatabase, type TestDatabase } from '../../../../../test/support/test-database';
import { EventStore } from '@fireline/event-store';
import { TEST_ENCRYPTION_KEYS } from '../../../../../test/support/test-secrets';
import { IncidentServiceModule } from '../../incident-service.module';
import { incidentStreamId, INCIDENT_STREAM_TYPE } from '../application/incident-stream';
import { IncidentSubscriptions } from '../../incident-service.subscriptions';
import { aTimelineNoteAdded, anIncidentDeclared } from '../testing/incident.factories';

describe('IncidentsHttpController', () => {
  let db: TestDatabase;
  let app: NestFastifyApplication;
  let http: AuthedAgent;

  beforeAll(async () => {
    db = await createTestDatabase('incident_http');
    app = await createServiceTestApp(
      IncidentServiceModule.register({ database: { url: db.url, poolSize: 20, migrationsRun: true }, projections: { pollIntervalMs: 20 }, encryption: TEST_ENCRYPTION_KEYS }),
    );
    http = api(app);
  });

  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  const declare = (overrides: Record<string, unknown> = {}) =>
    http
      .post('/v1/incidents')
      .send({ title: 'Checkout latency', severity: 'SEV2', services: ['checkout'], description: 'p99 > 5 s', ...overrides });

  it('declares an incident with 201, Location and ETag, and serves it back from its events', async () => {
    const created = await declare();
    expect(created.status).toBe(201);
    expect(created.headers.etag).toBe('"1"');
    expect(created.headers.location).toBe(`/v1/incidents/${created.body.id}`);
    expect(created.body).toMatchObject({ title: 'Checkout latency', severity: 'SEV2', status: 'detected', declaredBy: adminActorOf(app), version: 1 });

    const fetched = await http.get(`/v1/incidents/${created.body.id}`);
    expect(fetched.status).toBe(200);
    expect(fetched.headers.etag).toBe('"1"');
    expect(fetched.body).toEqual(created.body);
  });

  it('runs the whole lifecycle and records every step on the timeline', async () => {
    const { body } = await declare({ severity: 'SEV3' });
    const id = body.id as string;
    expect((await http.post(`/v1/incidents/${id}/acknowledge`)).status).toBe(200);
    expect((await http.put(`/v1/incidents/${id}/roles/incident-commander`).send({ assignee: 'carol' })).body.roles.incident_commander).toBe('carol');
    expect((await http.post(`/v1/incidents/${id}/severity`).send({ severity: 'SEV1', reason: 'all regions' })).body.severity).toBe('SEV1');
    for (const status of ['investigating', 'identified', 'mitigating']) {
      const moved = await http.post(`/v1/incidents/${id}/status`).send({ status });
      expect(moved.status).toBe(200);
      expect(moved.body.status).toBe(status);
    }
    expect((await http.post(`/v1/incidents/${id}/notes`).send({ text: 'failover started' })).status).toBe(201);
    expect((await http.post(`/v1/incidents/${id}/updates`).send({ audience: 'external', message: 'We are mitigating' })).body.lastStatusUpdate.external.message).toBe(
      'We are mitigating',
    );
    const resolved = await http.post(`/v1/incidents/${id}/resolve`).send({ summary: 'failed over' });
    expect(resolved.body).toMatchObject({ status: 'resolved', resolutionSummary: 'failed over' });
    const closed = await http.post(`/v1/incidents/${id}/close`);
    expect(closed.body.status).toBe('closed');

    const timeline = await http.get(`/v1/incidents/${id}/timeline`);
    expect(timeline.body.items.map((e: { kind: string }) => e.kind)).toEqual([
      'IncidentDeclared',
      'IncidentAcknowledged',
      'IncidentRoleAssigned',
      'IncidentSeverityChanged',
      'IncidentStatusChanged',
      'IncidentStatusChanged',
      'IncidentStatusChanged',
      'TimelineNoteAdded',
      'StatusUpdatePosted',
      'IncidentResolved',
      'IncidentClosed',
    ]);
    expect(timeline.body.items[3].summary).toContain('SEV3');
  });

  it('rejects an illegal transition with 409 and a stable code', async () => {
    const { body } = await declare();
    await http.post(`/v1/incidents/${body.id}/status`).send({ status: 'mitigating' });
    const back = await http.post(`/v1/incidents/${body.id}/status`).send({ status: 'detected' });
    expect(back.status).toBe(409);
    expect(back.headers['content-type']).toContain('application/problem+json');
    expect(back.body).toMatchObject({ status: 409, code: 'INCIDENT.ILLEGAL_TRANSITION' });
    const close = await http.post(`/v1/incidents/${body.id}/close`);
    expect(close.body.code).toBe('INCIDENT.NOT_RESOLVED');
  });

  it('answers 404 problem+json for an unknown incident', async () => {
    const response = await http.post(`/v1/incidents/${randomUUID()}/acknowledge`);
    expect(response.status).toBe(404);
    expect(response.body.code).toBe('INCIDENT.NOT_FOUND');
  });

  it('honours If-Match: 412 on a stale version, success on the current one', async () => {
    const { body } = await declare();
    const stale = await http.post(`/v1/incidents/${body.id}/acknowledge`).set('if-match', '"0"');
    expect(stale.status).toBe(412);
    expect(stale.body.code).toBe('STREAM.WRONG_EXPECTED_VERSION');
    const fresh = await http.post(`/v1/incidents/${body.id}/acknowledge`).set('if-match', '"1"');
    expect(fresh.status).toBe(200);
    expect(fresh.headers.etag).toBe('"2"');
  });

  it('loses no update when many writers change one incident at once', async () => {
    const { body } = await declare();
    const notes = Array.from({ length: 12 }, (_, i) => http.post(`/v1/incidents/${body.id}/notes`).send({ text: `note ${i}` }));
    const responses = await Promise.all(notes);
    expect(responses.map((r) => r.status)).toEqual(Array(12).fill(201));
    const fetched = await http.get(`/v1/incidents/${body.id}`);
    expect(fetched.body.noteCount).toBe(12);
    expect(fetched.body.version).toBe(13);
  });

  it('replays the first response for a repeated Idempotency-Key, and refuses the key for another body', async () => {
    const key = randomUUID();
    const first = await declare({ title: 'Idempotent' }).set('idempotency-key', key);
    const again = await declare({ title: 'Idempotent' }).set('idempotency-key', key);
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers['idempotency-replayed']).toBe('true');
    const other = await declare({ title: 'Something else' }).set('idempotency-key', key);
    expect(other.status).toBe(422);
    expect(other.body.code).toBe('IDEMPOTENCY.KEY_REUSED');
  });

  it('keeps long Idempotency-Keys apart even when they share a 200-character prefix', async () => {
    const prefix = 'k'.repeat(200);
    const a = await declare({ title: 'Long key A' }).set('idempotency-key', `${prefix}-a-${randomUUID()}`);
    const b = await declare({ title: 'Long key B' }).set('idempotency-key', `${prefix}-b-${randomUUID()}`);
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.body.id).not.toBe(a.body.id);
    const tooLong = await declare().set('idempotency-key', 'x'.repeat(256));
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.code).toBe('REQUEST.INVALID_IDEMPOTENCY_KEY');
  });

  it('creates one incident when the same Idempotency-Key arrives concurrently', async () => {
    const key = randomUUID();
    const responses = await Promise.all(Array.from({ length: 8 }, () => declare({ title: 'Concurrent' }).set('idempotency-key', key)));
    const ids = new Set(responses.map((r) => r.body.id));
    expect(responses.every((r) => r.status === 201)).toBe(true);
    expect(ids.size).toBe(1);
    const [id] = [...ids];
    const { rows } = await db.pool.query('SELECT count(*)::int AS n FROM events WHERE stream_id = $1', [`incident-${id}`]);
    expect(rows[0].n).toBe(1);
  });

  it('returns the incident as it was at asOf', async () => {
    const { body } = await declare();
    const between = new Date();
    await new Promise((r) => setTimeout(r, 5));
    await http.post(`/v1/incidents/${body.id}/status`).send({ status: 'identified' });
    const then = await http.get(`/v1/incidents/${body.id}`).query({ asOf: between.toISOString() });
    expect(then.body.status).toBe('detected');
    expect(then.headers.etag).toBe('"1"');
    const before = await http.get(`/v1/incidents/${body.id}`).query({ asOf: '2000-01-01T00:00:00Z' });
    expect(before.status).toBe(404);
    const bad = await http.get(`/v1/incidents/${body.id}`).query({ asOf: 'yesterday' });
    expect(bad.status).toBe(400);
  });

  it('lists incidents from the read model with filters and stable cursor pagination', async () => {
    const service = `svc-${randomUUID().slice(0, 8)}`;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await declare({ services: [service], severity: i % 2 ? 'SEV1' : 'SEV4' })).body.id);
    await app.get(IncidentSubscriptions).summary.catchUp();
    const first = await http.get('/v1/incidents').query({ service, limit: 2 });
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(2);
    const second = await http.get('/v1/incidents').query({ service, limit: 2, cursor: first.body.nextCursor });
    const third = await http.get('/v1/incidents').query({ service, limit: 2, cursor: second.body.nextCursor });
    const seen = [...first.body.items, ...second.body.items, ...third.body.items].map((i: { id: string }) => i.id);
    expect(new Set(seen)).toEqual(new Set(ids));
    expect(third.body.nextCursor).toBeNull();
    expect(Object.keys(first.body.items[0]).sort()).toEqual(
      ['acknowledgedAt', 'autoResolved', 'commander', 'declaredAt', 'id', 'resolvedAt', 'services', 'severity', 'status', 'title'].sort(),
    );
    const sev1 = await http.get('/v1/incidents').query({ service, severity: 'SEV1', status: 'open' });
    expect(sev1.body.items).toHaveLength(2);
    expect((await http.get('/v1/incidents').query({ cursor: 'garbage' })).status).toBe(400);
    expect((await http.get('/v1/incidents').query({ status: 'sleeping' })).status).toBe(400);
  });

  it('computes MTTA and MTTR on the dashboard', async () => {
    const service = `dash-${randomUUID().slice(0, 8)}`;
    const { body } = await declare({ services: [service], severity: 'SEV1' });
    await http.post(`/v1/incidents/${body.id}/acknowledge`);
    await http.post(`/v1/incidents/${body.id}/resolve`).send({ summary: 'done' });
    await app.get(IncidentSubscriptions).summary.catchUp();
    const dashboard = await eventually(async () => {
      const response = await http.get('/v1/dashboard');
      expect(response.body.mttr.byService[service]?.count).toBe(1);
      return response.body;
    });
    expect(dashboard.mtta.byService[service].count).toBe(1);
    expect(dashboard.mttr.byService[service].meanSeconds).toBeGreaterThanOrEqual(0);
    expect(dashboard.open.total).toBeGreaterThanOrEqual(0);
    expect((await http.get('/v1/dashboard').query({ windowDays: 0 })).status).toBe(400);
  });

  describe('bad input', () => {
    it.each([
      ['malformed JSON', '{"title": ', 'REQUEST.MALFORMED_JSON'],
      ['an unknown field', JSON.stringify({ title: 't', severity: 'SEV1', colour: 'red' }), 'REQUEST.INVALID'],
      ['a wrong type', JSON.stringify({ title: 42, severity: 'SEV1' }), 'REQUEST.INVALID'],
      ['an unknown severity', JSON.stringify({ title: 't', severity: 'SEV9' }), 'REQUEST.INVALID'],
      ['a blank title', JSON.stringify({ title: '   ', severity: 'SEV1' }), 'REQUEST.INVALID'],
    ])('answers 400 problem+json for %s', async (_name, payload, code) => {
      const response = await http.post('/v1/incidents').set('content-type', 'application/json').send(payload);
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.body.code).toBe(code);
    });

    it('lists every field error', async () => {
      const response = await http.post('/v1/incidents').send({ title: 42, severity: 'SEV9' });
      const fields = response.body.errors.map((e: { field: string }) => e.field);
      expect(fields).toEqual(expect.arrayContaining(['title', 'severity']));
    });

    it('answers 413 for an oversize body', async () => {
      const response = await http.post('/v1/incidents').send({ title: 't', severity: 'SEV1', description: 'x'.repeat(100 * 1024) });
      expect(response.status).toBe(413);
      expect(response.body.code).toBe('REQUEST.BODY_TOO_LARGE');
    });

    it('answers 400 for an id that is not a UUID and for an unknown role', async () => {
      expect((await http.get('/v1/incidents/123')).status).toBe(400);
      const { body } = await declare();
      const role = await http.put(`/v1/incidents/${body.id}/roles/janitor`).send({ assignee: 'x' });
      expect(role.status).toBe(400);
      expect(role.body.code).toBe('REQUEST.INVALID_ROLE');
    });

    it('answers 415 for a body that is not JSON', async () => {
      const response = await http.post('/v1/incidents').set('content-type', 'text/plain').send('hello');
      expect(response.status).toBe(415);
    });
  });
});

describe('SubscriptionsAdminController (incident-service)', () => {
  let db: TestDatabase;
  let app: NestFastifyApplication;
  let http: AuthedAgent;

  beforeAll(async () => {
    db = await createTestDatabase('incident_admin');
    app = await createServiceTestApp(
      IncidentServiceModule.register({ database: { url: db.url, poolSize: 10, migrationsRun: true }, projections: { pollIntervalMs: 20 }, encryption: TEST_ENCRYPTION_KEYS }),
    );
    http = api(app);
  });

  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  it('reports each subscription with its lag, and rebuilds a damaged read model from the events', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await http.post('/v1/incidents').send({ title: `rebuild ${i}`, severity: 'SEV3' })).body.id);
    await http.post(`/v1/incidents/${ids[0]}/resolve`).send({ summary: 'fixed' });
    await app.get(IncidentSubscriptions).summary.catchUp();
    const statuses = await eventually(async () => {
      const response = await http.get('/v1/admin/incident-service/subscriptions');
      expect(response.body.items.every((s: { behind: number }) => s.behind === 0)).toBe(true);
      return response.body.items;
    });
    expect(statuses.map((s: { name: string; kind: string }) => `${s.kind}:${s.name}`).sort()).toEqual([
      'projection:projection:incident-service.api-keys',
      'projection:projection:incident-service.incident-summaries',
      'projection:projection:incident-service.status-page-timers',
      'projection:projection:incident-service.status-page-views',
      'relay:relay:incident-service.access',
      'relay:relay:incident-service.incidents',
      'relay:relay:incident-service.status-pages',
      'workflow:workflow:close-incident-when-postmortem-not-required',
      'workflow:workflow:open-incident-when-alert-triggered',
      'workflow:workflow:update-status-page-when-incident-changed',
    ]);

    // Damage the read model: lose a row and corrupt another.
    await db.pool.query('DELETE FROM incident_summaries WHERE id = $1', [ids[1]]);
    await db.pool.query(`UPDATE incident_summaries SET status = 'detected', resolved_at = NULL WHERE id = $1`, [ids[0]]);
    const rebuilt = await http.post('/v1/admin/incident-service/projections/incident-service.incident-summaries/rebuild');
    expect(rebuilt.status).toBe(200);
    expect(rebuilt.body.eventsApplied).toBe(4);
    const { rows } = await db.pool.query('SELECT id, status, resolved_at IS NOT NULL AS resolved FROM incident_summaries ORDER BY declared_at');
    expect(rows).toEqual([
      { id: ids[0], status: 'resolved', resolved: true },
      { id: ids[1], status: 'detected', resolved: false },
      { id: ids[2], status: 'detected', resolved: false },
    ]);
    const list = await http.get('/v1/incidents').query({ status: 'resolved' });
    expect(list.body.items.map((i: { id: string }) => i.id)).toEqual([ids[0]]);

    const unknown = await http.post('/v1/admin/incident-service/projections/nope/rebuild');
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('PROJECTION.NOT_FOUND');
  });

  it('answers 409 PROJECTION.REBUILD_IN_PROGRESS to rebuilds sent while one runs, and leaves the read model intact', async () => {
    // Enough events that one rebuild outlasts the arrival of the other nine.
    const store = new EventStore(db.pool);
    const ids = Array.from({ length: 3_000 }, () => randomUUID());
    for (let i = 0; i < ids.length; i += 100) {
      await Promise.all(
        ids.slice(i, i + 100).map((id) =>
          store.appendToStream(incidentStreamId(id), [{ type: 'IncidentDeclared', data: anIncidentDeclared({ incidentId: id, title: `seeded ${id}` }).data }], {
            streamType: INCIDENT_STREAM_TYPE,
            expectedVersion: 'no_stream',
          }),
        ),
      );
    }
    const countRows = async () => (await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM incident_summaries')).rows[0]!.n;
    const declared = (await db.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM events WHERE event_type = 'IncidentDeclared'")).rows[0]!.n;

    const path = '/v1/admin/incident-service/projections/incident-service.incident-summaries/rebuild';
    const answers = await Promise.all(Array.from({ length: 10 }, () => http.post(path)));
    const statuses = answers.map((a) => a.status).sort();
    process.stdout.write(`10 concurrent rebuilds: ${statuses.join(' ')}\n`);
    expect(statuses).toEqual([200, ...Array<number>(9).fill(409)]);
    expect(answers.filter((a) => a.status === 409).every((a) => a.body.code === 'PROJECTION.REBUILD_IN_PROGRESS')).toBe(true);

    // The one rebuild that ran replayed every incident; the refused ones touched nothing.
    expect(await countRows()).toBe(declared);
    const tables = await db.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_tables WHERE tablename LIKE 'incident_summaries%'");
    expect(tables.rows[0]!.n).toBe(1);
    // Free again once it is done.
    expect((await http.post(path)).status).toBe(200);
  }, 60_000);
});

describe('GetIncidentTimelineHandler (over HTTP)', () => {
  let db: TestDatabase;
  let app: NestFastifyApplication;
  let http: AuthedAgent;

  beforeAll(async () => {
    db = await createTestDatabase('incident_timeline');
    app = await createServiceTestApp(
      IncidentServiceModule.register({ database: { url: db.url, poolSize: 10, migrationsRun: true }, projections: { pollIntervalMs: 20 }, encryption: TEST_ENCRYPTION_KEYS }),
    );
    http = api(app);
  });

  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  it('pages a 4,000-event timeline by stream version instead of answering it in one response', async () => {
    const { body } = await http.post('/v1/incidents').send({ title: 'Long-running incident', severity: 'SEV2' });
    const id = body.id as string;
    const notes = Array.from({ length: 3_999 }, (_, i) => ({
      type: 'TimelineNoteAdded',
      data: aTimelineNoteAdded({ incidentId: id, noteId: `note-${i}`, text: `Observation ${i}: ${'replica lag graph attached; '.repeat(15)}` }).data,
    }));
    await new EventStore(db.pool).appendToStream(incidentStreamId(id), notes, { streamType: INCIDENT_STREAM_TYPE, expectedVersion: 1 });

    const first = await http.get(`/v1/incidents/${id}/timeline`);
    expect(first.status).toBe(200);
    process.stdout.write(`timeline of 4,000 events: first answer ${first.text.length} bytes, ${(first.body.items ?? first.body.entries).length} entries\n`);
    expect(first.body.items).toHaveLength(50);
    expect(first.body.items[0]).toMatchObject({ version: 1, kind: 'IncidentDeclared' });
    expect(typeof first.body.nextCursor).toBe('string');

    const versions: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await http.get(`/v1/incidents/${id}/timeline`).query({ limit: 100, ...(cursor ? { cursor } : {}) });
      expect(page.status).toBe(200);
      versions.push(...(page.body.items as { version: number }[]).map((e) => e.version));
      cursor = page.body.nextCursor as string | null;
      pages++;
    } while (cursor !== null);
    expect(pages).toBe(40);
    expect(versions).toEqual(Array.from({ length: 4_000 }, (_, i) => i + 1));
    expect((await http.get(`/v1/incidents/${id}/timeline`).query({ limit: 101 })).status).toBe(400);
  }, 60_000);
});
