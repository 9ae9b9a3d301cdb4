import { isRole, isScope, SCOPES, type Role, type Scope } from '@fireline/auth';
import { blankAsUnset, integerKey, parseEnvironment, ConfigError } from '@fireline/config';
import { DomainError } from '@fireline/errors';
import { EventStore, isDatabaseUnavailable } from '@fireline/event-store';
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Pool } from 'pg';
import { z } from 'zod';
import { allApiKeys, DEFAULT_API_KEY_POLICY, issueApiKey, revokeApiKey, type ApiKeyPolicy, type ApiKeyView } from '../application/api-keys';

/** The actor the CLI's commands record. */
export const CLI_ACTOR = 'system:keys-cli';

const USAGE = `Usage: npm run keys -- <command>
  create --name <name> [--scopes a,b,...] [--role viewer|responder|admin] [--expires-in 30d|12h | --expires-at <ISO time>]
  list [--all]                       keys that are active (--all: expired and revoked too)
  revoke <key id> [--reason <text>]
Scopes: ${SCOPES.join(', ')}
Connects to incident-service's database: INCIDENT_DATABASE_URL, else the embedded one of npm start
(postgres://postgres:postgres@localhost:<EMBEDDED_POSTGRES_PORT, 54329>/fireline_incident).`;

const environment = z.object({
  INCIDENT_DATABASE_URL: blankAsUnset(z.string().optional()),
  EMBEDDED_POSTGRES_PORT: integerKey(1, 65_535, 54329),
  API_KEY_DEFAULT_LIFETIME_DAYS: integerKey(1, 3650, DEFAULT_API_KEY_POLICY.defaultLifetimeDays),
  API_KEY_MAX_LIFETIME_DAYS: integerKey(1, 3650, DEFAULT_API_KEY_POLICY.maxLifetimeDays),
});

/** Where the CLI writes: `out` for results, `err` for problems. */
export interface CliOutput {
  out(line: string): void;
  err(line: string): void;
}

class UsageError extends Error {}

/** `30d` / `12h` → ms. */
function durationMs(value: string): number {
  const match = /^(\d{1,5})([dh])$/.exec(value);
  if (!match) throw new UsageError(`--expires-in must look like 30d or 12h, not ${value}`);
  return Number(match[1]) * (match[2] === 'd' ? 86_400_000 : 3_600_000);
}

function listOf<T>(raw: string | undefined, is: (value: unknown) => value is T, what: string): T[] {
  if (raw === undefined) return [];
  const items = raw.split(',').map((item) => item.trim()).filter((item) => item !== '');
  const unknown = items.filter((item) => !is(item));
  if (unknown.length > 0) throw new UsageError(`unknown ${what}: ${unknown.join(', ')}`);
  return items as T[];
}

/** The URL without its password, for messages. */
function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}

function row(key: ApiKeyView): string {
  return [key.id, key.status.padEnd(7), key.expiresAt, key.lastUsedAt ?? '-', key.name, key.role ?? '-', key.scopes.join(',')].join('  ');
}

/**
 * `npm run keys -- …` (and `node dist/apps/incident-service/src/keys.js …` in a container): creates,
 * lists and revokes API keys directly in incident-service's database, through the same command path as
 * `POST /v1/api-keys` (events `ApiKeyIssued` / `ApiKeyRevoked`, actor `system:keys-cli`; the running
 * service relays them to the others). `list` folds the key events, so it is current even while the
 * service is stopped. Needs the database migrated (start the service once).
 * @returns the process exit code: 0 done, 1 failed (the reason printed), 2 usage error.
 */
export async function runApiKeysCli(argv: readonly string[], env: NodeJS.ProcessEnv, output: CliOutput): Promise<number> {
  let config: z.output<typeof environment>;
  try {
    config = parseEnvironment('keys', env, { e: environment }).e;
  } catch (error) {
    output.err(error instanceof ConfigError ? error.message : String(error));
    return 2;
  }
  const policy: ApiKeyPolicy = { defaultLifetimeDays: config.API_KEY_DEFAULT_LIFETIME_DAYS, maxLifetimeDays: config.API_KEY_MAX_LIFETIME_DAYS };
  const url = config.INCIDENT_DATABASE_URL ?? `postgres://postgres:postgres@localhost:${config.EMBEDDED_POSTGRES_PORT}/fireline_incident`;
  const [command, ...rest] = argv;
  let pool: Pool | undefined;
  try {
    if (command === undefined || command === 'help' || command === '--help') {
      output.out(USAGE);
      return command === undefined ? 2 : 0;
    }
    const { values, positionals } = parseArgs({
      args: [...rest],
      allowPositionals: true,
      options: {
        name: { type: 'string' },
        scopes: { type: 'string' },
        role: { type: 'string' },
        'expires-in': { type: 'string' },
        'expires-at': { type: 'string' },
        reason: { type: 'string' },
        all: { type: 'boolean' },
      },
    });
    pool = new Pool({ connectionString: url, max: 1, connectionTimeoutMillis: 5_000 });
    pool.on('error', () => undefined);
    const now = new Date();
    const metadata = { now, actor: CLI_ACTOR, correlationId: randomUUID() };
    switch (command) {
      case 'create': {
        if (values.name === undefined) throw new UsageError('create needs --name');
        const roles = listOf<Role>(values.role, isRole, 'role');
        if (roles.length > 1) throw new UsageError('give at most one --role');
        if (values['expires-in'] !== undefined && values['expires-at'] !== undefined) throw new UsageError('give --expires-in or --expires-at, not both');
        const expiresAt =
          values['expires-in'] !== undefined ? new Date(now.getTime() + durationMs(values['expires-in'])) : values['expires-at'] !== undefined ? new Date(values['expires-at']) : undefined;
        const { key, apiKey } = await issueApiKey(new EventStore(pool), { name: values.name, scopes: listOf<Scope>(values.scopes, isScope, 'scope'), role: roles[0] ?? null, expiresAt }, null, policy, metadata);
        output.out(`Created API key ${apiKey.id} "${apiKey.name}", expires ${apiKey.expiresAt}, scopes ${apiKey.scopes.join(', ')}.`);
        output.out('The key is shown this once; store it now (Authorization: Bearer <key>):');
        output.out(key);
        return 0;
      }
      case 'list': {
        const keys = (await allApiKeys(pool, now)).filter((key) => values.all === true || key.status === 'active');
        output.out(['id'.padEnd(12), 'status ', 'expires'.padEnd(24), 'last used'.padEnd(24), 'name', 'role', 'scopes'].join('  '));
        for (const key of keys) output.out(row(key));
        if (keys.length === 0) output.out(values.all === true ? '(no keys)' : '(no active keys; --all shows expired and revoked ones)');
        return 0;
      }
      case 'revoke': {
        const [keyId] = positionals;
        if (keyId === undefined) throw new UsageError('revoke needs the key id');
        const key = await revokeApiKey(new EventStore(pool), keyId, values.reason ?? null, metadata);
        output.out(`Revoked API key ${key.keyId} "${key.name}" at ${key.revokedAt}. incident-service refuses it now; the other services once the revocation reaches them.`);
        return 0;
      }
      default:
        throw new UsageError(`unknown command ${command}`);
    }
  } catch (error: unknown) {
    // parseArgs' errors carry ERR_PARSE_ARGS_* codes (checked by code: under jest they come from another realm).
    if (error instanceof UsageError || String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS')) {
      output.err(`${(error as Error).message}\n${USAGE}`);
      return 2;
    }
    if (error instanceof DomainError) {
      output.err(`${error.code}: ${error.message}${'fieldErrors' in error ? ` (${JSON.stringify((error as { fieldErrors: unknown }).fieldErrors)})` : ''}`);
      return 1;
    }
    if (isDatabaseUnavailable(error) || (error as { code?: string }).code === '3D000' || (error as { code?: string }).code === '28P01') {
      output.err(
        `Cannot reach incident-service's database at ${redactedUrl(url)} (${error instanceof Error ? error.message : String(error)}).\n` +
          'Start the platform first (npm start), or point INCIDENT_DATABASE_URL at incident-service\'s database.',
      );
      return 1;
    }
    if ((error as { code?: string }).code === '42P01') {
      output.err(`incident-service's database at ${redactedUrl(url)} has no event store yet: start incident-service (or npm start) once, so that it runs its migrations.`);
      return 1;
    }
    output.err(error instanceof Error ? (error.stack ?? error.message) : String(error));
    return 1;
  } finally {
    await pool?.end().catch(() => undefined);
  }
}
