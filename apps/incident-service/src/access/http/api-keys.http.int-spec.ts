import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { eventually } from '../../../../../test/support/eventually';
import { createServiceTestApp } from '../../../../../test/support/nest-test-app';
import { adminActorOf, api, issueKeyIn, withKey } from '../../../../../test/support/test-credentials';
import { createTestDatabase, type TestDatabase } from '../../../../../test/support/test-database';
import { TEST_ENCRYPTION_KEYS } from '../../../../../test/support/test-secrets';
import { IncidentServiceModule } from '../../incident-service.module';
import { AccessSubscriptions } from '../projections/access-subscriptions';

const DAY = 86_400_000;

describe('ApiKeysHttpController', () => {
  let db: TestDatabase;
  let app: NestFastifyApplication;
  const anonymous = () => request(app.getHttpServer());

  beforeAll(async () => {
    db = await createTestDatabase('api_keys_http');
    app = await createServiceTestApp(IncidentServiceModule.register({ database: { url: db.url, poolSize: 10, migrationsRun: true }, projections: { pollIntervalMs: 20 }, encryption: TEST_ENCRYPTION_KEYS }));
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  it('creates a key shown in that answer only, stores only its sha256, and the key works at once', async () => {
    const created = await api(app).post('/v1/api-keys').send({ name: 'ci', role: 'viewer' });
    expect(created.status).toBe(201);
    const key = created.body.key as string;
    expect(key).toMatch(/^flk_[0-9A-Za-z]{56}$/);
    expect(created.headers.location).toBe(`/v1/api-keys/${created.body.id}`);
    expect(created.body).toMatchObject({ id: key.slice(4, 16), prefix: key.slice(0, 16), name: 'ci', role: 'viewer', status: 'active', createdBy: adminActorOf(app), lastUsedAt: null });
    expect(Math.round((Date.parse(created.body.expiresAt) - Date.now()) / DAY)).toBe(90);

    const fetched = await api(app).get(`/v1/api-keys/${created.body.id}`);
    expect(fetched.status).toBe(200);
    expect(fetched.body.key).toBeUndefined();
    const { rows } = await db.pool.query<{ text: string }>(`SELECT data::text || metadata::text AS text FROM events WHERE stream_id = $1`, [`api-key-${created.body.id}`]);
    expect(rows.map((row) => row.text).join()).not.toContain(key.slice(16));

    const used = await withKey(app.getHttpServer(), key).get('/v1/incidents?limit=1');
    expect(used.status).toBe(200);
    expect(used.headers['ratelimit-limit']).toBeDefined();
    expect((await withKey(app.getHttpServer(), key).post('/v1/incidents').send({ title: 'x', severity: 'SEV3' })).status).toBe(403);
    // Written after the answer (at most once a minute per key), not on the request's path.
    await eventually(async () => expect(Date.parse((await api(app).get(`/v1/api-keys/${created.body.id}`)).body.lastUsedAt)).toBeGreaterThan(Date.now() - 60_000));
  });

  it('replays a create sent again with its Idempotency-Key without the key, and creates nothing new', async () => {
    const idempotencyKey = randomUUID();
    const first = await api(app).post('/v1/api-keys').set('idempotency-key', idempotencyKey).send({ name: 'retried', scopes: ['incidents:read'] });
    const again = await api(app).post('/v1/api-keys').set('idempotency-key', idempotencyKey).send({ name: 'retried', scopes: ['incidents:read'] });
    expect([first.status, again.status]).toEqual([201, 201]);
    expect(first.body.key).toMatch(/^flk_/);
    expect(again.body.key).toBeUndefined();
    expect(again.body.id).toBe(first.body.id);
  });

  it('refuses another credential reusing an Idempotency-Key (422), instead of replaying the first caller’s answer', async () => {
    const idempotencyKey = randomUUID();
    const body = { name: 'shared-key', scopes: ['incidents:read'] };
    expect((await api(app).post('/v1/api-keys').set('idempotency-key', idempotencyKey).send(body)).status).toBe(201);
    const other = withKey(app.getHttpServer(), (await issueKeyIn(app, { role: 'admin' })).key);
    const reused = await other.post('/v1/api-keys').set('idempotency-key', idempotencyKey).send(body);
    expect(reused.status).toBe(422);
    expect(reused.body.code).toBe('IDEMPOTENCY.KEY_REUSED');
  });

  it('revokes a key: refused by incident-service from the next request, with the reason recorded; revoking again is harmless', async () => {
    const { key, keyId } = await issueKeyIn(app, { role: 'responder' });
    expect((await withKey(app.getHttpServer(), key).get('/v1/incidents?limit=1')).status).toBe(200);
    const revoked = await api(app).post(`/v1/api-keys/${keyId}/revoke`).send({ reason: 'left the team' });
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ status: 'revoked', revokedBy: adminActorOf(app), revokeReason: 'left the team' });
    const refused = await withKey(app.getHttpServer(), key).get('/v1/incidents?limit=1');
    expect(refused.status).toBe(401);
    expect(refused.body).toMatchObject({ code: 'AUTH.KEY_REVOKED' });
    expect(refused.headers['www-authenticate']).toMatch(/^Bearer realm="fireline", error="invalid_token"/);
    expect((await api(app).post(`/v1/api-keys/${keyId}/revoke`).send({ reason: 'again' })).status).toBe(200);
    expect((await api(app).post(`/v1/api-keys/${keyId}/revoke`).send({})).body.code).toBe('REQUEST.INVALID');
  });

  it('refuses an expired key with 401 AUTH.KEY_EXPIRED', async () => {
    const issuedAt = new Date(Date.now() - 10 * DAY);
    const { key } = await issueKeyIn(app, { role: 'admin', now: issuedAt, expiresAt: new Date(issuedAt.getTime() + DAY) });
    const refused = await withKey(app.getHttpServer(), key).get('/v1/incidents');
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe('AUTH.KEY_EXPIRED');
  });

  it('never lets a key grant more than its creator holds', async () => {
    const { key } = await issueKeyIn(app, { scopes: ['keys:admin', 'incidents:read'] });
    const keyAdmin = withKey(app.getHttpServer(), key);
    const escalation = await keyAdmin.post('/v1/api-keys').send({ name: 'root', role: 'admin' });
    expect(escalation.status).toBe(403);
    expect(escalation.body).toMatchObject({ code: 'API_KEY.SCOPE_NOT_HELD', missingScopes: ['admin'] });
    expect((await keyAdmin.post('/v1/api-keys').send({ name: 'reader', scopes: ['incidents:read'] })).status).toBe(201);
  });

  it.each([
    ['no scope and no role', { name: 'x' }, 'scopes'],
    ['an expiry in the past', { name: 'x', role: 'viewer', expiresAt: '2020-01-01T00:00:00Z' }, 'expiresAt'],
    ['an expiry beyond the 365-day cap', { name: 'x', role: 'viewer', expiresAt: new Date(Date.now() + 400 * DAY).toISOString() }, 'expiresAt'],
    ['an unknown scope', { name: 'x', scopes: ['root'] }, 'scopes'],
    ['an unknown role', { name: 'x', role: 'owner' }, 'role'],
  ])('refuses %s with 400 naming the field', async (_, body, field) => {
    const refused = await api(app).post('/v1/api-keys').send(body);
    expect(refused.status).toBe(400);
    expect(refused.body.errors.map((error: { field: string }) => error.field)).toContain(field);
  });

  it('lists keys newest first, paged, without secrets, and answers 404 / 400 for unknown or malformed ids', async () => {
    await api(app).post('/v1/api-keys').send({ name: 'list-a', role: 'viewer' });
    await api(app).post('/v1/api-keys').send({ name: 'list-b', role: 'viewer' });
    await app.get(AccessSubscriptions).apiKeys.catchUp();
    const first = await api(app).get('/v1/api-keys?limit=1');
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(1);
    expect(first.body.items[0].name).toBe('list-b');
    const second = await api(app).get(`/v1/api-keys?limit=1&cursor=${first.body.nextCursor}`);
    expect(second.body.items[0].name).toBe('list-a');
    expect(JSON.stringify(first.body) + JSON.stringify(second.body)).not.toMatch(/flk_[0-9A-Za-z]{56}|hashedSecret/);
    expect((await api(app).get('/v1/api-keys/AAAAAAAAAAAA')).body.code).toBe('API_KEY.NOT_FOUND');
    expect((await api(app).get('/v1/api-keys/not-a-key')).body.code).toBe('REQUEST.INVALID_ID');
  });

  it('records every key change in the audit log, hash masked, for audit:read only', async () => {
    const { keyId } = await issueKeyIn(app, { role: 'viewer', name: 'audited' });
    await api(app).post(`/v1/api-keys/${keyId}/revoke`).send({ reason: 'audit test' });
    const log = await api(app).get('/v1/admin/incident-service/audit-events').query({ resourceType: 'api-key', resourceId: keyId });
    expect(log.status).toBe(200);
    expect(log.body.items.map((entry: { type: string; actor: string }) => [entry.type, entry.actor])).toEqual([
      ['ApiKeyRevoked', adminActorOf(app)],
      ['ApiKeyIssued', 'system:test'],
    ]);
    expect(log.body.items[1].details).toMatchObject({ keyId, name: 'audited', hashedSecret: '***', role: 'viewer' });
    const viewer = await issueKeyIn(app, { role: 'viewer' });
    expect((await withKey(app.getHttpServer(), viewer.key).get('/v1/admin/incident-service/audit-events')).status).toBe(200);
    const responder = await issueKeyIn(app, { scopes: ['incidents:write'] });
    expect((await withKey(app.getHttpServer(), responder.key).get('/v1/admin/incident-service/audit-events')).body.code).toBe('AUTH.INSUFFICIENT_SCOPE');
    expect((await anonymous().get('/v1/admin/incident-service/audit-events')).status).toBe(401);
  });
});
