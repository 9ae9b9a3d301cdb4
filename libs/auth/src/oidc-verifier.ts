import { AuthenticationError } from '@fireline/errors';
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import type { OidcConfig } from './auth.config';
import type { Principal } from './principal';
import { isScope, ROLE_SCOPES, scopesOf, type Role, type Scope } from './scopes';

/** Signature algorithms accepted; never `none` nor the HS* family (whose key would be a shared secret). */
export const OIDC_ALGORITHMS: readonly string[] = Object.freeze(['RS256', 'ES256']);

/** How long the JWKS is cached before it is fetched again, and the least time between two fetches (ms). */
export const JWKS_CACHE_MAX_AGE_MS = 10 * 60_000;
export const JWKS_COOLDOWN_MS = 30_000;
/** Timeout of each request to the identity provider (discovery document, JWKS), ms. */
export const IDENTITY_PROVIDER_TIMEOUT_MS = 5_000;

/** Longest `sub` kept in the actor (`user:<sub>`); OIDC allows 255 ASCII characters. */
const MAX_SUBJECT_LENGTH = 255;

type KeyResolver = ReturnType<typeof createRemoteJWKSet>;

const UNREACHABLE = null;

/** The refusal a verification error means, or `UNREACHABLE` when the identity provider (discovery, JWKS) failed. */
function refusal(error: unknown): AuthenticationError | typeof UNREACHABLE {
  if (error instanceof errors.JWTExpired) return new AuthenticationError('AUTH.TOKEN_EXPIRED', 'The token has expired');
  if (error instanceof errors.JWTClaimValidationFailed) return new AuthenticationError('AUTH.TOKEN_INVALID', `The token was refused: ${error.claim} ${error.reason}`);
  if (error instanceof errors.JOSEAlgNotAllowed) return new AuthenticationError('AUTH.TOKEN_INVALID', `The token's algorithm is not accepted (only ${OIDC_ALGORITHMS.join(', ')})`);
  if (error instanceof errors.JWKSNoMatchingKey) return new AuthenticationError('AUTH.TOKEN_INVALID', "The token's signing key is not one of the identity provider's keys");
  if (error instanceof errors.JWSSignatureVerificationFailed) return new AuthenticationError('AUTH.TOKEN_INVALID', "The token's signature does not verify");
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid || error instanceof errors.JOSENotSupported) {
    return new AuthenticationError('AUTH.TOKEN_INVALID', 'The token is malformed or not a signed JWT');
  }
  return UNREACHABLE;
}

/**
 * Checks OIDC / JWT bearer tokens (RFC 7519, OpenID Connect Core 1.0) with `jose`: the signature
 * against the identity provider's JWKS (fetched on first use, cached `JWKS_CACHE_MAX_AGE_MS`, fetched
 * again at once for an unknown `kid` — key rotation — but not more than once per `JWKS_COOLDOWN_MS`),
 * algorithms `OIDC_ALGORITHMS` only, `iss`, `aud`, `exp` and `nbf` with `clockSkewS` tolerance, and a
 * `sub`. The JWKS URL is `config.jwksUrl`, else `jwks_uri` from `<issuer>/.well-known/openid-configuration`
 * (whose `issuer` must equal the configured one).
 */
export class OidcVerifier {
  private keys: Promise<KeyResolver> | null = null;

  /**
   * @param warn told (once per failed token) when the identity provider could not be reached.
   * @param cooldownMs least time between two JWKS fetches (default `JWKS_COOLDOWN_MS`; tests shorten it).
   */
  constructor(
    private readonly config: OidcConfig,
    private readonly warn: (message: string) => void = () => undefined,
    private readonly cooldownMs: number = JWKS_COOLDOWN_MS,
  ) {}

  /**
   * The principal of a valid token: actor `user:<sub>`, scopes from the scopes claim and the mapped roles.
   * @throws AuthenticationError `AUTH.TOKEN_EXPIRED` for an expired token, `AUTH.TOKEN_INVALID` for any
   *   other refusal (bad signature, unknown key, wrong issuer or audience, not yet valid, algorithm not
   *   allowed, malformed, or the identity provider's keys could not be fetched).
   */
  async verify(token: string): Promise<Principal> {
    let payload: JWTPayload;
    try {
      const keys = await this.resolver();
      ({ payload } = await jwtVerify(token, keys, {
        issuer: this.config.issuer,
        audience: this.config.audience,
        algorithms: [...OIDC_ALGORITHMS],
        clockTolerance: this.config.clockSkewS,
        requiredClaims: ['sub', 'exp'],
      }));
    } catch (error: unknown) {
      const refused = refusal(error);
      if (refused === UNREACHABLE) this.warn(`OIDC: identity provider keys unavailable: ${error instanceof Error ? error.message : String(error)}`);
      throw refused ?? new AuthenticationError('AUTH.TOKEN_INVALID', "The identity provider's signing keys could not be fetched; the token cannot be checked");
    }
    const subject = payload.sub ?? '';
    if (subject === '' || subject.length > MAX_SUBJECT_LENGTH) throw new AuthenticationError('AUTH.TOKEN_INVALID', 'The token has no usable sub claim');
    return { actor: `user:${subject}`, kind: 'user', scopes: this.scopesOf(payload) };
  }

  /** Scopes named in the scopes claim, plus those of every role the roles claim maps to. */
  scopesOf(payload: JWTPayload): Scope[] {
    const named = stringsOf(claimAt(payload, this.config.scopesClaim)).filter(isScope);
    const roles = stringsOf(claimAt(payload, this.config.rolesClaim))
      .map((group) => (Object.hasOwn(this.config.roleMap, group) ? this.config.roleMap[group] : undefined))
      .filter((role): role is Role => role !== undefined && Object.hasOwn(ROLE_SCOPES, role));
    return scopesOf(named, roles);
  }

  private resolver(): Promise<KeyResolver> {
    if (!this.keys) {
      this.keys = this.jwksUrl().then((url) =>
        createRemoteJWKSet(new URL(url), { cacheMaxAge: JWKS_CACHE_MAX_AGE_MS, cooldownDuration: this.cooldownMs, timeoutDuration: IDENTITY_PROVIDER_TIMEOUT_MS }),
      );
      // A failed discovery is tried again on the next token, not remembered.
      this.keys.catch(() => (this.keys = null));
    }
    return this.keys;
  }

  private async jwksUrl(): Promise<string> {
    if (this.config.jwksUrl) return this.config.jwksUrl;
    const discovery = `${this.config.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
    const response = await fetch(discovery, { signal: AbortSignal.timeout(IDENTITY_PROVIDER_TIMEOUT_MS), redirect: 'error' });
    if (!response.ok) throw new Error(`OIDC discovery ${discovery} answered ${response.status}`);
    const document = (await response.json()) as { issuer?: unknown; jwks_uri?: unknown };
    if (document.issuer !== this.config.issuer) throw new Error(`OIDC discovery ${discovery} names issuer ${String(document.issuer)}, not ${this.config.issuer}`);
    if (typeof document.jwks_uri !== 'string') throw new Error(`OIDC discovery ${discovery} has no jwks_uri`);
    return document.jwks_uri;
  }
}

/** The value at a dotted path of the payload (`realm_access.roles`), or undefined. */
function claimAt(payload: JWTPayload, path: string): unknown {
  let value: unknown = payload;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, part)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** A space-separated string (the OAuth `scope` claim) or an array of strings. */
function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return value.split(/\s+/).filter((part) => part !== '');
  if (Array.isArray(value)) return value.filter((part): part is string => typeof part === 'string');
  return [];
}
