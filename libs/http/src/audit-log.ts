import { nameBasedUuid, type CommandMetadata, type EventMetadata, type EventStore } from '@fireline/event-store';
import type { Pool } from 'pg';
import { z } from 'zod';
import { cursorCodec, cursorKey, toPage, type Page } from './page-cursor';

/**
 * The audit log of configuration changes (API keys, integrations, notification rules): events in the
 * service's own event store whose metadata carries `audit: { resourceType, resourceId }`. An
 * event-sourced resource (API keys) is audited by its own events, appended with `auditMetadata`; a
 * table-backed one (integrations, rules) appends an `<Resource>Created/Updated/Deleted` event with
 * `appendAuditEvent` after its change. Secrets never enter it: data is passed through `maskSecrets`
 * before it is stored, and again when it is read.
 */
export interface AuditResource {
  resourceType: string;
  resourceId: string;
}

/** The metadata that marks an event as an audit entry (merge it into the event's metadata). */
export function auditMetadata(resource: AuditResource): EventMetadata {
  return { audit: { resourceType: resource.resourceType, resourceId: resource.resourceId } };
}

const MASK = '***';
/** Keys whose values are credentials, whatever their shape. */
const SECRET_KEY = /secret|token|password|passphrase|credential|authorization|routing.?key|api.?key|private/i;

/** A URL with its user info, path and query replaced: webhook URLs (Slack's, others') carry their credential there. */
function maskUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return value;
    const secretBits = url.username !== '' || url.password !== '' || url.pathname.length > 1 || url.search !== '';
    return secretBits ? `${url.protocol}//${url.username || url.password ? `${MASK}@` : ''}${url.host}/${MASK}` : url.origin;
  } catch {
    return value;
  }
}

/**
 * A copy of `value` safe to keep and show: values under secret-looking keys (`secret`, `token`,
 * `password`, `hashedSecret`, `signingSecrets`, …) become `***`, and http(s) URLs keep only their
 * scheme and host (`https://hooks.slack.com/***`). Depth is capped at 8 levels.
 */
export function maskSecrets(value: unknown, depth = 0): unknown {
  if (depth > 8) return MASK;
  if (typeof value === 'string') return /^https?:\/\//i.test(value) ? maskUrl(value) : value;
  if (Array.isArray(value)) return value.map((item) => maskSecrets(item, depth + 1));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([key, inner]) => [key, SECRET_KEY.test(key) && inner !== null && inner !== undefined ? MASK : maskSecrets(inner, depth + 1)]),
    );
  }
  return value;
}

/** `{ field: { from, to } }` for every top-level field whose JSON differs, masked. */
export function changesBetween(before: Record<string, unknown> | null, after: Record<string, unknown> | null): Record<string, { from: unknown; to: unknown }> {
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  for (const field of new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])) {
    const from = before?.[field] ?? null;
    const to = after?.[field] ?? null;
    if (JSON.stringify(from) === JSON.stringify(to)) continue;
    const masked = maskSecrets({ [field]: { from, to } }) as Record<string, { from: unknown; to: unknown } | string>;
    const entry = masked[field];
    changes[field] = typeof entry === 'string' ? { from: entry, to: entry } : entry;
  }
  return changes;
}

/**
 * Appends one audit event for a change to a table-backed resource: `type` (e.g. `IntegrationUpdated`)
 * with data `{ changes }` (see `changesBetween`), to stream `audit-<resourceType>-<resourceId>`. With a
 * `metadata.commandId` (an `Idempotency-Key`) a retried request appends nothing new.
 */
export async function appendAuditEvent(store: EventStore, type: string, resource: AuditResource, changes: Record<string, unknown>, metadata: CommandMetadata): Promise<void> {
  await store.appendToStream(
    `audit-${resource.resourceType}-${resource.resourceId}`,
    [
      {
        type,
        data: { ...resource, changes: maskSecrets(changes) },
        ...(metadata.commandId !== undefined ? { eventId: nameBasedUuid(`audit:${type}:${metadata.commandId}`) } : {}),
        metadata: {
          correlationId: metadata.correlationId,
          causationId: metadata.causationId ?? null,
          actor: metadata.actor,
          occurredAt: metadata.now.toISOString(),
          ...auditMetadata(resource),
        },
      },
    ],
    { streamType: 'audit', expectedVersion: 'any' },
  );
}

/** One entry of `GET /v1/admin/<service>/audit-events`. Times ISO-8601 UTC. */
export interface AuditEntry {
  id: string;
  /** What happened: the event type, e.g. `ApiKeyRevoked`, `IntegrationUpdated`. */
  type: string;
  /** When (the command's clock). */
  at: string;
  /** Who: `key:<id>`, `user:<sub>`, `system:<component>`. */
  actor: string;
  resourceType: string;
  resourceId: string;
  /** The event's data, secrets masked. */
  details: unknown;
  correlationId: string | null;
}

/** Filters and paging of the audit log. */
export interface AuditQuery {
  /** Names the log, e.g. `incident-service`: a cursor of one service's log is refused by another's. */
  log: string;
  limit: number;
  cursor?: string;
  resourceType?: string;
  resourceId?: string;
}

const AUDIT_CURSOR_KEY = z.tuple([cursorKey.position()]);

/**
 * The audit log, newest first, keyset-paged on the global position (through `events_audit_idx`).
 * @throws ValidationError `REQUEST.INVALID_CURSOR`.
 */
export async function readAuditLog(pool: Pool, query: AuditQuery): Promise<Page<AuditEntry>> {
  const codec = cursorCodec(`audit-events:${query.log}`, AUDIT_CURSOR_KEY);
  const params: unknown[] = [query.limit + 1];
  const where = [`metadata ? 'audit'`];
  if (query.cursor !== undefined) {
    params.push(codec.decode(query.cursor)[0]);
    where.push(`global_position < $${params.length}::bigint`);
  }
  if (query.resourceType !== undefined) {
    params.push(query.resourceType);
    where.push(`metadata->'audit'->>'resourceType' = $${params.length}`);
  }
  if (query.resourceId !== undefined) {
    params.push(query.resourceId);
    where.push(`metadata->'audit'->>'resourceId' = $${params.length}`);
  }
  const { rows } = await pool.query<{ position: string; event_id: string; event_type: string; data: Record<string, unknown>; metadata: Record<string, unknown>; recorded_at: Date }>(
    `SELECT global_position::text AS position, event_id::text AS event_id, event_type, data, metadata, recorded_at
     FROM events WHERE ${where.join(' AND ')} ORDER BY global_position DESC LIMIT $1`,
    params,
  );
  const page = toPage(rows, query.limit, codec, (row): [string] => [row.position]);
  return {
    items: page.items.map((row) => {
      const audit = (row.metadata.audit ?? {}) as Partial<AuditResource>;
      const { at: _at, by: _by, ...details } = row.data;
      return {
        id: row.event_id,
        type: row.event_type,
        at: typeof row.metadata.occurredAt === 'string' ? row.metadata.occurredAt : row.recorded_at.toISOString(),
        actor: typeof row.metadata.actor === 'string' ? row.metadata.actor : 'unknown',
        resourceType: audit.resourceType ?? 'unknown',
        resourceId: audit.resourceId ?? 'unknown',
        details: maskSecrets(details),
        correlationId: typeof row.metadata.correlationId === 'string' ? row.metadata.correlationId : null,
      };
    }),
    nextCursor: page.nextCursor,
  };
}
