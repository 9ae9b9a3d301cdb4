import { TOPICS, type AccessIntegrationEventV1, type IntegrationEvent } from '@fireline/contracts';
import type { ConsumerRegistration } from '@fireline/messaging';
import type { Pool, PoolClient } from 'pg';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import type { ApiKeyStore, StoredApiKey } from './api-key-store';
import { isScope } from './scopes';

/**
 * `api_key_replica`: a service's copy of the API keys incident-service issued, from
 * `fireline.access.v1` — the sha256 of each key, its scopes, expiry and revocation, never the key.
 * `hashed_secret` is null for a key whose revocation arrived without its issue (never accepted).
 */
export class CreateApiKeyReplica1732000003200 implements MigrationInterface {
  name = 'CreateApiKeyReplica1732000003200';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE api_key_replica (
        key_id text PRIMARY KEY,
        hashed_secret text,
        scopes text[] NOT NULL DEFAULT '{}',
        expires_at timestamptz,
        revoked_at timestamptz,
        last_used_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE api_key_replica');
  }
}

/** Applies one access event to the replica, in the consumer's transaction (idempotent, order-tolerant). */
async function applyAccessEvent(event: IntegrationEvent, tx: PoolClient): Promise<void> {
  const access = event as AccessIntegrationEventV1;
  switch (access.type) {
    case 'ApiKeyIssued': {
      const d = access.data;
      await tx.query(
        `INSERT INTO api_key_replica (key_id, hashed_secret, scopes, expires_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (key_id) DO UPDATE SET hashed_secret = EXCLUDED.hashed_secret, scopes = EXCLUDED.scopes, expires_at = EXCLUDED.expires_at, updated_at = now()`,
        [d.keyId, d.hashedSecret, d.scopes.filter(isScope), d.expiresAt],
      );
      return;
    }
    case 'ApiKeyRevoked':
      await tx.query(
        `INSERT INTO api_key_replica (key_id, revoked_at) VALUES ($1, $2)
         ON CONFLICT (key_id) DO UPDATE SET revoked_at = coalesce(api_key_replica.revoked_at, EXCLUDED.revoked_at), updated_at = now()`,
        [access.data.keyId, access.data.revokedAt],
      );
      return;
    default:
      // A newer contract's event: acknowledged, not applied.
      return;
  }
}

/**
 * The consumer that keeps `api_key_replica` from `fireline.access.v1` (through the inbox: each event
 * applied once). `consumer` is the service's consumer-group name, e.g. `notification-service.access`.
 */
export function apiKeyReplicaConsumer(consumer: string, pool: Pool): ConsumerRegistration {
  return { topic: TOPICS.access, consumer, pool, handle: applyAccessEvent };
}

/**
 * The `ApiKeyStore` of a service that does not own keys: one indexed read of `api_key_replica`. A key
 * works here once its `ApiKeyIssuedV1` has arrived, and stops once its `ApiKeyRevokedV1` has (relay lag).
 */
export class ApiKeyReplicaStore implements ApiKeyStore {
  constructor(private readonly pool: Pool) {}

  async find(keyId: string): Promise<StoredApiKey | null> {
    const { rows } = await this.pool.query<{ key_id: string; hashed_secret: string | null; scopes: string[]; expires_at: Date | null; revoked_at: Date | null }>(
      'SELECT key_id, hashed_secret, scopes, expires_at, revoked_at FROM api_key_replica WHERE key_id = $1',
      [keyId],
    );
    const row = rows[0];
    if (!row || row.hashed_secret === null || row.expires_at === null) return null;
    return { keyId: row.key_id, hashedSecret: row.hashed_secret, scopes: row.scopes.filter(isScope), expiresAt: row.expires_at, revokedAt: row.revoked_at };
  }

  async recordUse(keyId: string, at: Date): Promise<void> {
    await this.pool.query('UPDATE api_key_replica SET last_used_at = GREATEST(last_used_at, $2) WHERE key_id = $1', [keyId, at]);
  }
}
