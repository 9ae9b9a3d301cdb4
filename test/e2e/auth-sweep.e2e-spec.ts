import { grantsScope, isScope, SCOPES, type Scope } from '@fireline/auth';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { createPlatformTestApp, type PlatformTestApp } from '../support/platform-test-app';

/** Sequential: about 70 operations, five requests each, on a loaded CI machine. */
jest.setTimeout(60_000);

/** The parts of an OpenAPI 3 operation the sweep reads (as served at `/docs-json`). */
interface Operation {
  security?: Record<string, string[]>[];
  'x-required-scopes'?: string[];
  'x-public'?: string;
  parameters?: { name: string; in: string }[];
  requestBody?: unknown;
}

interface SweptOperation {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  operation: Operation;
}

interface Answer {
  status: number;
  code: string | undefined;
  wwwAuthenticate: string | undefined;
}

const DAY = 86_400_000;

/** A path with every parameter filled with a well-formed id of nothing (API key ids have their own shape). */
function concretePath(path: string): string {
  return path.replace(/\{([^}]+)\}/g, (_, name: string) => (path.startsWith('/v1/api-keys') && name === 'id' ? 'AAAAAAAAAAAA' : name === 'role' ? 'incident_commander' : randomUUID()));
}

/** The strongest key that still lacks every scope `required` needs: all other scopes but `admin`. */
function wrongScopesFor(required: readonly Scope[]): Scope[] {
  return SCOPES.filter((scope) => scope !== 'admin' && !required.some((needed) => grantsScope([scope], needed)));
}

/**
 * Every operation of the platform's own `/docs-json` (so a new route is swept without touching this
 * file) is called five ways: without a credential (401 `AUTH.UNAUTHENTICATED` with `WWW-Authenticate`),
 * with a key lacking its scope (403 `AUTH.INSUFFICIENT_SCOPE`), with an expired key (401
 * `AUTH.KEY_EXPIRED`), with a revoked key (401 `AUTH.KEY_REVOKED`), and with a key holding exactly its
 * scopes (neither 401 nor 403). Public operations must declare `security: []` and answer without
 * credentials (nothing from the auth guard). An operation that declares neither fails the sweep.
 */
describe('auth sweep over every operation (e2e)', () => {
  let platform: PlatformTestApp;
  let operations: SweptOperation[];
  const keys = new Map<string, string>();
  let expiredAdmin: string;
  let revokedAdmin: string;
  const counts = { operations: 0, public: 0, scoped: 0, requests: 0 };

  beforeAll(async () => {
    platform = await createPlatformTestApp('auth_sweep', ['fatal']);
    const document = (await platform.anonymous.get('/docs-json').expect(200)).body as { paths: Record<string, Record<string, Operation>> };
    operations = Object.entries(document.paths).flatMap(([path, item]) =>
      (['get', 'post', 'put', 'patch', 'delete'] as const).filter((method) => item[method]).map((method) => ({ method, path, operation: item[method]! })),
    );
    counts.operations = operations.length;
    const issuedLongAgo = new Date(Date.now() - 30 * DAY);
    expiredAdmin = (await platform.issueKey({ role: 'admin', name: 'expired', now: issuedLongAgo, expiresAt: new Date(issuedLongAgo.getTime() + DAY) })).key;
    const revoked = await platform.issueKey({ role: 'admin', name: 'revoked' });
    revokedAdmin = revoked.key;
    await platform.http.post(`/v1/api-keys/${revoked.keyId}/revoke`).send({ reason: 'auth sweep' }).expect(200);
    const revokedAt = Date.now();
    // incident-service refuses it at once; notification-service and postmortem-service once the relay has carried it.
    expect((await call({ method: 'get', path: '/v1/incidents', operation: {} }, revokedAdmin)).code).toBe('AUTH.KEY_REVOKED');
    const lag: string[] = [];
    for (const path of ['/v1/deliveries', '/v1/action-items']) {
      for (let tries = 0; (await call({ method: 'get', path, operation: {} }, revokedAdmin)).code !== 'AUTH.KEY_REVOKED'; tries++) {
        if (tries > 1_000) throw new Error(`${path} still accepts the revoked key`);
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      lag.push(`${path} ${Date.now() - revokedAt} ms`);
    }
    process.stdout.write(`revocation (platform, in-process relay): incident-service at once; ${lag.join(', ')}\n`);
  });

  afterAll(async () => {
    process.stdout.write(
      `auth sweep: ${counts.operations} operations (${counts.scoped} scoped, ${counts.public} public), ${counts.requests} requests, ` +
        `each scoped one without credential → 401, wrong scope → 403, expired key → 401, revoked key → 401, right scope → neither\n`,
    );
    await platform?.close();
  });

  async function keyWith(scopes: readonly Scope[]): Promise<string> {
    const name = [...scopes].sort().join(' ');
    const cached = keys.get(name);
    if (cached) return cached;
    const { key } = await platform.issueKey({ scopes: [...scopes], name: name.slice(0, 100) || 'none' });
    keys.set(name, key);
    return key;
  }

  async function call(route: SweptOperation, key?: string): Promise<Answer> {
    counts.requests += 1;
    const agent = request(platform.app.getHttpServer());
    const url = concretePath(route.path);
    let test = agent[route.method](url);
    if (key !== undefined) test = test.set('authorization', `Bearer ${key}`);
    const response = route.operation.requestBody !== undefined || route.method === 'post' ? await test.send({}) : await test;
    return { status: response.status, code: (response.body as { code?: string } | undefined)?.code, wwwAuthenticate: response.headers['www-authenticate'] as string | undefined };
  }

  it('finds a declaration on every operation: x-required-scopes with bearer security, or x-public with security: []', () => {
    const undeclared = operations.filter(({ operation }) => {
      const scoped = Array.isArray(operation['x-required-scopes']) && operation['x-required-scopes'].every(isScope) && JSON.stringify(operation.security) === '[{"bearer":[]}]';
      const open = typeof operation['x-public'] === 'string' && Array.isArray(operation.security) && operation.security.length === 0;
      return scoped === open;
    });
    expect(undeclared.map(({ method, path }) => `${method.toUpperCase()} ${path}`)).toEqual([]);
    expect(operations.length).toBeGreaterThan(40);
  });

  it('answers every scoped operation 401 without credential, 403 with the wrong scope, 401 with an expired or revoked key, and lets the right scope through', async () => {
    const wrong: string[] = [];
    for (const route of operations.filter(({ operation }) => Array.isArray(operation['x-required-scopes']))) {
      counts.scoped += 1;
      const required = route.operation['x-required-scopes']!.filter(isScope);
      const name = `${route.method.toUpperCase()} ${route.path}`;
      const expect401 = (answer: Answer, code: string, label: string) => {
        if (answer.status !== 401 || answer.code !== code || !answer.wwwAuthenticate?.startsWith('Bearer')) wrong.push(`${name} ${label}: ${answer.status} ${answer.code}`);
      };
      expect401(await call(route), 'AUTH.UNAUTHENTICATED', 'without credential');
      const wrongScopes = wrongScopesFor(required);
      if (wrongScopes.length > 0) {
        const forbidden = await call(route, await keyWith(wrongScopes));
        if (forbidden.status !== 403 || forbidden.code !== 'AUTH.INSUFFICIENT_SCOPE' || !forbidden.wwwAuthenticate?.includes('insufficient_scope')) {
          wrong.push(`${name} with scopes ${wrongScopes.join(',')}: ${forbidden.status} ${forbidden.code}`);
        }
      }
      expect401(await call(route, expiredAdmin), 'AUTH.KEY_EXPIRED', 'with an expired key');
      expect401(await call(route, revokedAdmin), 'AUTH.KEY_REVOKED', 'with a revoked key');
      const allowed = await call(route, await keyWith(required));
      if (allowed.status === 401 || allowed.status === 403 || allowed.status >= 500) wrong.push(`${name} with ${required.join(',')}: ${allowed.status} ${allowed.code}`);
    }
    expect(wrong).toEqual([]);
    expect(counts.scoped).toBeGreaterThan(35);
  });

  it('answers public operations without a credential, and never with the auth guard’s codes', async () => {
    const wrong: string[] = [];
    for (const route of operations.filter(({ operation }) => typeof operation['x-public'] === 'string')) {
      counts.public += 1;
      const answer = await call(route);
      if (answer.status >= 500 || answer.code?.startsWith('AUTH.')) wrong.push(`${route.method.toUpperCase()} ${route.path}: ${answer.status} ${answer.code}`);
    }
    expect(wrong).toEqual([]);
    expect(counts.public).toBeGreaterThanOrEqual(5);
  });
});
