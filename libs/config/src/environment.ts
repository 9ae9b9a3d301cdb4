import { z } from 'zod';

/**
 * Thrown at boot when the environment is invalid. The message names every bad key of every schema
 * parsed together, one per line: `Invalid incident-service configuration:\n  PORT: Too big: …`.
 */
export class ConfigError extends Error {
  constructor(
    readonly app: string,
    readonly problems: readonly string[],
  ) {
    super(`Invalid ${app} configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** An object schema over environment keys, possibly refined or transformed (`messagingConfigSchema`). */
export type EnvironmentSchema = z.ZodType<unknown, Record<string, unknown>>;

/**
 * Parses `env` with each schema and returns their outputs under the same names. Every schema is parsed
 * even when another fails, so one error names every bad key.
 * @example const { own, http } = parseEnvironment('incident-service', env, { own: schema, http: httpSchema });
 * @throws ConfigError listing `KEY: problem` for every bad key.
 */
export function parseEnvironment<S extends Record<string, EnvironmentSchema>>(app: string, env: NodeJS.ProcessEnv, schemas: S): { [K in keyof S]: z.output<S[K]> } {
  const problems: string[] = [];
  const outputs: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(schemas)) {
    const parsed = schema.safeParse(env);
    if (parsed.success) outputs[name] = parsed.data;
    else problems.push(...parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`));
  }
  if (problems.length > 0) throw new ConfigError(app, problems);
  return outputs as { [K in keyof S]: z.output<S[K]> };
}

/** Empty values count as unset (a ConfigMap with a blank key): the default applies. */
export const blankAsUnset = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === '' ? undefined : value), schema);

/** An integer key within [min, max], `fallback` when unset or blank. */
export const integerKey = (min: number, max: number, fallback: number) => blankAsUnset(z.coerce.number().int().min(min).max(max).default(fallback));

/** `true`/`false`/`1`/`0`, `fallback` when unset or blank. */
export const booleanKey = (fallback: boolean) =>
  blankAsUnset(
    z
      .enum(['true', 'false', '1', '0'], { error: 'must be true, false, 1 or 0' })
      .default(fallback ? 'true' : 'false')
      .transform((value) => value === 'true' || value === '1'),
  );

/** A required `postgres://` or `postgresql://` URL. */
export const postgresUrlKey = () =>
  z.string({ error: 'is required' }).refine((value) => {
    try {
      return ['postgres:', 'postgresql:'].includes(new URL(value).protocol);
    } catch {
      return false;
    }
  }, 'must be a postgres:// or postgresql:// URL');

/**
 * How the HTTP server treats slow and greedy clients (milliseconds; see `httpServerLimitsSchema`):
 * - `requestTimeoutMs`: the whole request (headers and body) must arrive within it, else 408;
 * - `headersTimeoutMs`: the headers must arrive within it, else 408 (at most `requestTimeoutMs`);
 * - `keepAliveTimeoutMs`: an idle keep-alive connection is closed after it;
 * - `connectionTimeoutMs`: a socket with no traffic either way for this long is closed (a client that
 *   stops reading the answer, a hung connection);
 * - `maxConnectionsPerIp`: open connections per client address; more are closed at accept (0: no cap).
 * - `trustProxy`: whose `X-Forwarded-For` names the client (Fastify's `trustProxy`): `false` (default:
 *   the socket's peer is the client), `true` (any peer: only when nothing but the proxy can connect), a
 *   number of proxy hops, or the proxies' addresses / CIDR ranges. The failed-authentication limit is
 *   per client address: behind a proxy, without this, every client shares the proxy's address.
 */
export interface HttpServerLimits {
  requestTimeoutMs: number;
  headersTimeoutMs: number;
  keepAliveTimeoutMs: number;
  connectionTimeoutMs: number;
  maxConnectionsPerIp: number;
  trustProxy?: TrustProxy;
}

/** See `HttpServerLimits.trustProxy`. */
export type TrustProxy = boolean | number | string[];

/**
 * The safe defaults: 30 s for a request, 10 s for its headers, 5 s keep-alive, 120 s idle socket, 128
 * connections per address (behind a proxy or load balancer every client shares its address: raise it).
 */
export const DEFAULT_HTTP_SERVER_LIMITS: Readonly<HttpServerLimits> = Object.freeze({
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  connectionTimeoutMs: 120_000,
  maxConnectionsPerIp: 128,
  trustProxy: false,
});

const IPV4_OR_CIDR = /^(\d{1,3})(\.\d{1,3}){3}(\/(3[0-2]|[12]?\d))?$/;
const IPV6_OR_CIDR = /^[0-9a-f:]+(\/(12[0-8]|1[01]\d|[1-9]?\d))?$/i;

/** `HTTP_TRUST_PROXY`: blank/`false`, `true`, a hop count 1–10, or addresses / CIDR ranges, comma-separated. */
const trustProxyKey = () =>
  blankAsUnset(
    z
      .string()
      .default('false')
      .transform((raw, ctx): TrustProxy => {
        const value = raw.trim();
        if (value === 'false') return false;
        if (value === 'true') return true;
        if (/^\d+$/.test(value)) {
          const hops = Number(value);
          if (hops >= 1 && hops <= 10) return hops;
        } else {
          const ranges = value.split(',').map((part) => part.trim()).filter((part) => part !== '');
          if (ranges.length > 0 && ranges.every((range) => IPV4_OR_CIDR.test(range) || (range.includes(':') && IPV6_OR_CIDR.test(range)))) return ranges;
        }
        ctx.addIssue({ code: 'custom', message: 'must be false, true, a hop count 1-10, or comma-separated proxy addresses / CIDR ranges' });
        return z.NEVER;
      }),
  );

const HTTP_LIMIT_KEYS = {
  HTTP_REQUEST_TIMEOUT_MS: integerKey(1_000, 3_600_000, DEFAULT_HTTP_SERVER_LIMITS.requestTimeoutMs),
  HTTP_HEADERS_TIMEOUT_MS: integerKey(1_000, 3_600_000, DEFAULT_HTTP_SERVER_LIMITS.headersTimeoutMs),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: integerKey(1_000, 3_600_000, DEFAULT_HTTP_SERVER_LIMITS.keepAliveTimeoutMs),
  HTTP_CONNECTION_TIMEOUT_MS: integerKey(1_000, 3_600_000, DEFAULT_HTTP_SERVER_LIMITS.connectionTimeoutMs),
  HTTP_MAX_CONNECTIONS_PER_IP: integerKey(0, 1_000_000, DEFAULT_HTTP_SERVER_LIMITS.maxConnectionsPerIp),
  HTTP_TRUST_PROXY: trustProxyKey(),
};

/** Node refuses a headers timeout longer than the request timeout: say so at boot, naming the key. */
const headersWithinRequest = (e: { HTTP_REQUEST_TIMEOUT_MS: number; HTTP_HEADERS_TIMEOUT_MS: number }) => e.HTTP_HEADERS_TIMEOUT_MS <= e.HTTP_REQUEST_TIMEOUT_MS;
const HEADERS_WITHIN_REQUEST = { path: ['HTTP_HEADERS_TIMEOUT_MS'], message: 'must not exceed HTTP_REQUEST_TIMEOUT_MS' };

/**
 * The `HTTP_*` keys of `HttpServerLimits` (defaults `DEFAULT_HTTP_SERVER_LIMITS`): `HTTP_REQUEST_TIMEOUT_MS`,
 * `HTTP_HEADERS_TIMEOUT_MS`, `HTTP_KEEP_ALIVE_TIMEOUT_MS`, `HTTP_CONNECTION_TIMEOUT_MS` (1 s to 1 h),
 * `HTTP_MAX_CONNECTIONS_PER_IP` (0 turns the cap off), `HTTP_TRUST_PROXY` (false). Part of `httpListenerSchema`; the platform adds it to its own.
 */
export const httpServerLimitsSchema = () => z.object(HTTP_LIMIT_KEYS).refine(headersWithinRequest, HEADERS_WITHIN_REQUEST);

/** The limits from parsed `HTTP_*` keys. */
export function httpServerLimitsOf(e: z.output<ReturnType<typeof httpServerLimitsSchema>>): HttpServerLimits {
  return {
    requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS,
    headersTimeoutMs: e.HTTP_HEADERS_TIMEOUT_MS,
    keepAliveTimeoutMs: e.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    connectionTimeoutMs: e.HTTP_CONNECTION_TIMEOUT_MS,
    maxConnectionsPerIp: e.HTTP_MAX_CONNECTIONS_PER_IP,
    trustProxy: e.HTTP_TRUST_PROXY,
  };
}

/**
 * `HOST` (default 0.0.0.0) and `PORT` (default `port`): where a service's HTTP listener binds, and the
 * `HTTP_*` server limits (`httpServerLimitsSchema`).
 */
export const httpListenerSchema = (port: number) =>
  z
    .object({ HOST: blankAsUnset(z.string().min(1).default('0.0.0.0')), PORT: integerKey(1, 65_535, port), ...HTTP_LIMIT_KEYS })
    .refine(headersWithinRequest, HEADERS_WITHIN_REQUEST);

/** A service's listener config from the output of `httpListenerSchema`. */
export function httpListenerOf(e: z.output<ReturnType<typeof httpListenerSchema>>): { host: string; port: number; limits: HttpServerLimits } {
  return { host: e.HOST, port: e.PORT, limits: httpServerLimitsOf(e) };
}

/** The environment keys an object schema reads (its shape's keys). */
export function environmentKeysOf(...schemas: { shape: Record<string, unknown> }[]): readonly string[] {
  return Object.freeze(schemas.flatMap((schema) => Object.keys(schema.shape)));
}
