import { exportJWK, generateKeyPair, SignJWT, type JWK, type KeyLike } from 'jose';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A signing key of the local identity provider: the private half signs, the public JWK is published. */
export interface SigningKey {
  kid: string;
  alg: 'RS256' | 'ES256';
  privateKey: KeyLike;
  jwk: JWK;
}

/** A fresh key pair for `alg`, published as `kid`. */
export async function signingKey(kid: string, alg: 'RS256' | 'ES256'): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  return { kid, alg, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

/**
 * A local OpenID Connect identity provider for tests, over real HTTP on 127.0.0.1: the discovery
 * document at `<issuer>/.well-known/openid-configuration` and the JWKS of `published` at
 * `<issuer>/protocol/openid-connect/certs` (Keycloak's layout), counting the requests to each.
 */
export class LocalIdentityProvider {
  published: SigningKey[] = [];
  readonly hits = { discovery: 0, jwks: 0 };
  private server: Server | null = null;
  issuer = '';

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      if (request.url === '/realms/acme/.well-known/openid-configuration') {
        this.hits.discovery += 1;
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify({ issuer: this.issuer, jwks_uri: `${this.issuer}/protocol/openid-connect/certs` }));
      } else if (request.url === '/realms/acme/protocol/openid-connect/certs') {
        this.hits.jwks += 1;
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify({ keys: this.published.map((key) => key.jwk) }));
      } else {
        response.statusCode = 404;
        response.end();
      }
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.issuer = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/realms/acme`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  /** A token signed with `key`: issuer this provider, audience `fireline`, subject `alice`, 5 minutes, unless overridden. */
  token(key: SigningKey, claims: Record<string, unknown> = {}, options: { exp?: number; nbf?: number; aud?: string; iss?: string; sub?: string } = {}): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const jwt = new SignJWT({ scope: 'openid incidents:read', ...claims })
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
      .setIssuer(options.iss ?? this.issuer)
      .setAudience(options.aud ?? 'fireline')
      .setSubject(options.sub ?? 'alice')
      .setIssuedAt()
      .setExpirationTime(options.exp ?? now + 300);
    if (options.nbf !== undefined) jwt.setNotBefore(options.nbf);
    return jwt.sign(key.privateKey);
  }
}
