import type { AccessIntegrationEventV1 } from '@fireline/contracts';
import type { RecordedEvent } from '@fireline/event-store/event-store.types';
import type { ApiKeyEvent } from '../domain/api-key.events';

/**
 * Maps a stored API key event onto the public v1 contract (`libs/contracts` `access-events.v1.ts`):
 * only what another service needs to authenticate a key — its id, the sha256 of the key, its scopes,
 * expiry and revocation. The name, role and revoke reason stay in incident-service.
 */
export function toAccessIntegrationEvent(recorded: RecordedEvent): AccessIntegrationEventV1 {
  const event = { type: recorded.type, data: recorded.data } as ApiKeyEvent;
  const envelope = {
    eventId: recorded.eventId,
    version: 1 as const,
    occurredAt: event.data.at,
    correlationId: typeof recorded.metadata.correlationId === 'string' ? recorded.metadata.correlationId : recorded.eventId,
    causationId: typeof recorded.metadata.causationId === 'string' ? recorded.metadata.causationId : null,
    streamId: recorded.streamId,
  };
  switch (event.type) {
    case 'ApiKeyIssued': {
      const d = event.data;
      return { ...envelope, type: 'ApiKeyIssued', data: { keyId: d.keyId, hashedSecret: d.hashedSecret, scopes: [...d.scopes], expiresAt: d.expiresAt, issuedAt: d.at, issuedBy: d.by } };
    }
    case 'ApiKeyRevoked':
      return { ...envelope, type: 'ApiKeyRevoked', data: { keyId: event.data.keyId, revokedAt: event.data.at, revokedBy: event.data.by } };
    default: {
      const exhaustive: never = event;
      return exhaustive;
    }
  }
}
