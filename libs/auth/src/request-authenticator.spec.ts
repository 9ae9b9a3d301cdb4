import { AuthenticationError, PermissionError, RateLimitedError } from '@fireline/errors';
import { ThrottlerStorageService } from '@nestjs/throttler';
import { generateApiKey, type IssuedApiKey } from './api-key-token';
import type { ApiKeyStore, StoredApiKey } from './api-key-store';
import { DEFAULT_AUTH_CONFIG, type AuthConfig } from './auth.config';
import type { AuthPolicy } from './auth-policy';
import { AuthRateLimits } from './auth-rate-limits';
import { RequestAuthenticator, type AuthRequest } from './request-authenticator';
import type { Scope } from './scopes';

const NOW = new Date('2025-06-01T12:00:00.000Z');
const DAY = 86_400_000;

/** An in-memory `ApiKeyStore` that counts its reads and recorded uses. */
class FakeStore implements ApiKeyStore {
  readonly keys = new Map<string, StoredApiKey>();
  reads = 0;
  readonly uses: { keyId: string; at: Date }[] = [];

  add(scopes: Scope[], overrides: Partial<StoredApiKey> = {}): IssuedApiKey {
    const issued = generateApiKey();
    this.keys.set(issued.keyId, { keyId: issued.keyId, hashedSecret: issued.hashedSecret, scopes, expiresAt: new Date(NOW.getTime() + 90 * DAY), revokedAt: null, ...overrides });
    return issued;
  }

  async find(keyId: string): Promise<StoredApiKey | null> {
    this.reads += 1;
    return this.keys.get(keyId) ?? null;
  }

  async recordUse(keyId: string, at: Date): Promise<void> {
    this.uses.push({ keyId, at });
  }
}

const WRITE: AuthPolicy = { kind: 'scopes', scopes: ['incidents:write'] };
const READ: AuthPolicy = { kind: 'scopes', scopes: ['incidents:read'] };

describe(RequestAuthenticator.name, () => {
  let storage: ThrottlerStorageService;
  let store: FakeStore;
  const logged: string[] = [];

  function authenticator(overrides: Partial<AuthConfig> = {}): RequestAuthenticator {
    const config = { ...DEFAULT_AUTH_CONFIG, ...overrides };
    return new RequestAuthenticator(config, new AuthRateLimits(storage, config.rateLimits), null, { warn: (m) => logged.push(`warn ${m}`), error: (m) => logged.push(`error ${m}`) });
  }

  const request = (authorization?: string, clientAddress = '10.0.0.1'): AuthRequest => ({ method: 'POST', path: '/v1/incidents', authorization, clientAddress });
  const bearer = (key: string) => `Bearer ${key}`;

  beforeEach(() => {
    storage = new ThrottlerStorageService();
    store = new FakeStore();
    logged.length = 0;
  });
  afterEach(() => storage.onApplicationShutdown());

  it('lets a key with the scope through as key:<id>, and records its use', async () => {
    const key = store.add(['incidents:write']);
    const outcome = await authenticator().authorize(WRITE, request(bearer(key.key)), store, NOW);
    expect(outcome.principal).toEqual({ actor: `key:${key.keyId}`, kind: 'key', scopes: ['incidents:write'] });
    expect(outcome.rateLimit).toEqual({ limit: 600, remaining: 599, resetS: 60 });
    expect(store.uses).toEqual([{ keyId: key.keyId, at: NOW }]);
  });

  it('records a key use at most once a minute', async () => {
    const key = store.add(['incidents:read']);
    const auth = authenticator();
    for (let second = 0; second < 150; second += 1) await auth.authorize(READ, request(bearer(key.key)), store, new Date(NOW.getTime() + second * 1000));
    expect(store.uses.map((use) => use.at.getTime() - NOW.getTime())).toEqual([0, 60_000, 120_000]);
  });

  it('records the use in each service’s own store: a use in one does not hide a use in another', async () => {
    const key = store.add(['incidents:read']);
    const other = new FakeStore();
    other.keys.set(key.keyId, store.keys.get(key.keyId)!);
    const auth = authenticator();
    await auth.authorize(READ, request(bearer(key.key)), other, NOW);
    await auth.authorize(READ, request(bearer(key.key)), store, new Date(NOW.getTime() + 1000));
    expect([other.uses.length, store.uses.length]).toEqual([1, 1]);
  });

  it('rejects a request without a credential with 401 AUTH.UNAUTHENTICATED, without counting it as a failure', async () => {
    const auth = authenticator({ rateLimits: { perCredentialPerMinute: 600, authFailuresPerMinute: 1 } });
    for (let i = 0; i < 3; i += 1) await expect(auth.authorize(WRITE, request(undefined), store, NOW)).rejects.toMatchObject({ code: 'AUTH.UNAUTHENTICATED' });
    expect(store.reads).toBe(0);
  });

  it.each([
    ['a Basic credential', 'Basic YWRtaW46YWRtaW4='],
    ['a bearer that is neither a key nor a JWT', 'Bearer hunter2'],
    ['a key with a typo (checksum)', 'TYPO'],
    ['a JWT while no identity provider is configured', 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9.'],
  ])('rejects %s with 401 AUTH.TOKEN_INVALID, without reading the store', async (_, header) => {
    const key = store.add(['admin']);
    // One character changed (to one it is not already: with a fixed 'x', 1 key in 62 had no typo at all).
    const typo = key.key[20] === 'x' ? 'y' : 'x';
    const authorization = header === 'TYPO' ? bearer(`${key.key.slice(0, 20)}${typo}${key.key.slice(21)}`) : header;
    const refused = await authenticator().authorize(WRITE, request(authorization), store, NOW).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(AuthenticationError);
    expect(refused).toMatchObject({ code: 'AUTH.TOKEN_INVALID' });
    expect(store.reads).toBe(0);
  });

  it('rejects a well-formed key that was never issued, and one whose secret differs, alike', async () => {
    const real = store.add(['admin']);
    const unknown = generateApiKey();
    const sameIdOtherSecret = generateApiKey();
    store.keys.set(real.keyId, { ...store.keys.get(real.keyId)!, hashedSecret: sameIdOtherSecret.hashedSecret });
    const auth = authenticator();
    const answers = await Promise.all([unknown.key, real.key].map((key) => auth.authorize(WRITE, request(bearer(key)), store, NOW).catch((error: unknown) => error)));
    expect(answers.map((a) => [(a as AuthenticationError).code, (a as AuthenticationError).message])).toEqual([
      ['AUTH.TOKEN_INVALID', 'Unknown API key'],
      ['AUTH.TOKEN_INVALID', 'Unknown API key'],
    ]);
  });

  it('rejects a revoked key with 401 AUTH.KEY_REVOKED and an expired one with AUTH.KEY_EXPIRED', async () => {
    const revoked = store.add(['admin'], { revokedAt: new Date(NOW.getTime() - 1) });
    const expired = store.add(['admin'], { expiresAt: NOW });
    const auth = authenticator();
    await expect(auth.authorize(WRITE, request(bearer(revoked.key)), store, NOW)).rejects.toMatchObject({ code: 'AUTH.KEY_REVOKED' });
    await expect(auth.authorize(WRITE, request(bearer(expired.key)), store, NOW)).rejects.toMatchObject({ code: 'AUTH.KEY_EXPIRED' });
    expect(store.uses).toEqual([]);
  });

  it('rejects a key without the scope with 403 AUTH.INSUFFICIENT_SCOPE naming it', async () => {
    const viewer = store.add(['incidents:read', 'postmortems:read']);
    const refused = await authenticator().authorize(WRITE, request(bearer(viewer.key)), store, NOW).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(PermissionError);
    expect(refused).toMatchObject({ code: 'AUTH.INSUFFICIENT_SCOPE', details: { requiredScopes: ['incidents:write'], missingScopes: ['incidents:write'] } });
  });

  it('grants read to write and admin scopes, and everything to admin', async () => {
    const auth = authenticator();
    for (const scopes of [['incidents:write'], ['admin']] as Scope[][]) {
      const key = store.add(scopes);
      await expect(auth.authorize(READ, request(bearer(key.key)), store, NOW)).resolves.toMatchObject({ principal: { scopes } });
    }
    const admin = store.add(['admin']);
    await expect(auth.authorize({ kind: 'scopes', scopes: ['keys:admin', 'audit:read'] }, request(bearer(admin.key)), store, NOW)).resolves.toBeDefined();
  });

  it('refuses a route without a policy to everyone, admin included, and logs it once', async () => {
    const admin = store.add(['admin']);
    const auth = authenticator();
    for (let i = 0; i < 3; i += 1) {
      await expect(auth.authorize(undefined, request(bearer(admin.key)), store, NOW)).rejects.toMatchObject({ code: 'AUTH.ROUTE_NOT_DECLARED' });
    }
    await expect(auth.authorize(undefined, request(undefined), store, NOW)).rejects.toBeInstanceOf(PermissionError);
    expect(logged).toEqual(['error POST /v1/incidents declares neither @RequireScopes nor @Public: refused to everyone']);
  });

  it('lets public routes through as anonymous without looking at the credential', async () => {
    const outcome = await authenticator().authorize({ kind: 'public', reason: 'probe' }, request('Bearer garbage'), store, NOW);
    expect(outcome).toEqual({ principal: { actor: 'anonymous', kind: 'anonymous', scopes: [] }, rateLimit: null });
  });

  it('serves /metrics publicly only while METRICS_PUBLIC is true, else to admin', async () => {
    const viewer = store.add(['incidents:read']);
    await expect(authenticator().authorize({ kind: 'metrics' }, request(undefined), store, NOW)).resolves.toMatchObject({ principal: { actor: 'anonymous' } });
    const closed = authenticator({ metricsPublic: false });
    await expect(closed.authorize({ kind: 'metrics' }, request(undefined), store, NOW)).rejects.toMatchObject({ code: 'AUTH.UNAUTHENTICATED' });
    await expect(closed.authorize({ kind: 'metrics' }, request(bearer(viewer.key)), store, NOW)).rejects.toMatchObject({ code: 'AUTH.INSUFFICIENT_SCOPE' });
  });

  it('under AUTH_MODE=disabled lets everyone through as anonymous with every scope, warning every 1,000 requests', async () => {
    const auth = authenticator({ mode: 'disabled' });
    for (let i = 0; i < 2_001; i += 1) await expect(auth.authorize(WRITE, request(undefined), store, NOW)).resolves.toMatchObject({ principal: { actor: 'anonymous', scopes: ['admin'] } });
    expect(logged.filter((line) => line.startsWith('warn AUTH_MODE=disabled'))).toHaveLength(3);
    await expect(auth.authorize(undefined, request(undefined), store, NOW)).rejects.toMatchObject({ code: 'AUTH.ROUTE_NOT_DECLARED' });
  });

  it('answers 429 AUTH.TOO_MANY_FAILURES to an address after 20 refused credentials, before reading even a valid key', async () => {
    const good = store.add(['admin']);
    const guess = generateApiKey();
    const auth = authenticator();
    for (let i = 0; i < 21; i += 1) {
      await expect(auth.authorize(WRITE, request(bearer(guess.key), '203.0.113.9'), store, NOW)).rejects.toMatchObject({ code: 'AUTH.TOKEN_INVALID' });
    }
    const readsBefore = store.reads;
    const blocked = await auth.authorize(WRITE, request(bearer(good.key), '203.0.113.9'), store, NOW).catch((error: unknown) => error);
    expect(blocked).toBeInstanceOf(RateLimitedError);
    expect(blocked).toMatchObject({ code: 'AUTH.TOO_MANY_FAILURES', state: { limit: 20, resetS: 60 } });
    expect(store.reads).toBe(readsBefore);
    await expect(auth.authorize(WRITE, request(bearer(good.key), '203.0.113.10'), store, NOW)).resolves.toBeDefined();
  });

  it('answers 429 RATE_LIMIT.EXCEEDED past the per-credential limit, per credential', async () => {
    const a = store.add(['admin']);
    const b = store.add(['admin']);
    const auth = authenticator({ rateLimits: { perCredentialPerMinute: 5, authFailuresPerMinute: 20 } });
    const remaining: number[] = [];
    for (let i = 0; i < 5; i += 1) remaining.push((await auth.authorize(WRITE, request(bearer(a.key)), store, NOW)).rateLimit!.remaining);
    expect(remaining).toEqual([4, 3, 2, 1, 0]);
    const refused = await auth.authorize(WRITE, request(bearer(a.key)), store, NOW).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'RATE_LIMIT.EXCEEDED', state: { limit: 5 } });
    expect((refused as RateLimitedError).state.resetS).toBeGreaterThanOrEqual(59);
    await expect(auth.authorize(WRITE, request(bearer(b.key)), store, NOW)).resolves.toBeDefined();
  });
});
