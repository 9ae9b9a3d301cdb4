import { z } from 'zod';

/**
 * Thrown at boot when the environment is invalid. The message names every bad key of every schema
 * parsed together, one per line: `Invalid incident-service configuration:\n  PORT: Too big: …`.
 */
export class ConfigError extends Error {
  constructor(
    readonly app: string,
    readonly problems: readonly string[],
  ) {
    super(`Invalid ${app} configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** An object schema over environment keys, possibly refined or transformed (`messagingConfigSchema`). */
export type EnvironmentSchema = z.ZodType<unknown, Record<string, unknown>>;

/**
 * Parses `env` with each schema and returns their outputs under the same names. Every schema is parsed
 * even when another fails, so one error names every bad key.
 * @example const { own, http } = parseEnvironment('incident-service', env, { own: schema, http: httpSchema });
 * @throws ConfigError listing `KEY: problem` for every bad key.
 */
export function parseEnvironment<S extends Record<string, EnvironmentSchema>>(app: string, env: NodeJS.ProcessEnv, schemas: S): { [K in keyof S]: z.output<S[K]> } {
  const problems: string[] = [];
  const outputs: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(schemas)) {
    const parsed = schema.safeParse(env);
    if (parsed.success) outputs[name] = parsed.data;
    else problems.push(...parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`));
  }
  if (problems.length > 0) throw new ConfigError(app, problems);
  return outputs as { [K in keyof S]: z.output<S[K]> };
}

/** Empty values count as unset (a ConfigMap with a blank key): the default applies. */
export const blankAsUnset = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === '' ? undefined : value), schema);

/** An integer key within [min, max], `fallback` when unset or blank. */
export const integerKey = (min: number, max: number, fallback: number) => blankAsUnset(z.coerce.number().int().min(min).max(max).default(fallback));

/** `true`/`false`/`1`/`0`, `fallback` when unset or blank. */
export const booleanKey = (fallback: boolean) =>
  blankAsUnset(
    z
      .enum(['true', 'false', '1', '0'], { error: 'must be true, false, 1 or 0' })
      .default(fallback ? 'true' : 'false')
      .transform((value) => value === 'true' || value === '1'),
  );

/** A required `postgres://` or `postgresql://` URL. */
export const postgresUrlKey = () =>
  z.string({ error: 'is required' }).refine((value) => {
    try {
      return ['postgres:', 'postgresql:'].includes(new URL(value).protocol);
    } catch {
      return false;
    }
  }, 'must be a postgres:// or postgresql:// URL');

/** `HOST` (default 0.0.0.0) and `PORT` (default `port`): where a service's HTTP listener binds. */
export const httpListenerSchema = (port: number) => z.object({ HOST: blankAsUnset(z.string().min(1).default('0.0.0.0')), PORT: integerKey(1, 65_535, port) });

/** The environment keys an object schema reads (its shape's keys). */
export function environmentKeysOf(...schemas: { shape: Record<string, unknown> }[]): readonly string[] {
  return Object.freeze(schemas.flatMap((schema) => Object.keys(schema.shape)));
}
