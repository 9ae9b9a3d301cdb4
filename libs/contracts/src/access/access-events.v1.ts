import type { IntegrationEvent } from '../envelope';

/**
 * An API key was issued by incident-service (which owns keys). Consumers keep a replica to
 * authenticate requests: `hashedSecret` is sha256 of the whole key, hex — the key itself never leaves
 * incident-service. `scopes` are the scope names it grants (roles already expanded); `expiresAt`
 * ISO-8601 UTC (every key expires). `streamId` is `api-key-<keyId>`.
 */
export type ApiKeyIssuedV1 = IntegrationEvent<'ApiKeyIssued', { keyId: string; hashedSecret: string; scopes: string[]; expiresAt: string; issuedAt: string; issuedBy: string }, 1>;

/** The key stopped working at `revokedAt` (ISO-8601 UTC). */
export type ApiKeyRevokedV1 = IntegrationEvent<'ApiKeyRevoked', { keyId: string; revokedAt: string; revokedBy: string }, 1>;

/** Every public access event, v1. Published on `fireline.access.v1`, keyed by `streamId`. */
export type AccessIntegrationEventV1 = ApiKeyIssuedV1 | ApiKeyRevokedV1;
