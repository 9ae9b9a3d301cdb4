import { DEFAULT_AUTH_CONFIG } from '@fireline/auth';
import { DEFAULT_HTTP_SERVER_LIMITS } from '@fireline/config';
import { LocalIdentityProvider, signingKey, type SigningKey } from '@fireline/auth/testing/local-identity-provider';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { createServiceTestApp } from '../../../../../test/support/nest-test-app';
import { issueKeyIn, withKey } from '../../../../../test/support/test-credentials';
import { createTestDatabase, type TestDatabase } from '../../../../../test/support/test-database';
import { TEST_ENCRYPTION_KEYS } from '../../../../../test/support/test-secrets';
import { IncidentServiceModule } from '../../incident-service.module';

// 600+ requests per rate-limit test: correctness, not speed (bench/ measures speed); 5 s is too tight on a shared 2-core machine.
jest.setTimeout(30_000);

const incidentService = (db: TestDatabase) => IncidentServiceModule.register({ database: { url: db.url, poolSize: 10, migrationsRun: true }, projections: { pollIntervalMs: 20 }, encryption: TEST_ENCRYPTION_KEYS });

describe('OIDC bearer tokens over HTTP', () => {
  const idp = new LocalIdentityProvider();
  let rsa: SigningKey;
  let db: TestDatabase;
  let app: NestFastifyApplication;
  const bearer = (token: string) => request(app.getHttpServer()).post('/v1/incidents').set('authorization', `Bearer ${token}`);

  beforeAll(async () => {
    await idp.start();
    rsa = await signingKey('rsa-1', 'RS256');
    idp.published = [rsa, await signingKey('ec-1', 'ES256')];
    db = await createTestDatabase('oidc_http');
    app = await createServiceTestApp(incidentService(db), 64 * 1024, {
      ...DEFAULT_AUTH_CONFIG,
      oidc: { issuer: idp.issuer, audience: 'fireline', jwksUrl: null, clockSkewS: 30, rolesClaim: 'groups', scopesClaim: 'scope', roleMap: { 'sre-oncall': 'responder', viewers: 'viewer' } },
    });
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
    await idp.stop();
  });

  it('lets a responder token declare an incident, recorded as user:<sub>', async () => {
    const declared = await bearer(await idp.token(rsa, { groups: ['sre-oncall'] }, { sub: 'alice@example.com' })).send({ title: 'OIDC', severity: 'SEV3' });
    expect(declared.status).toBe(201);
    expect(declared.body.declaredBy).toBe('user:alice@example.com');
  });

  it.each([
    ['a viewer token', { groups: ['viewers'] }, {}, 403, 'AUTH.INSUFFICIENT_SCOPE'],
    ['an expired token', { groups: ['sre-oncall'] }, { exp: Math.floor(Date.now() / 1000) - 120 }, 401, 'AUTH.TOKEN_EXPIRED'],
    ['a token for another audience', { groups: ['sre-oncall'] }, { aud: 'grafana' }, 401, 'AUTH.TOKEN_INVALID'],
    ['a token from another issuer', { groups: ['sre-oncall'] }, { iss: 'https://evil.example.com' }, 401, 'AUTH.TOKEN_INVALID'],
  ])('refuses %s', async (_, claims, options, status, code) => {
    const refused = await bearer(await idp.token(rsa, claims, options)).send({ title: 'OIDC', severity: 'SEV3' });
    expect([refused.status, refused.body.code]).toEqual([status, code]);
  });

  it('refuses an unsigned (alg none) token that claims admin', async () => {
    const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const forged = `${b64({ alg: 'none' })}.${b64({ sub: 'mallory', iss: idp.issuer, aud: 'fireline', exp: Math.floor(Date.now() / 1000) + 300, scope: 'admin', groups: ['sre-oncall'] })}.`;
    const refused = await bearer(forged).send({ title: 'forged', severity: 'SEV1' });
    expect([refused.status, refused.body.code]).toEqual([401, 'AUTH.TOKEN_INVALID']);
  });
});

describe('rate limits with the default settings', () => {
  let db: TestDatabase;
  let app: NestFastifyApplication;

  beforeAll(async () => {
    db = await createTestDatabase('auth_limits');
    app = await createServiceTestApp(incidentService(db), 64 * 1024, DEFAULT_AUTH_CONFIG);
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('answers the 601st request of one key within a minute 429 with Retry-After and RateLimit headers; another key is not affected', async () => {
    const busy = withKey(app.getHttpServer(), (await issueKeyIn(app, { role: 'viewer' })).key);
    const answers: request.Response[] = [];
    for (let batch = 0; batch < 60; batch++) answers.push(...(await Promise.all(Array.from({ length: 10 }, () => busy.get('/v1/dashboard')))));
    expect(answers.filter((answer) => answer.status !== 200).map((answer) => answer.status)).toEqual([]);
    expect(new Set(answers.map((answer) => answer.headers['ratelimit-limit']))).toEqual(new Set(['600']));
    // Each answer says how many are left: 599 down to 0, once each.
    expect(answers.map((answer) => Number(answer.headers['ratelimit-remaining'])).sort((a, b) => a - b)).toEqual(Array.from({ length: 600 }, (_, i) => i));
    const throttled = await busy.get('/v1/dashboard');
    expect(throttled.status).toBe(429);
    expect(throttled.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(throttled.body).toMatchObject({ code: 'RATE_LIMIT.EXCEEDED', status: 429 });
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThanOrEqual(50);
    expect(throttled.headers).toMatchObject({ 'ratelimit-limit': '600', 'ratelimit-remaining': '0', 'ratelimit-reset': throttled.headers['retry-after'] });
    const other = await withKey(app.getHttpServer(), (await issueKeyIn(app, { role: 'viewer' })).key).get('/v1/dashboard');
    expect(other.status).toBe(200);
    expect(other.headers['ratelimit-remaining']).toBe('599');
  });

  it('after 20 refused credentials from one address answers 429 before checking, even a valid key, for a minute', async () => {
    const valid = (await issueKeyIn(app, { role: 'viewer' })).key;
    const guess = (await issueKeyIn(app, { role: 'viewer' })).key.replace(/.{20}$/, 'A'.repeat(20));
    const answers: string[] = [];
    for (let i = 0; i < 21; i++) answers.push((await withKey(app.getHttpServer(), guess).get('/v1/incidents')).body.code as string);
    expect(new Set(answers)).toEqual(new Set(['AUTH.TOKEN_INVALID']));
    const blocked = await withKey(app.getHttpServer(), valid).get('/v1/incidents');
    expect(blocked.status).toBe(429);
    expect(blocked.body.code).toBe('AUTH.TOO_MANY_FAILURES');
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThanOrEqual(55);
    // Public routes (probes, alert receivers) are not behind it.
    expect((await request(app.getHttpServer()).post('/v2/enqueue').send({})).status).toBe(400);
  });
});

describe('the failed-authentication limit behind a proxy (HTTP_TRUST_PROXY=1)', () => {
  let db: TestDatabase;
  let app: NestFastifyApplication;

  beforeAll(async () => {
    db = await createTestDatabase('auth_limits_proxy');
    app = await createServiceTestApp(incidentService(db), 64 * 1024, DEFAULT_AUTH_CONFIG, { ...DEFAULT_HTTP_SERVER_LIMITS, trustProxy: 1 });
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('blocks the client the proxy names, not every client behind the proxy', async () => {
    const valid = (await issueKeyIn(app, { role: 'viewer' })).key;
    const from = (client: string, key: string) => withKey(app.getHttpServer(), key).get('/v1/incidents?limit=1').set('x-forwarded-for', client);
    for (let i = 0; i < 21; i++) await from('198.51.100.7', `${valid.slice(0, -1)}${valid.endsWith('A') ? 'B' : 'A'}`);
    expect((await from('198.51.100.7', valid)).body.code).toBe('AUTH.TOO_MANY_FAILURES');
    expect((await from('203.0.113.20', valid)).status).toBe(200);
  });
});
