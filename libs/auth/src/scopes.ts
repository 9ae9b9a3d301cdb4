/**
 * Fireline's scopes: what a credential may do, one per area and level. `admin` grants every scope.
 * A `<area>:write` or `<area>:admin` scope also grants `<area>:read` (whoever may change a thing may
 * read it). Plain TypeScript: domain code and the CLI use it too.
 */
export const SCOPES = [
  'incidents:read',
  'incidents:write',
  'postmortems:read',
  'postmortems:write',
  'notifications:read',
  'notifications:admin',
  'integrations:admin',
  'status-pages:read',
  'status-pages:write',
  'keys:admin',
  'audit:read',
  'admin',
] as const;

export type Scope = (typeof SCOPES)[number];

/** Roles are named bundles of scopes. */
export const ROLES = ['viewer', 'responder', 'admin'] as const;

export type Role = (typeof ROLES)[number];

const READ_SCOPES = SCOPES.filter((scope) => scope.endsWith(':read'));

/**
 * viewer: every `:read` scope (also `status-pages:read`); responder: viewer plus `incidents:write`,
 * `postmortems:write` and `status-pages:write` (who runs an incident tells customers about it); admin:
 * `admin` (everything).
 */
export const ROLE_SCOPES: Readonly<Record<Role, readonly Scope[]>> = Object.freeze({
  viewer: Object.freeze([...READ_SCOPES]),
  responder: Object.freeze([...READ_SCOPES, 'incidents:write', 'postmortems:write', 'status-pages:write'] as Scope[]),
  admin: Object.freeze(['admin'] as Scope[]),
});

export function isScope(value: unknown): value is Scope {
  return typeof value === 'string' && (SCOPES as readonly string[]).includes(value);
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** True when a credential holding `held` may use a route that needs `required`. */
export function grantsScope(held: readonly Scope[], required: Scope): boolean {
  if (held.includes('admin') || held.includes(required)) return true;
  if (!required.endsWith(':read')) return false;
  const area = required.slice(0, -':read'.length);
  return held.some((scope) => scope === `${area}:write` || scope === `${area}:admin`);
}

/** The scopes of `required` that `held` does not grant (empty: allowed). */
export function missingScopes(held: readonly Scope[], required: readonly Scope[]): Scope[] {
  return required.filter((scope) => !grantsScope(held, scope));
}

/** The union of `scopes` and the scopes of `roles`, in `SCOPES` order, without repeats. */
export function scopesOf(scopes: readonly Scope[], roles: readonly Role[] = []): Scope[] {
  const all = new Set<Scope>([...scopes, ...roles.flatMap((role) => ROLE_SCOPES[role])]);
  return SCOPES.filter((scope) => all.has(scope));
}
