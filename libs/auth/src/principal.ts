import type { Scope } from './scopes';

/**
 * Who is calling, as the auth guard established it from the credential (never from a header the caller
 * chooses). `actor` is what events record as their actor:
 * - `key:<key id>` for an API key,
 * - `user:<sub>` for an OIDC / JWT bearer token (the `sub` claim),
 * - `anonymous` on public routes, and on every route under `AUTH_MODE=disabled`.
 * Alert receivers have their own credentials; their commands carry `integration:<id>`.
 */
export interface Principal {
  actor: string;
  kind: 'key' | 'user' | 'anonymous';
  /** What the credential grants (see `grantsScope`). */
  scopes: readonly Scope[];
}

/** The principal of public routes: no scopes. */
export const ANONYMOUS: Principal = Object.freeze({ actor: 'anonymous', kind: 'anonymous', scopes: Object.freeze([]) as readonly Scope[] });

const PRINCIPAL = Symbol.for('fireline.principal');

/** Stores the principal on the request (done once, by the auth guard). */
export function attachPrincipal(request: object, principal: Principal): void {
  (request as Record<symbol, Principal>)[PRINCIPAL] = principal;
}

/** The principal the auth guard attached, or undefined for a request it has not seen. */
export function principalOf(request: object): Principal | undefined {
  return (request as Record<symbol, Principal | undefined>)[PRINCIPAL];
}
