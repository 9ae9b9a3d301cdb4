import { MESSAGING_ENV_KEYS, parseMessagingConfig, type MessagingConfig } from '@fireline/messaging';
import { z } from 'zod';

/**
 * Configuration of incident-service, parsed once at boot from the environment.
 * Env keys: `INCIDENT_DATABASE_URL` (required, `postgres://…/db`), `INCIDENT_DATABASE_POOL_SIZE` (10),
 * `DATABASE_MIGRATIONS_RUN` (true: run migrations at start-up; false when a migration Job does it),
 * `PROJECTION_POLL_INTERVAL_MS` (100: how often idle projections and the relay look for new events),
 * `ALERTS_RATE_LIMIT_PER_MINUTE` (6000: Events API v2 deliveries accepted per routing key per 60 s, per instance).
 */
export interface IncidentServiceConfig {
  database: { url: string; poolSize: number; migrationsRun: boolean };
  projections: { pollIntervalMs: number };
  /** Optional so that callers composing the module in code may leave it out: `DEFAULT_ALERTS_CONFIG` applies. */
  alerts?: { rateLimitPerMinute: number };
}

/** Alert ingestion defaults: 6000 deliveries per routing key per minute (100/s; PagerDuty allows far fewer, ours is generous on purpose: alert storms on one key, e.g. the 2,000-delivery storm test, must pass). */
export const DEFAULT_ALERTS_CONFIG: Readonly<NonNullable<IncidentServiceConfig['alerts']>> = Object.freeze({ rateLimitPerMinute: 6000 });

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

const schema = z.object({
  INCIDENT_DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }),
  INCIDENT_DATABASE_POOL_SIZE: z.coerce.number().int().min(2).max(200).default(10),
  DATABASE_MIGRATIONS_RUN: bool.default(true),
  PROJECTION_POLL_INTERVAL_MS: z.coerce.number().int().min(10).max(60_000).default(100),
  ALERTS_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(DEFAULT_ALERTS_CONFIG.rateLimitPerMinute),
});

/**
 * @throws Error naming every invalid key, e.g. `INCIDENT_DATABASE_URL: Invalid URL`.
 */
export function loadIncidentServiceConfig(env: NodeJS.ProcessEnv): IncidentServiceConfig {
  const { config, problems } = parseServiceConfig(env);
  if (!config) throw invalid(problems);
  return config;
}

/** incident-service deployed alone: its listener (`HOST`, `PORT`), its own keys and the transport (`messagingConfigSchema`'s keys). */
export interface IncidentServiceStandaloneConfig {
  http: { host: string; port: number };
  service: IncidentServiceConfig;
  messaging: MessagingConfig;
}

const httpSchema = z.object({
  HOST: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(1).default('0.0.0.0')),
  PORT: z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().int().min(1).max(65_535).default(3001)),
});

/** Every environment key incident-service reads when run alone (its own, `HOST`/`PORT`, the messaging keys). */
export const INCIDENT_SERVICE_ENV_KEYS: readonly string[] = Object.freeze([...Object.keys(schema.shape), ...Object.keys(httpSchema.shape), ...MESSAGING_ENV_KEYS]);

/**
 * `loadIncidentServiceConfig` plus `HOST` (0.0.0.0), `PORT` (3001), `MESSAGING_TRANSPORT` and the `KAFKA_*` keys, for `main.ts`.
 * @throws Error naming every invalid key of both sets.
 */
export function loadIncidentServiceStandaloneConfig(env: NodeJS.ProcessEnv): IncidentServiceStandaloneConfig {
  const service = parseServiceConfig(env);
  const http = httpSchema.safeParse(env);
  const httpProblems = http.success ? [] : http.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  const messaging = parseMessagingConfig(env, 'incident-service');
  if (!service.config || !http.success || !messaging.config) throw invalid([...service.problems, ...httpProblems, ...messaging.problems]);
  return { http: { host: http.data.HOST, port: http.data.PORT }, service: service.config, messaging: messaging.config };
}

function invalid(problems: string[]): Error {
  return new Error(`Invalid incident-service configuration:\n  ${problems.join('\n  ')}`);
}

function parseServiceConfig(env: NodeJS.ProcessEnv): { config?: IncidentServiceConfig; problems: string[] } {
  const parsed = schema.safeParse(env);
  if (!parsed.success) return { problems: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`) };
  const e = parsed.data;
  return {
    problems: [],
    config: {
      database: { url: e.INCIDENT_DATABASE_URL, poolSize: e.INCIDENT_DATABASE_POOL_SIZE, migrationsRun: e.DATABASE_MIGRATIONS_RUN },
      projections: { pollIntervalMs: e.PROJECTION_POLL_INTERVAL_MS },
      alerts: { rateLimitPerMinute: e.ALERTS_RATE_LIMIT_PER_MINUTE },
    },
  };
}
