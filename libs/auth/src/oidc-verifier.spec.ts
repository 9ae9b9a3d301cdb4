import { SignJWT } from 'jose';
import type { OidcConfig } from './auth.config';
import { OidcVerifier } from './oidc-verifier';
import { LocalIdentityProvider, signingKey, type SigningKey } from './testing/local-identity-provider';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const nowS = () => Math.floor(Date.now() / 1000);

describe(OidcVerifier.name, () => {
  const idp = new LocalIdentityProvider();
  let rsa: SigningKey;
  let ec: SigningKey;
  let config: OidcConfig;
  const warnings: string[] = [];

  beforeAll(async () => {
    await idp.start();
    [rsa, ec] = await Promise.all([signingKey('rsa-1', 'RS256'), signingKey('ec-1', 'ES256')]);
    idp.published = [rsa, ec];
    config = {
      issuer: idp.issuer,
      audience: 'fireline',
      jwksUrl: null,
      clockSkewS: 30,
      rolesClaim: 'realm_access.roles',
      scopesClaim: 'scope',
      roleMap: { 'sre-oncall': 'responder', 'platform-admins': 'admin' },
    };
  });
  afterAll(() => idp.stop());
  beforeEach(() => {
    idp.published = [rsa, ec];
    warnings.length = 0;
  });

  const token: LocalIdentityProvider['token'] = (...args) => idp.token(...args);

  const verifier = (overrides: Partial<OidcConfig> = {}, cooldownMs?: number) => new OidcVerifier({ ...config, ...overrides }, (m) => warnings.push(m), cooldownMs);

  it('accepts an RS256 token found through discovery: user:<sub>, scopes from the scope claim and the mapped roles', async () => {
    const principal = await verifier().verify(await token(rsa, { realm_access: { roles: ['sre-oncall', 'unmapped-group'] } }));
    expect(principal.actor).toBe('user:alice');
    expect(principal.kind).toBe('user');
    expect(principal.scopes).toEqual(['incidents:read', 'incidents:write', 'postmortems:read', 'postmortems:write', 'notifications:read', 'status-pages:read', 'status-pages:write', 'audit:read']);
  });

  it('accepts an ES256 token, scopes as an array', async () => {
    const principal = await verifier().verify(await token(ec, { scope: ['postmortems:write', 'not-a-scope'] }, { sub: 'bob@example.com' }));
    expect(principal).toEqual({ actor: 'user:bob@example.com', kind: 'user', scopes: ['postmortems:write'] });
  });

  it('maps a group to admin', async () => {
    const principal = await verifier().verify(await token(rsa, { scope: '', realm_access: { roles: ['platform-admins'] } }));
    expect(principal.scopes).toEqual(['admin']);
  });

  it('refuses an expired token with AUTH.TOKEN_EXPIRED, but not within the clock skew', async () => {
    await expect(verifier().verify(await token(rsa, {}, { exp: nowS() - 31 }))).rejects.toMatchObject({ code: 'AUTH.TOKEN_EXPIRED' });
    await expect(verifier().verify(await token(rsa, {}, { exp: nowS() - 20 }))).resolves.toMatchObject({ actor: 'user:alice' });
  });

  it.each([
    ['not yet valid', { nbf: nowS() + 120 }, /nbf/],
    ['for another audience', { aud: 'grafana' }, /aud/],
    ['from another issuer', { iss: 'https://evil.example.com/realms/acme' }, /iss/],
  ])('refuses a token %s with AUTH.TOKEN_INVALID', async (_, options, reason) => {
    const refused = await verifier().verify(await token(rsa, {}, options)).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'AUTH.TOKEN_INVALID' });
    expect((refused as Error).message).toMatch(reason);
  });

  it('refuses a token signed by a key the identity provider does not publish (same kid, and unknown kid)', async () => {
    const impostor = await signingKey('rsa-1', 'RS256');
    const stranger = await signingKey('rsa-unknown', 'RS256');
    await expect(verifier().verify(await token(impostor))).rejects.toMatchObject({ code: 'AUTH.TOKEN_INVALID', message: "The token's signature does not verify" });
    await expect(verifier().verify(await token(stranger))).rejects.toMatchObject({ code: 'AUTH.TOKEN_INVALID', message: "The token's signing key is not one of the identity provider's keys" });
  });

  it('refuses alg none and HS256 tokens', async () => {
    const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const claims = { sub: 'admin', iss: idp.issuer, aud: 'fireline', exp: nowS() + 300, scope: 'admin' };
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
    const hs256 = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: 'rsa-1' }).sign(new TextEncoder().encode('x'.repeat(32)));
    for (const forged of [none, hs256]) await expect(verifier().verify(forged)).rejects.toMatchObject({ code: 'AUTH.TOKEN_INVALID' });
  });

  it('fetches the JWKS once, and again when a token names a new key (rotation)', async () => {
    const fresh = verifier({ jwksUrl: `${idp.issuer}/protocol/openid-connect/certs` }, 200);
    const before = { ...idp.hits };
    for (let i = 0; i < 5; i += 1) await fresh.verify(await token(rsa));
    expect(idp.hits.jwks - before.jwks).toBe(1);
    expect(idp.hits.discovery).toBe(before.discovery);

    const rotated = await signingKey('rsa-2', 'RS256');
    idp.published = [rsa, rotated];
    await sleep(250);
    await expect(fresh.verify(await token(rotated))).resolves.toMatchObject({ actor: 'user:alice' });
    for (let i = 0; i < 5; i += 1) await fresh.verify(await token(rotated));
    expect(idp.hits.jwks - before.jwks).toBe(2);
  });

  it('refuses tokens while the identity provider is unreachable, and says so in the log', async () => {
    const away = verifier({ issuer: 'http://127.0.0.1:9/realms/acme' });
    await expect(away.verify(await token(rsa, {}, { iss: 'http://127.0.0.1:9/realms/acme' }))).rejects.toMatchObject({ code: 'AUTH.TOKEN_INVALID' });
    expect(warnings.join('\n')).toMatch(/identity provider keys unavailable/);
  });
});
