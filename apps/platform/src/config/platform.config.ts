import { authConfigOf, authConfigSchema, type AuthConfig } from '@fireline/auth';
import { blankAsUnset, booleanKey, httpServerLimitsOf, httpServerLimitsSchema, integerKey, parseEnvironment, postgresUrlKey, type HttpServerLimits } from '@fireline/config';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';

/**
 * Configuration of the embedded platform (`npm start`): all three services in one process on one
 * base URL, over the in-process transport, with their databases on one PostgreSQL server — the
 * embedded one by default, or an external server when `POSTGRES_SERVER_URL` is set.
 *
 * Env keys: `HOST` (0.0.0.0), `PORT` (3000), `HTTP_BODY_LIMIT_BYTES` (1 MiB), `FIRELINE_DATA_DIR`
 * (`.fireline/postgres`, kept across restarts), `EMBEDDED_POSTGRES_PORT` (54329),
 * `POSTGRES_SERVER_URL` (e.g. `postgres://u:p@db:5432`, no database name), `LOG_POSTGRES` (false), and
 * the `HTTP_*` server limits (`httpServerLimitsSchema`: timeouts, connections per client address), and
 * the auth keys (`authConfigSchema`).
 */
export interface PlatformConfig {
  http: { host: string; port: number; bodyLimitBytes: number; limits: HttpServerLimits };
  postgres:
    | { mode: 'embedded'; dataDir: string; port: number; user: string; password: string; log: boolean }
    | { mode: 'external'; serverUrl: string };
  databases: { incident: string; notification: string; postmortem: string };
  /** The process's authentication (`authConfigSchema`: `AUTH_MODE`, `AUTH_OIDC_*`, rate limits, `METRICS_PUBLIC`). */
  auth: AuthConfig;
  /** Where first start saves the admin key it issues: `<FIRELINE_DATA_DIR>/../admin-api-key`. */
  adminKeyFile: string;
}

const schema = z.object({
  HOST: blankAsUnset(z.string().min(1).default('0.0.0.0')),
  PORT: integerKey(0, 65_535, 3000),
  HTTP_BODY_LIMIT_BYTES: integerKey(1024, 64 * 1024 * 1024, 1024 * 1024),
  FIRELINE_DATA_DIR: blankAsUnset(z.string().min(1).default('.fireline/postgres')),
  EMBEDDED_POSTGRES_PORT: integerKey(0, 65_535, 54329),
  POSTGRES_SERVER_URL: blankAsUnset(postgresUrlKey().optional()),
  LOG_POSTGRES: booleanKey(false),
});

/**
 * Parses the environment once, at boot.
 * @throws ConfigError listing every invalid key (`PORT: Too big: expected number to be <=65535`).
 */
export function loadPlatformConfig(env: NodeJS.ProcessEnv): PlatformConfig {
  const { own: e, limits, auth } = parseEnvironment('platform', env, { own: schema, limits: httpServerLimitsSchema(), auth: authConfigSchema() });
  return {
    http: { host: e.HOST, port: e.PORT, bodyLimitBytes: e.HTTP_BODY_LIMIT_BYTES, limits: httpServerLimitsOf(limits) },
    postgres: e.POSTGRES_SERVER_URL
      ? { mode: 'external', serverUrl: e.POSTGRES_SERVER_URL.replace(/\/+$/, '') }
      : { mode: 'embedded', dataDir: e.FIRELINE_DATA_DIR, port: e.EMBEDDED_POSTGRES_PORT, user: 'postgres', password: 'postgres', log: e.LOG_POSTGRES },
    databases: { incident: 'fireline_incident', notification: 'fireline_notification', postmortem: 'fireline_postmortem' },
    auth: authConfigOf(auth),
    adminKeyFile: join(dirname(resolve(e.FIRELINE_DATA_DIR)), 'admin-api-key'),
  };
}
