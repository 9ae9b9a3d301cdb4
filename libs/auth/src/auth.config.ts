import { blankAsUnset, booleanKey, integerKey } from '@fireline/config';
import { z } from 'zod';
import { isRole, type Role } from './scopes';

/**
 * How an OIDC / JWT bearer token from the organisation's identity provider is checked:
 * signature against the provider's JWKS (RS256 or ES256 only), `iss` = `issuer`, `aud` contains
 * `audience`, `exp`/`nbf` with `clockSkewS` seconds of tolerance. Scopes come from the
 * `scopesClaim` claim (space-separated string or array; unknown names ignored) and from the
 * `rolesClaim` claim (dotted path, e.g. `realm_access.roles`) mapped through `roleMap`
 * (identity-provider group → Fireline role).
 */
export interface OidcConfig {
  issuer: string;
  audience: string;
  /** Default: `jwks_uri` of `<issuer>/.well-known/openid-configuration`, fetched once. */
  jwksUrl: string | null;
  clockSkewS: number;
  rolesClaim: string;
  scopesClaim: string;
  roleMap: Readonly<Record<string, Role>>;
}

/** The process's authentication settings (one per process: the platform's three services share it). */
export interface AuthConfig {
  /** `required` (default): every route not declared public needs a credential. `disabled`: see README. */
  mode: 'required' | 'disabled';
  /** Null when no identity provider is configured: only API keys are accepted. */
  oidc: OidcConfig | null;
  rateLimits: {
    /** Requests per credential per 60 s on authenticated routes (per instance). */
    perCredentialPerMinute: number;
    /** Refused credentials per client address per 60 s before the address gets 429 for 60 s. */
    authFailuresPerMinute: number;
  };
  /** `GET /metrics` without credentials (true), or only with scope `admin`. */
  metricsPublic: boolean;
}

/** Requests per credential per minute (600: 10/s, enough for a dashboard and a CI job sharing a key). */
export const DEFAULT_AUTH_CONFIG: Readonly<AuthConfig> = Object.freeze({
  mode: 'required',
  oidc: null,
  rateLimits: Object.freeze({ perCredentialPerMinute: 600, authFailuresPerMinute: 20 }),
  metricsPublic: true,
});

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** An https URL, or http to this machine (a local identity provider in development and tests). */
const identityProviderUrl = () =>
  z.string().refine((value) => {
    try {
      const url = new URL(value);
      return url.protocol === 'https:' || (url.protocol === 'http:' && LOCAL_HOSTS.has(url.hostname));
    } catch {
      return false;
    }
  }, 'must be an https:// URL (http:// only for localhost)');

/** `group=role,group=role` → map; problems are reported by the schema. */
function parseRoleMap(raw: string): { map: Record<string, Role>; problems: string[] } {
  const map: Record<string, Role> = {};
  const problems: string[] = [];
  for (const entry of raw.split(',').map((part) => part.trim()).filter((part) => part !== '')) {
    const at = entry.lastIndexOf('=');
    const group = at > 0 ? entry.slice(0, at).trim() : '';
    const role = at > 0 ? entry.slice(at + 1).trim() : '';
    if (group === '' || !isRole(role)) problems.push(`"${entry}" must be <group>=<viewer|responder|admin>`);
    else map[group] = role;
  }
  return { map, problems };
}

const AUTH_KEYS = {
  AUTH_MODE: blankAsUnset(z.enum(['required', 'disabled'], { error: 'must be required or disabled' }).default('required')),
  NODE_ENV: blankAsUnset(z.string().optional()),
  AUTH_OIDC_ISSUER: blankAsUnset(identityProviderUrl().optional()),
  AUTH_OIDC_AUDIENCE: blankAsUnset(z.string().min(1).max(500).optional()),
  AUTH_OIDC_JWKS_URL: blankAsUnset(identityProviderUrl().optional()),
  AUTH_OIDC_CLOCK_SKEW_S: integerKey(0, 300, 30),
  AUTH_OIDC_ROLES_CLAIM: blankAsUnset(z.string().min(1).max(200).default('roles')),
  AUTH_OIDC_SCOPES_CLAIM: blankAsUnset(z.string().min(1).max(200).default('scope')),
  AUTH_OIDC_ROLE_MAP: blankAsUnset(z.string().max(10_000).default('')),
  API_RATE_LIMIT_PER_MINUTE: integerKey(1, 1_000_000, DEFAULT_AUTH_CONFIG.rateLimits.perCredentialPerMinute),
  AUTH_FAILURE_LIMIT_PER_MINUTE: integerKey(1, 1_000_000, DEFAULT_AUTH_CONFIG.rateLimits.authFailuresPerMinute),
  METRICS_PUBLIC: booleanKey(DEFAULT_AUTH_CONFIG.metricsPublic),
};

/**
 * The authentication keys every service (and the platform) reads: `AUTH_MODE` (`required`),
 * `AUTH_OIDC_ISSUER` / `AUTH_OIDC_AUDIENCE` (both or neither), `AUTH_OIDC_JWKS_URL` (discovery),
 * `AUTH_OIDC_CLOCK_SKEW_S` (30), `AUTH_OIDC_ROLES_CLAIM` (`roles`), `AUTH_OIDC_SCOPES_CLAIM` (`scope`),
 * `AUTH_OIDC_ROLE_MAP` (`sre=responder,platform=admin`), `API_RATE_LIMIT_PER_MINUTE` (600),
 * `AUTH_FAILURE_LIMIT_PER_MINUTE` (20), `METRICS_PUBLIC` (true), and `NODE_ENV` (`AUTH_MODE=disabled`
 * is refused when it is `production`).
 */
export const authConfigSchema = () =>
  z.object(AUTH_KEYS).superRefine((env, ctx) => {
    if (env.AUTH_MODE === 'disabled' && env.NODE_ENV === 'production') {
      ctx.addIssue({ code: 'custom', path: ['AUTH_MODE'], message: 'disabled is refused when NODE_ENV=production' });
    }
    if ((env.AUTH_OIDC_ISSUER === undefined) !== (env.AUTH_OIDC_AUDIENCE === undefined)) {
      const missing = env.AUTH_OIDC_ISSUER === undefined ? 'AUTH_OIDC_ISSUER' : 'AUTH_OIDC_AUDIENCE';
      ctx.addIssue({ code: 'custom', path: [missing], message: 'is required when the other of AUTH_OIDC_ISSUER / AUTH_OIDC_AUDIENCE is set' });
    }
    if (env.AUTH_OIDC_JWKS_URL !== undefined && env.AUTH_OIDC_ISSUER === undefined) {
      ctx.addIssue({ code: 'custom', path: ['AUTH_OIDC_JWKS_URL'], message: 'needs AUTH_OIDC_ISSUER and AUTH_OIDC_AUDIENCE' });
    }
    for (const problem of parseRoleMap(env.AUTH_OIDC_ROLE_MAP).problems) ctx.addIssue({ code: 'custom', path: ['AUTH_OIDC_ROLE_MAP'], message: problem });
  });

/** Every key `authConfigSchema` reads. */
export const AUTH_ENV_KEYS: readonly string[] = Object.freeze(Object.keys(AUTH_KEYS));

/** The `AuthConfig` of parsed `authConfigSchema()` output. */
export function authConfigOf(e: z.output<ReturnType<typeof authConfigSchema>>): AuthConfig {
  return {
    mode: e.AUTH_MODE,
    oidc:
      e.AUTH_OIDC_ISSUER !== undefined && e.AUTH_OIDC_AUDIENCE !== undefined
        ? {
            issuer: e.AUTH_OIDC_ISSUER,
            audience: e.AUTH_OIDC_AUDIENCE,
            jwksUrl: e.AUTH_OIDC_JWKS_URL ?? null,
            clockSkewS: e.AUTH_OIDC_CLOCK_SKEW_S,
            rolesClaim: e.AUTH_OIDC_ROLES_CLAIM,
            scopesClaim: e.AUTH_OIDC_SCOPES_CLAIM,
            roleMap: parseRoleMap(e.AUTH_OIDC_ROLE_MAP).map,
          }
        : null,
    rateLimits: { perCredentialPerMinute: e.API_RATE_LIMIT_PER_MINUTE, authFailuresPerMinute: e.AUTH_FAILURE_LIMIT_PER_MINUTE },
    metricsPublic: e.METRICS_PUBLIC,
  };
}
