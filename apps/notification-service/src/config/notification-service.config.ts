import { MESSAGING_ENV_KEYS, parseMessagingConfig, type MessagingConfig } from '@fireline/messaging';
import { z } from 'zod';

/** The notification service's settings, parsed once at boot. Durations in milliseconds. */
export interface NotificationServiceConfig {
  database: { url: string; poolSize: number; migrationsRun: boolean };
  delivery: {
    /** Attempts per round before a delivery is dead-lettered (default 6). */
    maxAttempts: number;
    /** Backoff base: the ceiling after attempt n is min(maxDelayMs, baseDelayMs·2^(n-1)) (default 1000). */
    baseDelayMs: number;
    maxDelayMs: number;
    /** Per-attempt HTTP timeout (default 5000). */
    timeoutMs: number;
    /** Queue poll interval when idle (default 250). */
    pollIntervalMs: number;
    /** Sends in flight per process (default 4). */
    concurrency: number;
  };
}

/** Settings of `main.ts` when the service runs on its own. */
export interface NotificationServiceStandaloneConfig {
  http: { host: string; port: number };
  service: NotificationServiceConfig;
  /** `MESSAGING_TRANSPORT` and the `KAFKA_*` keys (see `messagingConfigSchema`). */
  messaging: MessagingConfig;
}

const int = (min: number, max: number, fallback: number) => z.coerce.number().int().min(min).max(max).default(fallback);

const booleanFlag = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0'])
    .default(fallback ? 'true' : 'false')
    .transform((value) => value === 'true' || value === '1');

const postgresUrl = z.string().refine((value) => {
  try {
    return ['postgres:', 'postgresql:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}, 'must be a postgres:// or postgresql:// URL');

const schema = z
  .object({
    NOTIFICATION_DATABASE_URL: postgresUrl,
    NOTIFICATION_DATABASE_POOL_SIZE: int(1, 200, 10),
    DATABASE_MIGRATIONS_RUN: booleanFlag(true),
    NOTIFICATION_DELIVERY_MAX_ATTEMPTS: int(1, 100, 6),
    NOTIFICATION_DELIVERY_BASE_DELAY_MS: int(1, 3_600_000, 1_000),
    NOTIFICATION_DELIVERY_MAX_DELAY_MS: int(1, 86_400_000, 300_000),
    NOTIFICATION_DELIVERY_TIMEOUT_MS: int(1, 120_000, 5_000),
    NOTIFICATION_DELIVERY_POLL_INTERVAL_MS: int(1, 60_000, 250),
    NOTIFICATION_DELIVERY_CONCURRENCY: int(1, 256, 4),
  })
  .superRefine((env, ctx) => {
    if (env.NOTIFICATION_DELIVERY_MAX_DELAY_MS < env.NOTIFICATION_DELIVERY_BASE_DELAY_MS) {
      ctx.addIssue({ code: 'custom', path: ['NOTIFICATION_DELIVERY_MAX_DELAY_MS'], message: 'must be >= NOTIFICATION_DELIVERY_BASE_DELAY_MS' });
    }
  });

const standaloneSchema = z.object({
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: int(1, 65_535, 3002),
});

/** Every environment key notification-service reads when run alone (its own, `HOST`/`PORT`, the messaging keys). */
export const NOTIFICATION_SERVICE_ENV_KEYS: readonly string[] = Object.freeze([...Object.keys(schema.shape), ...Object.keys(standaloneSchema.shape), ...MESSAGING_ENV_KEYS]);

function parseOrThrow<T extends z.ZodType>(schema: T, env: NodeJS.ProcessEnv): z.output<T> {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `  ${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new Error(`Invalid notification-service configuration:\n${problems.join('\n')}`);
  }
  return result.data;
}

/**
 * Reads the service's variables (names as in the k8s ConfigMap) from `env`.
 * @throws Error naming every missing or invalid variable at once.
 */
export function loadNotificationServiceConfig(env: NodeJS.ProcessEnv): NotificationServiceConfig {
  const parsed = parseOrThrow(schema, env);
  return {
    database: {
      url: parsed.NOTIFICATION_DATABASE_URL,
      poolSize: parsed.NOTIFICATION_DATABASE_POOL_SIZE,
      migrationsRun: parsed.DATABASE_MIGRATIONS_RUN,
    },
    delivery: {
      maxAttempts: parsed.NOTIFICATION_DELIVERY_MAX_ATTEMPTS,
      baseDelayMs: parsed.NOTIFICATION_DELIVERY_BASE_DELAY_MS,
      maxDelayMs: parsed.NOTIFICATION_DELIVERY_MAX_DELAY_MS,
      timeoutMs: parsed.NOTIFICATION_DELIVERY_TIMEOUT_MS,
      pollIntervalMs: parsed.NOTIFICATION_DELIVERY_POLL_INTERVAL_MS,
      concurrency: parsed.NOTIFICATION_DELIVERY_CONCURRENCY,
    },
  };
}

/**
 * `loadNotificationServiceConfig` plus `HOST` (0.0.0.0) / `PORT` (3002) and the transport
 * (`MESSAGING_TRANSPORT`, `KAFKA_*`) for `main.ts`.
 * @throws Error naming every bad variable of both sets.
 */
export function loadNotificationServiceStandaloneConfig(env: NodeJS.ProcessEnv): NotificationServiceStandaloneConfig {
  const errors: string[] = [];
  let service: NotificationServiceConfig | undefined;
  let http: z.output<typeof standaloneSchema> | undefined;
  try {
    service = loadNotificationServiceConfig(env);
  } catch (error) {
    errors.push((error as Error).message.split('\n').slice(1).join('\n'));
  }
  try {
    http = parseOrThrow(standaloneSchema, env);
  } catch (error) {
    errors.push((error as Error).message.split('\n').slice(1).join('\n'));
  }
  const messaging = parseMessagingConfig(env, 'notification-service');
  errors.push(...messaging.problems.map((problem) => `  ${problem}`));
  if (!service || !http || !messaging.config) throw new Error(`Invalid notification-service configuration:\n${errors.join('\n')}`);
  return { http: { host: http.HOST, port: http.PORT }, service, messaging: messaging.config };
}
