/**
 * Fireline's error vocabulary. Domain and application code throw these; each transport maps them once
 * (HTTP: `ProblemDetailsFilter` -> RFC 9457 problem details; messaging: retry / dead-letter / ack).
 * Plain TypeScript: no framework imports, so `domain/` folders may use it.
 *
 * `code` is stable and machine-readable, `SUBJECT.REASON` in upper snake case, e.g.
 * `INCIDENT.ALREADY_RESOLVED`. Clients switch on it; never change an existing code's meaning.
 */
export type ErrorKind = 'validation' | 'not_found' | 'illegal_state' | 'concurrency' | 'idempotency' | 'unauthenticated' | 'forbidden' | 'rate_limited';

/** One field-level problem, for `ValidationError`. `field` is a dotted path (`payload.severity`). */
export interface FieldError {
  field: string;
  message: string;
}

/** Base class of every Fireline error. `details` is extra machine-readable context for the body. */
export abstract class DomainError extends Error {
  abstract readonly kind: ErrorKind;

  constructor(
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Input is malformed or breaks a rule that needs no stored state. HTTP 400 (422 for idempotency). */
export class ValidationError extends DomainError {
  readonly kind = 'validation' as const;

  constructor(code: string, message: string, readonly fieldErrors: FieldError[] = [], details: Record<string, unknown> = {}) {
    super(code, message, details);
  }
}

/** The addressed thing does not exist. HTTP 404. */
export class NotFoundError extends DomainError {
  readonly kind = 'not_found' as const;
}

/** The command is not allowed in the current state (e.g. resolving a closed incident). HTTP 409. */
export class IllegalStateError extends DomainError {
  readonly kind = 'illegal_state' as const;
}

/**
 * A write lost an optimistic-concurrency race: the stream was at `actualVersion`, not the expected one.
 * HTTP 412 when the client sent `If-Match`, else 409 (after bounded server-side retries).
 */
export class ConcurrencyError extends DomainError {
  readonly kind = 'concurrency' as const;

  constructor(
    readonly streamId: string,
    readonly expectedVersion: number | string,
    readonly actualVersion: number | undefined,
    code = 'STREAM.WRONG_EXPECTED_VERSION',
  ) {
    super(code, `Stream ${streamId} is at version ${actualVersion ?? 'unknown'}, expected ${expectedVersion}`, {
      streamId,
      expectedVersion,
      actualVersion,
    });
  }
}

/** An `Idempotency-Key` was reused with a different request body. HTTP 422. */
export class IdempotencyKeyReusedError extends DomainError {
  readonly kind = 'idempotency' as const;
}

/**
 * The caller is not authenticated: no credential (`AUTH.UNAUTHENTICATED`), or one that was refused
 * (`AUTH.TOKEN_INVALID`, `AUTH.TOKEN_EXPIRED`, `AUTH.KEY_EXPIRED`, `AUTH.KEY_REVOKED`). HTTP 401 with
 * `WWW-Authenticate: Bearer` (RFC 6750).
 */
export class AuthenticationError extends DomainError {
  readonly kind = 'unauthenticated' as const;
}

/**
 * The caller is authenticated but may not do this, e.g. `AUTH.INSUFFICIENT_SCOPE` with
 * `details.requiredScopes` (the scopes the route needs). HTTP 403.
 */
export class PermissionError extends DomainError {
  readonly kind = 'forbidden' as const;
}

/** What a `RateLimitedError` says about the limit: requests allowed per window, seconds until one is free again. */
export interface RateLimitState {
  limit: number;
  resetS: number;
}

/**
 * Too many requests from one caller (one credential, or one client address failing to authenticate).
 * HTTP 429 with `Retry-After: resetS` and the `RateLimit-Limit` / `-Remaining` / `-Reset` headers
 * (draft-ietf-httpapi-ratelimit-headers).
 */
export class RateLimitedError extends DomainError {
  readonly kind = 'rate_limited' as const;

  constructor(
    code: string,
    message: string,
    readonly state: RateLimitState,
  ) {
    super(code, message, { retryAfterS: state.resetS });
  }
}
