import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import type { Scope } from './scopes';

/**
 * What a route demands of its caller, declared once per handler:
 * - `scopes`: an authenticated credential holding every one of them (`@RequireScopes`);
 * - `public`: nothing; `reason` says why (`@Public`);
 * - `metrics`: public while `METRICS_PUBLIC=true` (default), else scope `admin` (`@MetricsAccess`).
 * A route with no policy is refused to everyone (403 `AUTH.ROUTE_NOT_DECLARED`).
 */
export type AuthPolicy = { kind: 'scopes'; scopes: readonly Scope[] } | { kind: 'public'; reason: string } | { kind: 'metrics' };

/** Reflect-metadata key of a handler's `AuthPolicy`. */
export const AUTH_POLICY = 'fireline:auth-policy';

/** OpenAPI extensions the decorators write; `applyOpenApiSecurity` turns them into `security`. */
export const OPENAPI_REQUIRED_SCOPES = 'x-required-scopes';
export const OPENAPI_PUBLIC = 'x-public';
export const OPENAPI_METRICS = 'x-metrics-access';

/**
 * The route needs an authenticated caller holding all of `scopes` (403 `AUTH.INSUFFICIENT_SCOPE`
 * naming the missing ones); rate-limited per credential. Listed in `/docs-json` as
 * `x-required-scopes` with the bearer security requirement.
 * @example @RequireScopes('incidents:write')
 */
export function RequireScopes(...scopes: [Scope, ...Scope[]]): MethodDecorator {
  const policy: AuthPolicy = { kind: 'scopes', scopes: Object.freeze([...scopes]) };
  return applyDecorators(SetMetadata(AUTH_POLICY, policy), ApiExtension(OPENAPI_REQUIRED_SCOPES, [...scopes]));
}

/**
 * The route answers without credentials (probes, docs, alert receivers with their own credentials,
 * public status pages). `reason` is required so that every public route says why; it is shown in
 * `/docs-json` as `x-public` and the operation declares `security: []`.
 * @example @Public('Alertmanager webhook: authenticated by the integration's own bearer token')
 */
export function Public(reason: string): MethodDecorator {
  if (reason.trim() === '') throw new Error('@Public needs a reason');
  const policy: AuthPolicy = { kind: 'public', reason };
  return applyDecorators(SetMetadata(AUTH_POLICY, policy), ApiExtension(OPENAPI_PUBLIC, reason));
}

/** `GET /metrics`: public while `METRICS_PUBLIC=true` (the default), else scope `admin`. */
export function MetricsAccess(): MethodDecorator {
  const policy: AuthPolicy = { kind: 'metrics' };
  return applyDecorators(SetMetadata(AUTH_POLICY, policy), ApiExtension(OPENAPI_METRICS, true));
}

/**
 * Paths under these prefixes are public for GET and HEAD without a decorator: the public status pages
 * (`/status/{slug}`…), so that their routes stay public as they are added. Anything else under them
 * (a POST, say) still needs `@Public` or `@RequireScopes`.
 */
export const PUBLIC_READ_PREFIXES: readonly string[] = Object.freeze(['/status']);

/**
 * The effective policy of a route: its declared one, else public for GET/HEAD under
 * `PUBLIC_READ_PREFIXES`, else undefined (refused).
 */
export function effectivePolicy(declared: AuthPolicy | undefined, method: string, path: string): AuthPolicy | undefined {
  if (declared) return declared;
  const read = method === 'GET' || method === 'HEAD';
  if (read && PUBLIC_READ_PREFIXES.some((prefix) => path === prefix || path.startsWith(`${prefix}/`))) {
    return { kind: 'public', reason: `public read under ${path.split('/').slice(0, 2).join('/')}/` };
  }
  return undefined;
}
