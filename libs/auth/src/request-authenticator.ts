import { AuthenticationError, PermissionError } from '@fireline/errors';
import { hashApiKey, parseApiKey, sameHash } from './api-key-token';
import type { ApiKeyStore } from './api-key-store';
import type { AuthConfig } from './auth.config';
import type { AuthPolicy } from './auth-policy';
import type { AuthRateLimits, RateLimitStatus } from './auth-rate-limits';
import type { OidcVerifier } from './oidc-verifier';
import { ANONYMOUS, type Principal } from './principal';
import { missingScopes, type Scope } from './scopes';

/** What the authenticator needs of a request. `path` is the route pattern (`/v1/incidents/:id`). */
export interface AuthRequest {
  method: string;
  path: string;
  /** The `Authorization` header, if any. */
  authorization: string | undefined;
  /** The client address the failure limit counts against. */
  clientAddress: string;
}

/** A request let through: who it is, and (authenticated routes) where it stands against its rate limit. */
export interface AuthOutcome {
  principal: Principal;
  rateLimit: RateLimitStatus | null;
}

/** How often (requests) `AUTH_MODE=disabled` repeats its warning. */
export const DISABLED_WARNING_EVERY = 1_000;
/** A key's use is written at most once per this many ms (no write per request). */
export const LAST_USED_RESOLUTION_MS = 60_000;

/** Under `AUTH_MODE=disabled` every caller is this: anonymous, with every scope. */
export const UNAUTHENTICATED_ADMIN: Principal = Object.freeze({ actor: 'anonymous', kind: 'anonymous', scopes: Object.freeze(['admin']) as readonly Scope[] });

const BEARER = /^Bearer +(\S+) *$/i;
const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/;

/** Logging of `RequestAuthenticator`. */
export interface AuthLog {
  warn(message: string): void;
  error(message: string): void;
}

/**
 * The decision for one request, framework-free (the Nest `AuthGuard` feeds it):
 *
 * 1. no policy → 403 `AUTH.ROUTE_NOT_DECLARED` for everyone (logged once per route): safe default;
 * 2. public (or metrics while `METRICS_PUBLIC=true`) → through, as `anonymous`;
 * 3. `AUTH_MODE=disabled` → through, as `anonymous` with every scope (warned every 1,000 requests);
 * 4. a client address blocked for failing too often → 429 `AUTH.TOO_MANY_FAILURES`, unchecked;
 * 5. the credential: none → 401 `AUTH.UNAUTHENTICATED`; an API key (`flk_…`) checked against the
 *    route's service's `ApiKeyStore` (hash compared in constant time; 401 `AUTH.TOKEN_INVALID`,
 *    `AUTH.KEY_REVOKED`, `AUTH.KEY_EXPIRED`); a JWT checked by the `OidcVerifier` (401
 *    `AUTH.TOKEN_INVALID`, `AUTH.TOKEN_EXPIRED`). Every refused credential counts against the address;
 * 6. the credential's rate limit → 429 `RATE_LIMIT.EXCEEDED`;
 * 7. the route's scopes → 403 `AUTH.INSUFFICIENT_SCOPE` naming the missing ones.
 */
export class RequestAuthenticator {
  private disabledRequests = 0;
  private readonly undeclaredLogged = new Set<string>();
  /** Per store (each service keeps its own record of use), when each key's use was last written. */
  private readonly lastUseWritten = new WeakMap<ApiKeyStore, Map<string, number>>();

  constructor(
    private readonly config: AuthConfig,
    private readonly rateLimits: AuthRateLimits,
    private readonly oidc: OidcVerifier | null,
    private readonly log: AuthLog,
  ) {}

  /**
   * @param store the API keys of the service that owns the route (null: API keys are refused).
   * @throws AuthenticationError, PermissionError, RateLimitedError as listed above; the store's errors.
   */
  async authorize(policy: AuthPolicy | undefined, request: AuthRequest, store: ApiKeyStore | null, now: Date = new Date()): Promise<AuthOutcome> {
    if (!policy) {
      const route = `${request.method} ${request.path}`;
      if (!this.undeclaredLogged.has(route)) {
        this.undeclaredLogged.add(route);
        this.log.error(`${route} declares neither @RequireScopes nor @Public: refused to everyone`);
      }
      throw new PermissionError('AUTH.ROUTE_NOT_DECLARED', 'This route declares no access policy and is refused to every caller');
    }
    const required = this.requiredScopes(policy);
    if (required === null) return { principal: ANONYMOUS, rateLimit: null };
    if (this.config.mode === 'disabled') {
      if (this.disabledRequests++ % DISABLED_WARNING_EVERY === 0) {
        this.log.warn(`AUTH_MODE=disabled: ${this.disabledRequests} request(s) served without authentication, every caller with every scope`);
      }
      return { principal: UNAUTHENTICATED_ADMIN, rateLimit: null };
    }
    this.rateLimits.assertClientNotBlocked(request.clientAddress);
    let principal: Principal;
    try {
      principal = await this.authenticate(request.authorization, store, now);
    } catch (error: unknown) {
      if (error instanceof AuthenticationError && error.code !== 'AUTH.UNAUTHENTICATED') await this.rateLimits.recordFailure(request.clientAddress);
      throw error;
    }
    const rateLimit = await this.rateLimits.consume(principal.actor);
    const missing = missingScopes(principal.scopes, required);
    if (missing.length > 0) {
      throw new PermissionError('AUTH.INSUFFICIENT_SCOPE', `This route needs scope ${missing.join(', ')}, which the credential does not grant`, {
        requiredScopes: [...required],
        missingScopes: missing,
      });
    }
    return { principal, rateLimit };
  }

  /** The scopes a policy needs, or null when it is public. */
  private requiredScopes(policy: AuthPolicy): readonly Scope[] | null {
    switch (policy.kind) {
      case 'scopes':
        return policy.scopes;
      case 'public':
        return null;
      case 'metrics':
        return this.config.metricsPublic ? null : ['admin'];
      default: {
        const exhaustive: never = policy;
        return exhaustive;
      }
    }
  }

  private async authenticate(authorization: string | undefined, store: ApiKeyStore | null, now: Date): Promise<Principal> {
    if (authorization === undefined || authorization.trim() === '') {
      throw new AuthenticationError('AUTH.UNAUTHENTICATED', 'This route needs a credential: Authorization: Bearer <API key or OIDC token>');
    }
    const token = BEARER.exec(authorization)?.[1];
    if (token === undefined) throw new AuthenticationError('AUTH.TOKEN_INVALID', 'Authorization must be "Bearer <API key or OIDC token>"');
    if (token.startsWith('flk_')) return this.authenticateApiKey(token, store, now);
    if (JWT.test(token)) {
      if (!this.oidc) throw new AuthenticationError('AUTH.TOKEN_INVALID', 'No identity provider is configured here: only Fireline API keys (flk_…) are accepted');
      return this.oidc.verify(token);
    }
    throw new AuthenticationError('AUTH.TOKEN_INVALID', 'The credential is neither a Fireline API key (flk_…) nor a JWT');
  }

  private async authenticateApiKey(key: string, store: ApiKeyStore | null, now: Date): Promise<Principal> {
    const parsed = parseApiKey(key);
    if (!parsed) throw new AuthenticationError('AUTH.TOKEN_INVALID', 'Not a valid Fireline API key: check for a typo or a truncated copy');
    if (!store) throw new Error('No ApiKeyStore serves this route');
    const stored = await store.find(parsed.keyId);
    // Unknown id and wrong secret answer alike.
    if (!stored || !sameHash(stored.hashedSecret, hashApiKey(key))) {
      throw new AuthenticationError('AUTH.TOKEN_INVALID', 'Unknown API key');
    }
    if (stored.revokedAt !== null) throw new AuthenticationError('AUTH.KEY_REVOKED', `API key ${stored.keyId} was revoked`);
    if (stored.expiresAt.getTime() <= now.getTime()) throw new AuthenticationError('AUTH.KEY_EXPIRED', `API key ${stored.keyId} expired at ${stored.expiresAt.toISOString()}`);
    this.noteUse(store, stored.keyId, now);
    return { actor: `key:${stored.keyId}`, kind: 'key', scopes: stored.scopes };
  }

  /** Writes the key's last use at most once per `LAST_USED_RESOLUTION_MS`, without waiting for it. */
  private noteUse(store: ApiKeyStore, keyId: string, now: Date): void {
    let written = this.lastUseWritten.get(store);
    if (!written) this.lastUseWritten.set(store, (written = new Map()));
    const last = written.get(keyId);
    if (last !== undefined && now.getTime() - last < LAST_USED_RESOLUTION_MS) return;
    if (written.size >= 10_000) written.clear();
    written.set(keyId, now.getTime());
    store.recordUse(keyId, now).catch((error: unknown) => {
      written.delete(keyId);
      this.log.warn(`could not record the use of API key ${keyId}: ${error instanceof Error ? error.message : String(error)}`);
    });
  }
}
