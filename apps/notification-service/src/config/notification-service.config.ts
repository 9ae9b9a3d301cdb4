import { AUTH_ENV_KEYS, authConfigOf, authConfigSchema, type AuthConfig } from '@fireline/auth';
import { blankAsUnset, booleanKey, environmentKeysOf, httpListenerOf, httpListenerSchema, type HttpServerLimits, integerKey, parseEnvironment, postgresUrlKey } from '@fireline/config';
import { databaseTimeoutKeys, databaseTimeoutsOf, type PgPoolTimeouts } from '@fireline/event-store';
import { MESSAGING_ENV_KEYS, messagingConfigSchema, type MessagingConfig } from '@fireline/messaging';
import { ENCRYPTION_ENV_KEYS, encryptionKeysSchema, type EncryptionKeys } from '@fireline/secrets';
import { z } from 'zod';
import { DEFAULT_RETRY_POLICY } from '../notifications/domain/retry-policy';
import { parseAllowedHosts, type OutboundPolicy } from '../outbound/domain/outbound-destination.policy';

/** The notification service's settings, parsed once at boot. Durations in milliseconds. */
export interface NotificationServiceConfig {
  /** `timeouts` (`DATABASE_CONNECT_TIMEOUT_MS`, `DATABASE_STATEMENT_TIMEOUT_MS`) defaults to `DEFAULT_PG_POOL_TIMEOUTS`. */
  database: { url: string; poolSize: number; migrationsRun: boolean; timeouts?: PgPoolTimeouts };
  delivery: {
    /** How long a round keeps retrying, from its first attempt, before dead-lettering (default 24 h). */
    retryWindowMs: number;
    /** Optional cap on attempts per round; null (default) leaves it to the retry window. */
    maxAttempts: number | null;
    /** Backoff base: the wait after attempt n is in [c/2, c], c = min(maxDelayMs, baseDelayMs·2^(n-1)) (default 1000). */
    baseDelayMs: number;
    /** Backoff cap, also the longest `Retry-After` honoured (default 1 h). */
    maxDelayMs: number;
    /** Per-attempt HTTP timeout (default 5000). */
    timeoutMs: number;
    /** Queue poll interval when idle (default 250). */
    pollIntervalMs: number;
    /** Sends in flight per process (default 4). */
    concurrency: number;
    /**
     * How long a claimed delivery stays leased (default 2·timeoutMs + 10 s). A process killed mid-send
     * leaves its claims; another worker resends them (same delivery id) once the lease runs out.
     * Must exceed timeoutMs, or a slow live send would be claimed twice.
     */
    leaseMs?: number;
    /**
     * One breaker per target origin in each process: it opens after `failureThreshold` retryable
     * failures in a row (default 5) and lets one probe through `halfOpenAfterMs` later (default 30 s).
     */
    circuitBreaker: { failureThreshold: number; halfOpenAfterMs: number };
  };
  /**
   * Where deliveries may go (default: https to public unicast addresses only). `OUTBOUND_ALLOWED_HOSTS`
   * (host names, IPs, CIDRs) and `OUTBOUND_ALLOW_HTTP` widen it; optional so that code composing the
   * module may leave it out and get the default.
   */
  outbound?: OutboundPolicy;
  /** Keys of webhook secrets and target URLs at rest (`FIRELINE_ENCRYPTION_KEY`, `_KEY_ID`, `_OLD_KEYS`). */
  encryption: EncryptionKeys;
}

/** Settings of `main.ts` when the service runs on its own. */
export interface NotificationServiceStandaloneConfig {
  /** `HOST`, `PORT` and the `HTTP_*` server limits. */
  http: { host: string; port: number; limits: HttpServerLimits };
  service: NotificationServiceConfig;
  /** `MESSAGING_TRANSPORT` and the `KAFKA_*` keys (see `messagingConfigSchema`). */
  messaging: MessagingConfig;
  /** The auth keys (see `authConfigSchema`). */
  auth: AuthConfig;
}

const schema = z
  .object({
    NOTIFICATION_DATABASE_URL: postgresUrlKey(),
    NOTIFICATION_DATABASE_POOL_SIZE: integerKey(1, 200, 10),
    DATABASE_MIGRATIONS_RUN: booleanKey(true),
    ...databaseTimeoutKeys(),
    NOTIFICATION_DELIVERY_RETRY_WINDOW_MS: integerKey(1, 30 * 86_400_000, DEFAULT_RETRY_POLICY.retryWindowMs),
    // Before the retry window this was the only limit (6 attempts, lost after ~30 s); now optional.
    NOTIFICATION_DELIVERY_MAX_ATTEMPTS: blankAsUnset(z.coerce.number().int().min(1).max(10_000).optional()),
    NOTIFICATION_DELIVERY_BASE_DELAY_MS: integerKey(1, 3_600_000, DEFAULT_RETRY_POLICY.baseDelayMs),
    NOTIFICATION_DELIVERY_MAX_DELAY_MS: integerKey(1, 86_400_000, DEFAULT_RETRY_POLICY.maxDelayMs),
    NOTIFICATION_DELIVERY_TIMEOUT_MS: integerKey(1, 120_000, 5_000),
    NOTIFICATION_DELIVERY_POLL_INTERVAL_MS: integerKey(1, 60_000, 250),
    NOTIFICATION_DELIVERY_CONCURRENCY: integerKey(1, 256, 4),
    NOTIFICATION_DELIVERY_LEASE_MS: blankAsUnset(z.coerce.number().int().min(1).max(3_600_000).optional()),
    NOTIFICATION_DELIVERY_BREAKER_FAILURES: integerKey(1, 1_000, 5),
    NOTIFICATION_DELIVERY_BREAKER_HALF_OPEN_MS: integerKey(1, 3_600_000, 30_000),
    OUTBOUND_ALLOWED_HOSTS: blankAsUnset(
      z
        .string()
        .default('')
        .transform((value, ctx) => {
          const parsed = parseAllowedHosts(value.split(','));
          if (parsed.invalid.length > 0) {
            ctx.addIssue({ code: 'custom', message: `not a host name, IP address or CIDR range: ${parsed.invalid.join(', ')}` });
            return z.NEVER;
          }
          return { allowedHostNames: parsed.allowedHostNames, allowedNetworks: parsed.allowedNetworks };
        }),
    ),
    OUTBOUND_ALLOW_HTTP: booleanKey(false),
  })
  .superRefine((env, ctx) => {
    if (env.NOTIFICATION_DELIVERY_MAX_DELAY_MS < env.NOTIFICATION_DELIVERY_BASE_DELAY_MS) {
      ctx.addIssue({ code: 'custom', path: ['NOTIFICATION_DELIVERY_MAX_DELAY_MS'], message: 'must be >= NOTIFICATION_DELIVERY_BASE_DELAY_MS' });
    }
    if (env.NOTIFICATION_DELIVERY_LEASE_MS !== undefined && env.NOTIFICATION_DELIVERY_LEASE_MS <= env.NOTIFICATION_DELIVERY_TIMEOUT_MS) {
      ctx.addIssue({ code: 'custom', path: ['NOTIFICATION_DELIVERY_LEASE_MS'], message: 'must be greater than NOTIFICATION_DELIVERY_TIMEOUT_MS' });
    }
  });

const httpSchema = httpListenerSchema(3002);

const APP = 'notification-service';

/** Every environment key notification-service reads when run alone (its own, `HOST`/`PORT` and the `HTTP_*` server limits, the encryption keys, the messaging and auth keys). */
export const NOTIFICATION_SERVICE_ENV_KEYS: readonly string[] = Object.freeze([...environmentKeysOf(schema, httpSchema), ...ENCRYPTION_ENV_KEYS, ...MESSAGING_ENV_KEYS, ...AUTH_ENV_KEYS]);

/**
 * Reads the service's variables (names as in the k8s ConfigMap) from `env`.
 * @throws ConfigError naming every missing or invalid variable at once.
 */
export function loadNotificationServiceConfig(env: NodeJS.ProcessEnv): NotificationServiceConfig {
  const { own, encryption } = parseEnvironment(APP, env, { own: schema, encryption: encryptionKeysSchema });
  return toServiceConfig(own, encryption);
}

/**
 * What `migrate.js` needs: `NOTIFICATION_DATABASE_URL` (migrations touch no secret, so no key is required).
 * @throws ConfigError when it is missing or not a postgres URL.
 */
export function loadNotificationServiceDatabaseUrl(env: NodeJS.ProcessEnv): string {
  return parseEnvironment(APP, env, { own: z.object({ NOTIFICATION_DATABASE_URL: postgresUrlKey() }) }).own.NOTIFICATION_DATABASE_URL;
}

/**
 * `loadNotificationServiceConfig` plus `HOST` (0.0.0.0) / `PORT` (3002) and the transport
 * (`MESSAGING_TRANSPORT`, `KAFKA_*`) and the auth keys (`authConfigSchema`) for `main.ts`. Refuses to start
 * without `FIRELINE_ENCRYPTION_KEY`.
 * @throws ConfigError naming every bad variable of all four sets.
 */
export function loadNotificationServiceStandaloneConfig(env: NodeJS.ProcessEnv): NotificationServiceStandaloneConfig {
  const { own, http, messaging, encryption, auth } = parseEnvironment(APP, env, {
    own: schema,
    http: httpSchema,
    messaging: messagingConfigSchema(APP),
    encryption: encryptionKeysSchema,
    auth: authConfigSchema(),
  });
  return { http: httpListenerOf(http), service: toServiceConfig(own, encryption), messaging, auth: authConfigOf(auth) };
}

function toServiceConfig(parsed: z.output<typeof schema>, encryption: EncryptionKeys): NotificationServiceConfig {
  return {
    encryption,
    outbound: { allowHttp: parsed.OUTBOUND_ALLOW_HTTP, ...parsed.OUTBOUND_ALLOWED_HOSTS },
    database: {
      url: parsed.NOTIFICATION_DATABASE_URL,
      poolSize: parsed.NOTIFICATION_DATABASE_POOL_SIZE,
      migrationsRun: parsed.DATABASE_MIGRATIONS_RUN,
      timeouts: databaseTimeoutsOf(parsed),
    },
    delivery: {
      retryWindowMs: parsed.NOTIFICATION_DELIVERY_RETRY_WINDOW_MS,
      maxAttempts: parsed.NOTIFICATION_DELIVERY_MAX_ATTEMPTS ?? null,
      baseDelayMs: parsed.NOTIFICATION_DELIVERY_BASE_DELAY_MS,
      maxDelayMs: parsed.NOTIFICATION_DELIVERY_MAX_DELAY_MS,
      timeoutMs: parsed.NOTIFICATION_DELIVERY_TIMEOUT_MS,
      pollIntervalMs: parsed.NOTIFICATION_DELIVERY_POLL_INTERVAL_MS,
      concurrency: parsed.NOTIFICATION_DELIVERY_CONCURRENCY,
      leaseMs: parsed.NOTIFICATION_DELIVERY_LEASE_MS,
      circuitBreaker: { failureThreshold: parsed.NOTIFICATION_DELIVERY_BREAKER_FAILURES, halfOpenAfterMs: parsed.NOTIFICATION_DELIVERY_BREAKER_HALF_OPEN_MS },
    },
  };
}
