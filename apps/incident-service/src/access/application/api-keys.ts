import { API_KEY_ID_PATTERN, API_KEY_PREFIX, generateApiKey, missingScopes, scopesOf, type ApiKeyStore, type Role, type Scope, type StoredApiKey } from '@fireline/auth';
import { PermissionError } from '@fireline/errors';
import { auditMetadata, cursorCodec, cursorKey, toPage, type Page } from '@fireline/http';
import { foldEvents, handleCommand, type CommandMetadata, type EventStore } from '@fireline/event-store';
import type { Pool } from 'pg';
import { z } from 'zod';
import { API_KEY_STREAM_TYPE, apiKeyStreamId } from '../access-stream';
import type { ApiKeyCommand } from '../domain/api-key.commands';
import { apiKeyDecider } from '../domain/api-key.decider';
import { apiKeyNotFound } from '../domain/api-key.errors';
import type { ApiKeyEvent } from '../domain/api-key.events';
import { evolveApiKey, initialApiKeyState, type ApiKey, type ApiKeyState } from '../domain/api-key.state';

/** The deployment's key lifetimes, days: the default when none is asked (90) and the cap (365). */
export interface ApiKeyPolicy {
  defaultLifetimeDays: number;
  maxLifetimeDays: number;
}

export const DEFAULT_API_KEY_POLICY: Readonly<ApiKeyPolicy> = Object.freeze({ defaultLifetimeDays: 90, maxLifetimeDays: 365 });

const DAY_MS = 86_400_000;

/** An API key as the API and the CLI show it (never the key or its hash). Times ISO-8601 UTC. */
export interface ApiKeyView {
  id: string;
  /** `flk_<id>`: the start of the key, to recognise it. */
  prefix: string;
  name: string;
  scopes: Scope[];
  role: Role | null;
  /** `revoked`, `expired` (at the time of reading) or `active`. */
  status: 'active' | 'expired' | 'revoked';
  expiresAt: string;
  createdAt: string;
  createdBy: string;
  revokedAt: string | null;
  revokedBy: string | null;
  revokeReason: string | null;
  /** Last request with it to incident-service (written at most once a minute); null if never. */
  lastUsedAt: string | null;
}

/** What `POST /v1/api-keys` and `npm run keys -- create` ask for: scopes and/or a role; expiry optional. */
export interface IssueApiKeyInput {
  name: string;
  scopes?: readonly Scope[];
  role?: Role | null;
  /** Default: `policy.defaultLifetimeDays` from now. */
  expiresAt?: Date;
}

function statusOf(key: Pick<ApiKey, 'revokedAt' | 'expiresAt'>, now: Date): ApiKeyView['status'] {
  if (key.revokedAt !== null) return 'revoked';
  return new Date(key.expiresAt).getTime() <= now.getTime() ? 'expired' : 'active';
}

/** The view of a key's state, with its last use. */
export function toApiKeyView(key: Omit<ApiKey, 'hashedSecret'>, lastUsedAt: Date | null, now: Date): ApiKeyView {
  return {
    id: key.keyId,
    prefix: `${API_KEY_PREFIX}${key.keyId}`,
    name: key.name,
    scopes: key.scopes,
    role: key.role,
    status: statusOf(key, now),
    expiresAt: key.expiresAt,
    createdAt: key.issuedAt,
    createdBy: key.issuedBy,
    revokedAt: key.revokedAt,
    revokedBy: key.revokedBy,
    revokeReason: key.revokeReason,
    lastUsedAt: lastUsedAt?.toISOString() ?? null,
  };
}

async function run(store: EventStore, command: ApiKeyCommand): Promise<ApiKeyState> {
  const result = await handleCommand(store, apiKeyDecider, command, {
    streamId: apiKeyStreamId(command.data.keyId),
    streamType: API_KEY_STREAM_TYPE,
    metadata: command.metadata,
    extraMetadata: auditMetadata({ resourceType: 'api-key', resourceId: command.data.keyId }),
  });
  return result.state;
}

/**
 * Issues a key: generates it (`generateApiKey`), appends `ApiKeyIssued` with its hash through the
 * shared command path, and returns the key — the only time it exists in clear.
 * `grantor`: the scopes of whoever asks; a key may not grant more than they hold (403
 * `API_KEY.SCOPE_NOT_HELD`). Null for the trusted paths (the CLI on the database, first start).
 * @throws ValidationError `API_KEY.INVALID`; PermissionError `API_KEY.SCOPE_NOT_HELD`.
 */
export async function issueApiKey(
  store: EventStore,
  input: IssueApiKeyInput,
  grantor: readonly Scope[] | null,
  policy: ApiKeyPolicy,
  metadata: CommandMetadata,
): Promise<{ key: string; apiKey: ApiKeyView }> {
  const role = input.role ?? null;
  const scopes = scopesOf(input.scopes ?? [], role ? [role] : []);
  const beyond = grantor === null ? [] : missingScopes(grantor, scopes);
  if (beyond.length > 0) {
    throw new PermissionError('API_KEY.SCOPE_NOT_HELD', `A key cannot grant scopes its creator does not hold: ${beyond.join(', ')}`, { missingScopes: beyond });
  }
  const issued = generateApiKey();
  const expiresAt = input.expiresAt ?? new Date(metadata.now.getTime() + policy.defaultLifetimeDays * DAY_MS);
  const state = await run(store, {
    type: 'IssueApiKey',
    data: { keyId: issued.keyId, name: input.name, scopes, role, hashedSecret: issued.hashedSecret, expiresAt, maxLifetimeDays: policy.maxLifetimeDays },
    metadata,
  });
  if (state.status === 'none') throw new Error(`API key ${issued.keyId} is missing after its issue`);
  return { key: issued.key, apiKey: toApiKeyView(state, null, metadata.now) };
}

/**
 * Revokes a key at once in incident-service (its authentication reads the key's stream); the other
 * services stop accepting it when `ApiKeyRevokedV1` reaches them. Safe to repeat.
 * @throws NotFoundError `API_KEY.NOT_FOUND`.
 */
export async function revokeApiKey(store: EventStore, keyId: string, reason: string | null, metadata: CommandMetadata): Promise<ApiKey> {
  const state = await run(store, { type: 'RevokeApiKey', data: { keyId, reason }, metadata });
  if (state.status === 'none') throw apiKeyNotFound(keyId);
  return state;
}

/** The key replayed from its stream (always current), or null. */
export async function loadApiKey(store: EventStore, keyId: string): Promise<ApiKey | null> {
  const { events } = await store.readStream(apiKeyStreamId(keyId));
  const state = foldEvents(apiKeyDecider, events.map((e) => ({ type: e.type, data: e.data }) as ApiKeyEvent));
  return state.status === 'none' ? null : state;
}

/** When incident-service last saw the key used, or null. */
export async function lastUseOf(pool: Pool, keyId: string): Promise<Date | null> {
  const { rows } = await pool.query<{ last_used_at: Date }>('SELECT last_used_at FROM api_key_usage WHERE key_id = $1', [keyId]);
  return rows[0]?.last_used_at ?? null;
}

const API_KEY_CURSOR = cursorCodec('api-keys', z.tuple([cursorKey.timestamp(), z.string().regex(API_KEY_ID_PATTERN)]));

interface ApiKeyRow {
  key_id: string;
  name: string;
  scopes: Scope[];
  role: Role | null;
  expires_at: Date;
  issued_at: Date;
  issued_by: string;
  revoked_at: Date | null;
  revoked_by: string | null;
  revoke_reason: string | null;
  last_used_at: Date | null;
}

/**
 * One page of keys from the `api_keys` read model, newest first, keyset-paged.
 * @throws ValidationError `REQUEST.INVALID_CURSOR`.
 */
export async function listApiKeys(pool: Pool, limit: number, cursor: string | undefined, now: Date): Promise<Page<ApiKeyView>> {
  const params: unknown[] = [limit + 1];
  let after = '';
  if (cursor !== undefined) {
    const [issuedAt, keyId] = API_KEY_CURSOR.decode(cursor);
    params.push(issuedAt, keyId);
    after = 'WHERE (k.issued_at, k.key_id) < ($2::timestamptz, $3::text)';
  }
  const { rows } = await pool.query<ApiKeyRow>(
    `SELECT k.*, u.last_used_at FROM api_keys k LEFT JOIN api_key_usage u ON u.key_id = k.key_id ${after}
     ORDER BY k.issued_at DESC, k.key_id DESC LIMIT $1`,
    params,
  );
  const page = toPage(rows, limit, API_KEY_CURSOR, (row): [string, string] => [row.issued_at.toISOString(), row.key_id]);
  return {
    items: page.items.map((row) =>
      toApiKeyView(
        {
          keyId: row.key_id,
          name: row.name,
          scopes: row.scopes,
          role: row.role,
          expiresAt: row.expires_at.toISOString(),
          issuedAt: row.issued_at.toISOString(),
          issuedBy: row.issued_by,
          revokedAt: row.revoked_at?.toISOString() ?? null,
          revokedBy: row.revoked_by,
          revokeReason: row.revoke_reason,
        },
        row.last_used_at,
        now,
      ),
    ),
    nextCursor: page.nextCursor,
  };
}

/**
 * Every key, newest first, folded from the key events (through the audit index) rather than read from
 * the `api_keys` read model: current right after start-up, and while the service is stopped (the CLI).
 */
export async function allApiKeys(pool: Pool, now: Date): Promise<ApiKeyView[]> {
  const { rows } = await pool.query<{ stream_id: string; event_type: ApiKeyEvent['type']; data: ApiKeyEvent['data'] }>(
    `SELECT stream_id, event_type, data FROM events WHERE metadata ? 'audit' AND stream_type = $1 ORDER BY global_position`,
    [API_KEY_STREAM_TYPE],
  );
  const states = new Map<string, ApiKeyState>();
  for (const row of rows) states.set(row.stream_id, evolveApiKey(states.get(row.stream_id) ?? initialApiKeyState, { type: row.event_type, data: row.data } as ApiKeyEvent));
  const keys = [...states.values()].filter((state): state is ApiKey & { status: 'active' | 'revoked' } => state.status !== 'none');
  const { rows: usage } = await pool.query<{ key_id: string; last_used_at: Date }>('SELECT key_id, last_used_at FROM api_key_usage WHERE key_id = ANY($1::text[])', [keys.map((key) => key.keyId)]);
  const lastUse = new Map(usage.map((use) => [use.key_id, use.last_used_at]));
  return keys
    .map((key) => toApiKeyView(key, lastUse.get(key.keyId) ?? null, now))
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));
}

/** True when some key that is neither revoked nor expired exists (see `allApiKeys`). */
export async function anyUsableApiKey(pool: Pool, now: Date): Promise<boolean> {
  return (await allApiKeys(pool, now)).some((key) => key.status === 'active');
}

/**
 * incident-service's `ApiKeyStore`: a key is looked up by replaying its stream (one indexed read of at
 * most a few events), so a revocation counts from the very next request; uses go to `api_key_usage`.
 */
export class EventSourcedApiKeyStore implements ApiKeyStore {
  constructor(
    private readonly store: EventStore,
    private readonly pool: Pool,
  ) {}

  async find(keyId: string): Promise<StoredApiKey | null> {
    const key = await loadApiKey(this.store, keyId);
    if (!key) return null;
    return { keyId: key.keyId, hashedSecret: key.hashedSecret, scopes: key.scopes, expiresAt: new Date(key.expiresAt), revokedAt: key.revokedAt ? new Date(key.revokedAt) : null };
  }

  async recordUse(keyId: string, at: Date): Promise<void> {
    await this.pool.query(
      `INSERT INTO api_key_usage (key_id, last_used_at) VALUES ($1, $2)
       ON CONFLICT (key_id) DO UPDATE SET last_used_at = GREATEST(api_key_usage.last_used_at, EXCLUDED.last_used_at)`,
      [keyId, at],
    );
  }
}
