import { MESSAGING_ENV_KEYS, parseMessagingConfig, type MessagingConfig } from '@fireline/messaging';
import { z } from 'zod';

/** The postmortem service's configuration, parsed once at boot (see `loadPostmortemServiceConfig`). */
export interface PostmortemServiceConfig {
  database: { url: string; poolSize: number; migrationsRun: boolean };
  /** Hours after an incident's resolution its postmortem is due (default 48). */
  postmortemDueHours: number;
  /** How often idle projections and the relay look for new events (default 100 ms). */
  projections?: { pollIntervalMs: number };
}

const booleanFlag = z
  .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
  .transform((value) => value === 'true' || value === '1');

const positiveInteger = (max: number) =>
  z
    .string()
    .regex(/^\d+$/, { error: 'must be a positive integer' })
    .transform(Number)
    .pipe(z.number().int().min(1, { error: 'must be at least 1' }).max(max, { error: `must be at most ${max}` }));

const environmentSchema = z.object({
  POSTMORTEM_DATABASE_URL: z
    .string({ error: 'is required' })
    .regex(/^postgres(ql)?:\/\/.+/, { error: 'must be a postgres:// URL' }),
  POSTMORTEM_DATABASE_POOL_SIZE: positiveInteger(200).default(10),
  DATABASE_MIGRATIONS_RUN: booleanFlag.default(true),
  POSTMORTEM_DUE_HOURS: positiveInteger(24 * 365).default(48),
  PROJECTION_POLL_INTERVAL_MS: positiveInteger(60_000).default(100),
});

/**
 * Parses the service's environment variables (names as in the k8s ConfigMap): `POSTMORTEM_DATABASE_URL`
 * (required), `POSTMORTEM_DATABASE_POOL_SIZE` (10), `DATABASE_MIGRATIONS_RUN` (true), `POSTMORTEM_DUE_HOURS`
 * (48), `PROJECTION_POLL_INTERVAL_MS` (100). Empty values count as unset. Fails fast with one error
 * naming every bad key.
 * @throws Error `Invalid postmortem-service configuration: KEY: problem; …`
 */
export function loadPostmortemServiceConfig(env: NodeJS.ProcessEnv): PostmortemServiceConfig {
  const present = (key: string): string | undefined => (env[key] === undefined || env[key] === '' ? undefined : env[key]);
  const parsed = environmentSchema.safeParse({
    POSTMORTEM_DATABASE_URL: present('POSTMORTEM_DATABASE_URL'),
    POSTMORTEM_DATABASE_POOL_SIZE: present('POSTMORTEM_DATABASE_POOL_SIZE'),
    DATABASE_MIGRATIONS_RUN: present('DATABASE_MIGRATIONS_RUN'),
    POSTMORTEM_DUE_HOURS: present('POSTMORTEM_DUE_HOURS'),
    PROJECTION_POLL_INTERVAL_MS: present('PROJECTION_POLL_INTERVAL_MS'),
  });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new Error(`Invalid postmortem-service configuration: ${problems.join('; ')}`);
  }
  const values = parsed.data;
  return {
    database: {
      url: values.POSTMORTEM_DATABASE_URL,
      poolSize: values.POSTMORTEM_DATABASE_POOL_SIZE,
      migrationsRun: values.DATABASE_MIGRATIONS_RUN,
    },
    postmortemDueHours: values.POSTMORTEM_DUE_HOURS,
    projections: { pollIntervalMs: values.PROJECTION_POLL_INTERVAL_MS },
  };
}

const httpSchema = z.object({ HOST: z.string().min(1).default('0.0.0.0'), PORT: positiveInteger(65_535).default(3003) });

/** Every environment key postmortem-service reads when run alone (its own, `HOST`/`PORT`, the messaging keys). */
export const POSTMORTEM_SERVICE_ENV_KEYS: readonly string[] = Object.freeze([...Object.keys(environmentSchema.shape), ...Object.keys(httpSchema.shape), ...MESSAGING_ENV_KEYS]);

/**
 * The standalone HTTP listener (`HOST`, default 0.0.0.0; `PORT`, default 3003). Separate from `PostmortemServiceConfig`
 * because the composition root, which runs every service on one listener, does not need it.
 * @throws Error `Invalid postmortem-service configuration: PORT: problem`
 */
export function loadPostmortemServiceHttpConfig(env: NodeJS.ProcessEnv): { host: string; port: number } {
  const parsed = httpSchema.safeParse({ HOST: env.HOST === '' ? undefined : env.HOST, PORT: env.PORT === '' ? undefined : env.PORT });
  if (!parsed.success) {
    throw new Error(`Invalid postmortem-service configuration: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
  }
  return { host: parsed.data.HOST, port: parsed.data.PORT };
}

/** The postmortem service deployed alone: its own keys, the HTTP port and the transport. */
export interface PostmortemServiceStandaloneConfig {
  service: PostmortemServiceConfig;
  http: { host: string; port: number };
  /** `MESSAGING_TRANSPORT` and the `KAFKA_*` keys (see `messagingConfigSchema`). */
  messaging: MessagingConfig;
}

/**
 * `loadPostmortemServiceConfig`, `loadPostmortemServiceHttpConfig` and the transport, for `main.ts`.
 * @throws Error `Invalid postmortem-service configuration: KEY: problem; …` naming every bad key of all three sets.
 */
export function loadPostmortemServiceStandaloneConfig(env: NodeJS.ProcessEnv): PostmortemServiceStandaloneConfig {
  const problems: string[] = [];
  const attempt = <T>(load: () => T): T | undefined => {
    try {
      return load();
    } catch (error) {
      problems.push((error as Error).message.replace(/^Invalid postmortem-service configuration: /, ''));
      return undefined;
    }
  };
  const service = attempt(() => loadPostmortemServiceConfig(env));
  const http = attempt(() => loadPostmortemServiceHttpConfig(env));
  const messaging = parseMessagingConfig(env, 'postmortem-service');
  problems.push(...messaging.problems);
  if (!service || !http || !messaging.config) throw new Error(`Invalid postmortem-service configuration: ${problems.join('; ')}`);
  return { service, http, messaging: messaging.config };
}
