import { z } from 'zod';

/**
 * Configuration of the embedded platform (`npm start`): all three services in one process on one
 * base URL, over the in-process transport, with their databases on one PostgreSQL server — the
 * embedded one by default, or an external server when `POSTGRES_SERVER_URL` is set.
 *
 * Env keys: `HOST` (0.0.0.0), `PORT` (3000), `HTTP_BODY_LIMIT_BYTES` (1 MiB), `FIRELINE_DATA_DIR`
 * (`.fireline/postgres`, kept across restarts), `EMBEDDED_POSTGRES_PORT` (54329),
 * `POSTGRES_SERVER_URL` (e.g. `postgres://u:p@db:5432`, no database name), `LOG_POSTGRES` (false).
 */
export interface PlatformConfig {
  http: { host: string; port: number; bodyLimitBytes: number };
  postgres:
    | { mode: 'embedded'; dataDir: string; port: number; user: string; password: string; log: boolean }
    | { mode: 'external'; serverUrl: string };
  databases: { incident: string; notification: string; postmortem: string };
}

const port = z.coerce.number().int().min(0).max(65535);
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

const schema = z.object({
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: port.default(3000),
  HTTP_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(64 * 1024 * 1024).default(1024 * 1024),
  FIRELINE_DATA_DIR: z.string().min(1).default('.fireline/postgres'),
  EMBEDDED_POSTGRES_PORT: port.default(54329),
  POSTGRES_SERVER_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  LOG_POSTGRES: bool.default(false),
});

/** Thrown at boot when the environment is invalid; the message names every bad key. */
export class ConfigError extends Error {}

/**
 * Parses the environment once, at boot.
 * @throws ConfigError listing every invalid key (`PORT: Too big: expected number to be <=65535`).
 */
export function loadPlatformConfig(env: NodeJS.ProcessEnv): PlatformConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const e = parsed.data;
  return {
    http: { host: e.HOST, port: e.PORT, bodyLimitBytes: e.HTTP_BODY_LIMIT_BYTES },
    postgres: e.POSTGRES_SERVER_URL
      ? { mode: 'external', serverUrl: e.POSTGRES_SERVER_URL.replace(/\/+$/, '') }
      : { mode: 'embedded', dataDir: e.FIRELINE_DATA_DIR, port: e.EMBEDDED_POSTGRES_PORT, user: 'postgres', password: 'postgres', log: e.LOG_POSTGRES },
    databases: { incident: 'fireline_incident', notification: 'fireline_notification', postmortem: 'fireline_postmortem' },
  };
}
