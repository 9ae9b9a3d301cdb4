import { AUTH_ENV_KEYS, authConfigOf, authConfigSchema, type AuthConfig } from '@fireline/auth';
import { blankAsUnset, booleanKey, environmentKeysOf, httpListenerOf, httpListenerSchema, type HttpServerLimits, integerKey, parseEnvironment, postgresUrlKey } from '@fireline/config';
import { databaseTimeoutKeys, databaseTimeoutsOf, DEFAULT_SERVICE_LINGER_MS, type PgPoolTimeouts } from '@fireline/event-store';
import { MESSAGING_ENV_KEYS, messagingConfigSchema, type MessagingConfig } from '@fireline/messaging';
import { ENCRYPTION_ENV_KEYS, encryptionKeysSchema, type EncryptionKeys } from '@fireline/secrets';
import { z } from 'zod';
import { DEFAULT_ALERT_LABEL_NAMES, type AlertLabelNames } from '../alert-intake/domain/alert-labels';
import type { ApiKeyPolicy } from '../access/application/api-keys';
import { DEFAULT_POSTMORTEM_POLICY, formatPostmortemPolicy, parsePostmortemPolicy, type PostmortemPolicy } from '../incidents/domain/postmortem-policy';

/**
 * Configuration of incident-service, parsed once at boot from the environment.
 * Env keys: `INCIDENT_DATABASE_URL` (required, `postgres://…/db`), `INCIDENT_DATABASE_POOL_SIZE` (10),
 * `DATABASE_MIGRATIONS_RUN` (true: run migrations at start-up; false when a migration Job does it),
 * `DATABASE_CONNECT_TIMEOUT_MS` (5000), `DATABASE_STATEMENT_TIMEOUT_MS` (60000, 0 = none),
 * `PROJECTION_POLL_INTERVAL_MS` (100: how often idle projections and the relay look for new events),
 * `PROJECTION_LINGER_MS` (100: under sustained appends, how long they wait to take more events per page; 0 = never),
 * `ALERTS_RATE_LIMIT_PER_MINUTE` (6000: Events API v2 deliveries accepted per routing key per 60 s, per instance),
 * `STATUS_PAGES_PUBLIC_URL` (http://localhost:3000), `STATUS_PAGES_TIMER_POLL_INTERVAL_MS` (1000),
 * `STATUS_PAGES_CACHE_REVALIDATE_MS` (500): see `StatusPagesConfig`;
 * `ALERT_INTAKE_UNAUTHENTICATED_MAX_PER_WINDOW` (20) and `ALERT_INTAKE_UNAUTHENTICATED_WINDOW_MS` (1 h):
 * deliveries that fail authentication kept in an integration's ledger per window, the rest only counted;
 * `ALERT_SERVICE_LABELS` (service), `ALERT_SEVERITY_LABELS` (severity), `ALERT_MEMBERSHIP_NOTE_WINDOW_MS` (60000),
 * `ALERT_EXPIRE_AFTER_MS` (12 h, 0 = never):
 * see `AlertIntakeConfig`;
 * `FIRELINE_ENCRYPTION_KEY` (required), `FIRELINE_ENCRYPTION_KEY_ID`, `FIRELINE_ENCRYPTION_OLD_KEYS`;
 * `API_KEY_DEFAULT_LIFETIME_DAYS` (90: a key created without `expiresAt`), `API_KEY_MAX_LIFETIME_DAYS`
 * (365: the furthest expiry allowed; there is no key without one);
 * `POSTMORTEM_REQUIRED_FOR` (`SEV1,SEV2,human`): see `PostmortemPolicy`.
 */
export interface IncidentServiceConfig {
  /** `timeouts` defaults to `DEFAULT_PG_POOL_TIMEOUTS`. */
  database: { url: string; poolSize: number; migrationsRun: boolean; timeouts?: PgPoolTimeouts };
  /** `lingerMs`: see `SubscriptionOptions.lingerMs`; `DEFAULT_SERVICE_LINGER_MS` when left out. */
  projections: { pollIntervalMs: number; lingerMs?: number };
  /** Optional so that callers composing the module in code may leave it out: `DEFAULT_ALERTS_CONFIG` applies. */
  alerts?: { rateLimitPerMinute: number };
  /** Optional like `alerts`: `DEFAULT_STATUS_PAGES_CONFIG` applies. */
  statusPages?: StatusPagesConfig;
  /**
   * Deliveries that fail authentication (bad bearer token, bad signature) are kept in the integration's
   * ledger at most `maxStoredPerWindow` per integration per `windowMs`; the rest are only counted, so that
   * nobody can fill the database by posting garbage. Optional: `DEFAULT_UNAUTHENTICATED_INTAKE` applies.
   */
  unauthenticatedDeliveries?: { maxStoredPerWindow: number; windowMs: number };
  /** Optional like `alerts`: `DEFAULT_ALERT_INTAKE_CONFIG` applies. */
  alertIntake?: AlertIntakeConfig;
  /** Keys of PagerDuty signing secrets and recorded delivery bodies at rest. */
  encryption: EncryptionKeys;
  /** Optional like `alerts`: `DEFAULT_API_KEY_POLICY` applies. */
  apiKeys?: ApiKeyPolicy;
  /**
   * `POSTMORTEM_REQUIRED_FOR`: which resolved incidents need a postmortem (any condition suffices);
   * the others are closed without a draft. Optional: `DEFAULT_POSTMORTEM_POLICY` (`SEV1,SEV2,human`) applies.
   */
  postmortemPolicy?: PostmortemPolicy;
}

/**
 * How alerts become incidents: `labels` names the alert labels that carry the service (the incident's
 * service; the integration's when absent) and the severity (over the sender's), first present wins;
 * `membershipNoteWindowMs`: at most one timeline note per incident per window (ms) about alerts joining
 * or leaving its group, summarising the changes since the previous one; `expireAfterMs`: an alert not
 * re-sent for this long is resolved as expired (default 12 h: three of Alertmanager's default 4 h
 * `repeat_interval`; 0 = never).
 */
export interface AlertIntakeConfig {
  labels: AlertLabelNames;
  membershipNoteWindowMs: number;
  /** An open alert (or group member) not sent again for this long (ms) is resolved as expired; 0 = never. */
  expireAfterMs: number;
}

export const DEFAULT_ALERT_INTAKE_CONFIG: Readonly<AlertIntakeConfig> = Object.freeze({ labels: DEFAULT_ALERT_LABEL_NAMES, membershipNoteWindowMs: 60_000, expireAfterMs: 43_200_000 });

/** A comma-separated list of 1..10 Prometheus label names (`[a-zA-Z_][a-zA-Z0-9_]*`), blanks around commas ignored. */
const labelNamesKey = (fallback: readonly string[]) =>
  blankAsUnset(
    z
      .string()
      .default(fallback.join(','))
      .transform((value) => value.split(',').map((name) => name.trim()).filter((name) => name !== ''))
      .pipe(z.array(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'must be Prometheus label names separated by commas')).min(1).max(10)),
  );

/**
 * Status pages: `publicBaseUrl` is where `/status/{slug}` is reachable (page `url` in the Statuspage
 * JSON and feeds, unless a page has its own); `timerPollIntervalMs` how often due maintenance timers are
 * looked for; `cacheRevalidateMs` how long a rendered public page is served from memory before its
 * read-model version is checked again (0 = check on every request).
 */
export interface StatusPagesConfig {
  publicBaseUrl: string;
  timerPollIntervalMs: number;
  cacheRevalidateMs: number;
}

export const DEFAULT_STATUS_PAGES_CONFIG: Readonly<StatusPagesConfig> = Object.freeze({
  publicBaseUrl: 'http://localhost:3000',
  timerPollIntervalMs: 1000,
  cacheRevalidateMs: 500,
});

/** 20 unauthenticated deliveries kept per integration per hour. */
export const DEFAULT_UNAUTHENTICATED_INTAKE: Readonly<NonNullable<IncidentServiceConfig['unauthenticatedDeliveries']>> = Object.freeze({
  maxStoredPerWindow: 20,
  windowMs: 3_600_000,
});

/** Alert ingestion defaults: 6000 deliveries per routing key per minute (100/s; PagerDuty allows far fewer, ours is generous on purpose: alert storms on one key, e.g. the 2,000-delivery storm test, must pass). */
export const DEFAULT_ALERTS_CONFIG: Readonly<NonNullable<IncidentServiceConfig['alerts']>> = Object.freeze({ rateLimitPerMinute: 6000 });

const schema = z
  .object({
    INCIDENT_DATABASE_URL: postgresUrlKey(),
    INCIDENT_DATABASE_POOL_SIZE: integerKey(2, 200, 10),
    DATABASE_MIGRATIONS_RUN: booleanKey(true),
    ...databaseTimeoutKeys(),
    PROJECTION_POLL_INTERVAL_MS: integerKey(10, 60_000, 100),
    PROJECTION_LINGER_MS: integerKey(0, 5_000, DEFAULT_SERVICE_LINGER_MS),
    ALERTS_RATE_LIMIT_PER_MINUTE: integerKey(1, 1_000_000, DEFAULT_ALERTS_CONFIG.rateLimitPerMinute),
    STATUS_PAGES_PUBLIC_URL: blankAsUnset(
      z
        .string()
        .regex(/^https?:\/\/[^\s/]+(\/[^\s]*)?$/, 'must be an absolute http(s) URL')
        .default(DEFAULT_STATUS_PAGES_CONFIG.publicBaseUrl),
    ),
    STATUS_PAGES_TIMER_POLL_INTERVAL_MS: integerKey(10, 60_000, DEFAULT_STATUS_PAGES_CONFIG.timerPollIntervalMs),
    STATUS_PAGES_CACHE_REVALIDATE_MS: integerKey(0, 60_000, DEFAULT_STATUS_PAGES_CONFIG.cacheRevalidateMs),
    ALERT_INTAKE_UNAUTHENTICATED_MAX_PER_WINDOW: integerKey(0, 100_000, DEFAULT_UNAUTHENTICATED_INTAKE.maxStoredPerWindow),
    ALERT_INTAKE_UNAUTHENTICATED_WINDOW_MS: integerKey(1_000, 7 * 86_400_000, DEFAULT_UNAUTHENTICATED_INTAKE.windowMs),
    ALERT_SERVICE_LABELS: labelNamesKey(DEFAULT_ALERT_LABEL_NAMES.service),
    ALERT_SEVERITY_LABELS: labelNamesKey(DEFAULT_ALERT_LABEL_NAMES.severity),
    ALERT_MEMBERSHIP_NOTE_WINDOW_MS: integerKey(0, 86_400_000, DEFAULT_ALERT_INTAKE_CONFIG.membershipNoteWindowMs),
    ALERT_EXPIRE_AFTER_MS: integerKey(0, 30 * 86_400_000, DEFAULT_ALERT_INTAKE_CONFIG.expireAfterMs),
    API_KEY_DEFAULT_LIFETIME_DAYS: integerKey(1, 3650, 90),
    API_KEY_MAX_LIFETIME_DAYS: integerKey(1, 3650, 365),
    POSTMORTEM_REQUIRED_FOR: blankAsUnset(
      z
        .string()
        .default(formatPostmortemPolicy(DEFAULT_POSTMORTEM_POLICY))
        .transform((value, ctx) => {
          const parsed = parsePostmortemPolicy(value);
          if ('error' in parsed) {
            ctx.addIssue({ code: 'custom', message: parsed.error });
            return z.NEVER;
          }
          return parsed.policy;
        }),
    ),
  })
  .refine((e) => e.API_KEY_DEFAULT_LIFETIME_DAYS <= e.API_KEY_MAX_LIFETIME_DAYS, {
    path: ['API_KEY_DEFAULT_LIFETIME_DAYS'],
    message: 'must not exceed API_KEY_MAX_LIFETIME_DAYS',
  });

const httpSchema = httpListenerSchema(3001);

/** Every environment key incident-service reads when run alone (its own, `HOST`/`PORT` and the `HTTP_*` server limits, the encryption keys, the messaging and auth keys). */
export const INCIDENT_SERVICE_ENV_KEYS: readonly string[] = Object.freeze([...environmentKeysOf(schema, httpSchema), ...ENCRYPTION_ENV_KEYS, ...MESSAGING_ENV_KEYS, ...AUTH_ENV_KEYS]);

/**
 * @throws ConfigError naming every invalid key, e.g. `INCIDENT_DATABASE_URL: must be a postgres:// or postgresql:// URL`.
 */
export function loadIncidentServiceConfig(env: NodeJS.ProcessEnv): IncidentServiceConfig {
  const { own, encryption } = parseEnvironment(APP, env, { own: schema, encryption: encryptionKeysSchema });
  return toServiceConfig(own, encryption);
}

/**
 * What `migrate.js` needs: `INCIDENT_DATABASE_URL` (migrations touch no secret, so no key is required).
 * @throws ConfigError when it is missing or not a postgres URL.
 */
export function loadIncidentServiceDatabaseUrl(env: NodeJS.ProcessEnv): string {
  return parseEnvironment(APP, env, { own: z.object({ INCIDENT_DATABASE_URL: postgresUrlKey() }) }).own.INCIDENT_DATABASE_URL;
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
 * @throws ConfigError naming every invalid key of all sets (also a missing `FIRELINE_ENCRYPTION_KEY`).
 */
export function loadIncidentServiceStandaloneConfig(env: NodeJS.ProcessEnv): IncidentServiceStandaloneConfig {
  const { own, http, messaging, encryption, auth } = parseEnvironment(APP, env, {
    own: schema,
    http: httpSchema,
    messaging: messagingConfigSchema(APP),
    encryption: encryptionKeysSchema,
    auth: authConfigSchema(),
  });
  return { http: httpListenerOf(http), service: toServiceConfig(own, encryption), messaging, auth: authConfigOf(auth) };
}

const APP = 'incident-service';

function toServiceConfig(e: z.output<typeof schema>, encryption: EncryptionKeys): IncidentServiceConfig {
  return {
    encryption,
    unauthenticatedDeliveries: { maxStoredPerWindow: e.ALERT_INTAKE_UNAUTHENTICATED_MAX_PER_WINDOW, windowMs: e.ALERT_INTAKE_UNAUTHENTICATED_WINDOW_MS },
    database: { url: e.INCIDENT_DATABASE_URL, poolSize: e.INCIDENT_DATABASE_POOL_SIZE, migrationsRun: e.DATABASE_MIGRATIONS_RUN, timeouts: databaseTimeoutsOf(e) },
    projections: { pollIntervalMs: e.PROJECTION_POLL_INTERVAL_MS, lingerMs: e.PROJECTION_LINGER_MS },
    alerts: { rateLimitPerMinute: e.ALERTS_RATE_LIMIT_PER_MINUTE },
    alertIntake: {
      labels: { service: e.ALERT_SERVICE_LABELS, severity: e.ALERT_SEVERITY_LABELS },
      membershipNoteWindowMs: e.ALERT_MEMBERSHIP_NOTE_WINDOW_MS,
      expireAfterMs: e.ALERT_EXPIRE_AFTER_MS,
    },
    statusPages: {
      publicBaseUrl: e.STATUS_PAGES_PUBLIC_URL.replace(/\/+$/, ''),
      timerPollIntervalMs: e.STATUS_PAGES_TIMER_POLL_INTERVAL_MS,
      cacheRevalidateMs: e.STATUS_PAGES_CACHE_REVALIDATE_MS,
    },
    apiKeys: { defaultLifetimeDays: e.API_KEY_DEFAULT_LIFETIME_DAYS, maxLifetimeDays: e.API_KEY_MAX_LIFETIME_DAYS },
    postmortemPolicy: e.POSTMORTEM_REQUIRED_FOR,
  };
}
