import { AUTH_ENV_KEYS, authConfigOf, authConfigSchema, type AuthConfig } from '@fireline/auth';
import { booleanKey, environmentKeysOf, httpListenerOf, httpListenerSchema, type HttpServerLimits, integerKey, parseEnvironment, postgresUrlKey } from '@fireline/config';
import { databaseTimeoutKeys, databaseTimeoutsOf, type PgPoolTimeouts } from '@fireline/event-store';
import { MESSAGING_ENV_KEYS, messagingConfigSchema, type MessagingConfig } from '@fireline/messaging';
import { z } from 'zod';
import type { ApiKeyPolicy } from '../access/application/api-keys';

/**
 * Configuration of incident-service, parsed once at boot from the environment.
 * Env keys: `INCIDENT_DATABASE_URL` (required, `postgres://…/db`), `INCIDENT_DATABASE_POOL_SIZE` (10),
 * `DATABASE_MIGRATIONS_RUN` (true: run migrations at start-up; false when a migration Job does it),
 * `DATABASE_CONNECT_TIMEOUT_MS` (5000), `DATABASE_STATEMENT_TIMEOUT_MS` (60000, 0 = none),
 * `PROJECTION_POLL_INTERVAL_MS` (100: how often idle projections and the relay look for new events),
 * `ALERTS_RATE_LIMIT_PER_MINUTE` (6000: Events API v2 deliveries accepted per routing key per 60 s, per instance),
 * `API_KEY_DEFAULT_LIFETIME_DAYS` (90: a key created without `expiresAt`), `API_KEY_MAX_LIFETIME_DAYS`
 * (365: the furthest expiry allowed; there is no key without one).
 */
export interface IncidentServiceConfig {
  /** `timeouts` defaults to `DEFAULT_PG_POOL_TIMEOUTS`. */
  database: { url: string; poolSize: number; migrationsRun: boolean; timeouts?: PgPoolTimeouts };
  projections: { pollIntervalMs: number };
  /** Optional so that callers composing the module in code may leave it out: `DEFAULT_ALERTS_CONFIG` applies. */
  alerts?: { rateLimitPerMinute: number };
  /** Optional like `alerts`: `DEFAULT_API_KEY_POLICY` applies. */
  apiKeys?: ApiKeyPolicy;
}

/** Alert ingestion defaults: 6000 deliveries per routing key per minute (100/s; PagerDuty allows far fewer, ours is generous on purpose: alert storms on one key, e.g. the 2,000-delivery storm test, must pass). */
export const DEFAULT_ALERTS_CONFIG: Readonly<NonNullable<IncidentServiceConfig['alerts']>> = Object.freeze({ rateLimitPerMinute: 6000 });

const schema = z
  .object({
    INCIDENT_DATABASE_URL: postgresUrlKey(),
    INCIDENT_DATABASE_POOL_SIZE: integerKey(2, 200, 10),
    DATABASE_MIGRATIONS_RUN: booleanKey(true),
    ...databaseTimeoutKeys(),
    PROJECTION_POLL_INTERVAL_MS: integerKey(10, 60_000, 100),
    ALERTS_RATE_LIMIT_PER_MINUTE: integerKey(1, 1_000_000, DEFAULT_ALERTS_CONFIG.rateLimitPerMinute),
    API_KEY_DEFAULT_LIFETIME_DAYS: integerKey(1, 3650, 90),
    API_KEY_MAX_LIFETIME_DAYS: integerKey(1, 3650, 365),
  })
  .refine((e) => e.API_KEY_DEFAULT_LIFETIME_DAYS <= e.API_KEY_MAX_LIFETIME_DAYS, {
    path: ['API_KEY_DEFAULT_LIFETIME_DAYS'],
    message: 'must not exceed API_KEY_MAX_LIFETIME_DAYS',
  });

const httpSchema = httpListenerSchema(3001);

/** Every environment key incident-service reads when run alone (its own, `HOST`/`PORT` and the `HTTP_*` server limits, the messaging and auth keys). */
export const INCIDENT_SERVICE_ENV_KEYS: readonly string[] = Object.freeze([...environmentKeysOf(schema, httpSchema), ...MESSAGING_ENV_KEYS, ...AUTH_ENV_KEYS]);

/**
 * @throws ConfigError naming every invalid key, e.g. `INCIDENT_DATABASE_URL: must be a postgres:// or postgresql:// URL`.
 */
export function loadIncidentServiceConfig(env: NodeJS.ProcessEnv): IncidentServiceConfig {
  return toServiceConfig(parseEnvironment(APP, env, { own: schema }).own);
}

/** incident-service deployed alone: its listener (`HOST`, `PORT`), its own keys and the transport (`messagingConfigSchema`'s keys). */
export interface IncidentServiceStandaloneConfig {
  /** `HOST`, `PORT` and the `HTTP_*` server limits. */
  http: { host: string; port: number; limits: HttpServerLimits };
  service: IncidentServiceConfig;
  messaging: MessagingConfig;
  /** The `AUTH_*`, `API_RATE_LIMIT_PER_MINUTE`, `AUTH_FAILURE_LIMIT_PER_MINUTE`, `METRICS_PUBLIC` keys. */
  auth: AuthConfig;
}

/**
 * `loadIncidentServiceConfig` plus `HOST` (0.0.0.0), `PORT` (3001), `MESSAGING_TRANSPORT` and the `KAFKA_*` keys, and the
 * auth keys (`authConfigSchema`), for `main.ts`.
 * @throws ConfigError naming every invalid key of all four sets.
 */
export function loadIncidentServiceStandaloneConfig(env: NodeJS.ProcessEnv): IncidentServiceStandaloneConfig {
  const { own, http, messaging, auth } = parseEnvironment(APP, env, { own: schema, http: httpSchema, messaging: messagingConfigSchema(APP), auth: authConfigSchema() });
  return { http: httpListenerOf(http), service: toServiceConfig(own), messaging, auth: authConfigOf(auth) };
}

const APP = 'incident-service';

function toServiceConfig(e: z.output<typeof schema>): IncidentServiceConfig {
  return {
    database: { url: e.INCIDENT_DATABASE_URL, poolSize: e.INCIDENT_DATABASE_POOL_SIZE, migrationsRun: e.DATABASE_MIGRATIONS_RUN, timeouts: databaseTimeoutsOf(e) },
    projections: { pollIntervalMs: e.PROJECTION_POLL_INTERVAL_MS },
    alerts: { rateLimitPerMinute: e.ALERTS_RATE_LIMIT_PER_MINUTE },
    apiKeys: { defaultLifetimeDays: e.API_KEY_DEFAULT_LIFETIME_DAYS, maxLifetimeDays: e.API_KEY_MAX_LIFETIME_DAYS },
  };
}
