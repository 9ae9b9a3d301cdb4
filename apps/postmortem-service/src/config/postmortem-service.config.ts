import { AUTH_ENV_KEYS, authConfigOf, authConfigSchema, type AuthConfig } from '@fireline/auth';
import { booleanKey, environmentKeysOf, httpListenerOf, httpListenerSchema, type HttpServerLimits, integerKey, parseEnvironment, postgresUrlKey } from '@fireline/config';
import { databaseTimeoutKeys, databaseTimeoutsOf, DEFAULT_SERVICE_LINGER_MS, type PgPoolTimeouts } from '@fireline/event-store';
import { MESSAGING_ENV_KEYS, messagingConfigSchema, type MessagingConfig } from '@fireline/messaging';
import { z } from 'zod';

/** The postmortem service's configuration, parsed once at boot (see `loadPostmortemServiceConfig`). */
export interface PostmortemServiceConfig {
  /** `timeouts` defaults to `DEFAULT_PG_POOL_TIMEOUTS`. */
  database: { url: string; poolSize: number; migrationsRun: boolean; timeouts?: PgPoolTimeouts };
  /** Hours after an incident's resolution its postmortem is due (default 48). */
  postmortemDueHours: number;
  /**
   * How often idle projections and the relay look for new events (default 100 ms), and how long they
   * wait to take more events per page under sustained appends (`SubscriptionOptions.lingerMs`,
   * default `DEFAULT_SERVICE_LINGER_MS`).
   */
  projections?: { pollIntervalMs: number; lingerMs?: number };
}

const APP = 'postmortem-service';

const environmentSchema = z.object({
  POSTMORTEM_DATABASE_URL: postgresUrlKey(),
  POSTMORTEM_DATABASE_POOL_SIZE: integerKey(1, 200, 10),
  DATABASE_MIGRATIONS_RUN: booleanKey(true),
  ...databaseTimeoutKeys(),
  POSTMORTEM_DUE_HOURS: integerKey(1, 24 * 365, 48),
  PROJECTION_POLL_INTERVAL_MS: integerKey(1, 60_000, 100),
  PROJECTION_LINGER_MS: integerKey(0, 5_000, DEFAULT_SERVICE_LINGER_MS),
});

const httpSchema = httpListenerSchema(3003);

/** Every environment key postmortem-service reads when run alone (its own, `HOST`/`PORT` and the `HTTP_*` server limits, the messaging and auth keys). */
export const POSTMORTEM_SERVICE_ENV_KEYS: readonly string[] = Object.freeze([...environmentKeysOf(environmentSchema, httpSchema), ...MESSAGING_ENV_KEYS, ...AUTH_ENV_KEYS]);

/**
 * Parses the service's environment variables (names as in the k8s ConfigMap): `POSTMORTEM_DATABASE_URL`
 * (required), `POSTMORTEM_DATABASE_POOL_SIZE` (10), `DATABASE_MIGRATIONS_RUN` (true), `DATABASE_CONNECT_TIMEOUT_MS`
 * (5000), `DATABASE_STATEMENT_TIMEOUT_MS` (60000, 0 = none), `POSTMORTEM_DUE_HOURS`
 * (48), `PROJECTION_POLL_INTERVAL_MS` (100), `PROJECTION_LINGER_MS` (100; 0 = never). Empty values count as unset.
 * @throws ConfigError naming every bad key.
 */
export function loadPostmortemServiceConfig(env: NodeJS.ProcessEnv): PostmortemServiceConfig {
  return toServiceConfig(parseEnvironment(APP, env, { own: environmentSchema }).own);
}

/** The postmortem service deployed alone: its own keys, the HTTP listener and the transport. */
export interface PostmortemServiceStandaloneConfig {
  service: PostmortemServiceConfig;
  /** `HOST`, `PORT` and the `HTTP_*` server limits. */
  http: { host: string; port: number; limits: HttpServerLimits };
  /** `MESSAGING_TRANSPORT` and the `KAFKA_*` keys (see `messagingConfigSchema`). */
  messaging: MessagingConfig;
  /** The auth keys (see `authConfigSchema`). */
  auth: AuthConfig;
}

/**
 * `loadPostmortemServiceConfig`, `HOST` (0.0.0.0) / `PORT` (3003), the transport and the auth keys, for `main.ts`.
 * @throws ConfigError naming every bad key of all three sets.
 */
export function loadPostmortemServiceStandaloneConfig(env: NodeJS.ProcessEnv): PostmortemServiceStandaloneConfig {
  const { own, http, messaging, auth } = parseEnvironment(APP, env, { own: environmentSchema, http: httpSchema, messaging: messagingConfigSchema(APP), auth: authConfigSchema() });
  return { service: toServiceConfig(own), http: httpListenerOf(http), messaging, auth: authConfigOf(auth) };
}

function toServiceConfig(values: z.output<typeof environmentSchema>): PostmortemServiceConfig {
  return {
    database: {
      url: values.POSTMORTEM_DATABASE_URL,
      poolSize: values.POSTMORTEM_DATABASE_POOL_SIZE,
      migrationsRun: values.DATABASE_MIGRATIONS_RUN,
      timeouts: databaseTimeoutsOf(values),
    },
    postmortemDueHours: values.POSTMORTEM_DUE_HOURS,
    projections: { pollIntervalMs: values.PROJECTION_POLL_INTERVAL_MS, lingerMs: values.PROJECTION_LINGER_MS },
  };
}
