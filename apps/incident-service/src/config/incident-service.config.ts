import { z } from 'zod';

/**
 * Configuration of incident-service, parsed once at boot from the environment.
 * Env keys: `INCIDENT_DATABASE_URL` (required, `postgres://…/db`), `INCIDENT_DATABASE_POOL_SIZE` (10),
 * `DATABASE_MIGRATIONS_RUN` (true: run migrations at start-up; false when a migration Job does it),
 * `PROJECTION_POLL_INTERVAL_MS` (100: how often idle projections and the relay look for new events).
 */
export interface IncidentServiceConfig {
  database: { url: string; poolSize: number; migrationsRun: boolean };
  projections: { pollIntervalMs: number };
}

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

const schema = z.object({
  INCIDENT_DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }),
  INCIDENT_DATABASE_POOL_SIZE: z.coerce.number().int().min(2).max(200).default(10),
  DATABASE_MIGRATIONS_RUN: bool.default(true),
  PROJECTION_POLL_INTERVAL_MS: z.coerce.number().int().min(10).max(60_000).default(100),
});

/**
 * @throws Error naming every invalid key, e.g. `INCIDENT_DATABASE_URL: Invalid URL`.
 */
export function loadIncidentServiceConfig(env: NodeJS.ProcessEnv): IncidentServiceConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid incident-service configuration:\n  ${lines.join('\n  ')}`);
  }
  const e = parsed.data;
  return {
    database: { url: e.INCIDENT_DATABASE_URL, poolSize: e.INCIDENT_DATABASE_POOL_SIZE, migrationsRun: e.DATABASE_MIGRATIONS_RUN },
    projections: { pollIntervalMs: e.PROJECTION_POLL_INTERVAL_MS },
  };
}
