import type { Projection, RecordedEvent } from '@fireline/event-store';
import type { PoolClient } from 'pg';
import { API_KEY_EVENT_TYPES, type ApiKeyEvent } from '../domain/api-key.events';

/**
 * Keeps `api_keys`: one row per key, for `GET /v1/api-keys` and `npm run keys -- list`. Never the
 * key's hash (authentication reads the key's stream). Guarded by the stream version, so a replayed
 * event cannot move a row backwards.
 */
export const apiKeysProjection: Projection = {
  name: 'incident-service.api-keys',
  tableName: 'api_keys',
  eventTypes: [...API_KEY_EVENT_TYPES],
  async apply(events: RecordedEvent[], tx: PoolClient, table: string): Promise<void> {
    for (const recorded of events) {
      const event = { type: recorded.type, data: recorded.data } as ApiKeyEvent;
      switch (event.type) {
        case 'ApiKeyIssued': {
          const d = event.data;
          await tx.query(
            `INSERT INTO ${table} (key_id, name, scopes, role, expires_at, issued_at, issued_by, version)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (key_id) DO NOTHING`,
            [d.keyId, d.name, d.scopes, d.role, d.expiresAt, d.at, d.by, recorded.version],
          );
          break;
        }
        case 'ApiKeyRevoked':
          await tx.query(`UPDATE ${table} SET revoked_at = $2, revoked_by = $3, revoke_reason = $4, version = $5 WHERE key_id = $1 AND version < $5`, [
            event.data.keyId,
            event.data.at,
            event.data.by,
            event.data.reason,
            recorded.version,
          ]);
          break;
        default: {
          const exhaustive: never = event;
          return exhaustive;
        }
      }
    }
  },
};
