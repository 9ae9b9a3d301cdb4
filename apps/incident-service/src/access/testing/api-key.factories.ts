import type { CommandMetadata } from '@fireline/event-store';
import type { IssueApiKey, RevokeApiKey } from '../domain/api-key.commands';
import type { ApiKeyIssued, ApiKeyRevoked } from '../domain/api-key.events';

export const TEST_NOW = new Date('2025-06-01T12:00:00.000Z');
export const TEST_KEY_ID = 'Abc123Def456';
export const TEST_HASH = 'a'.repeat(64);
const DAY = 86_400_000;

export const aMetadata = (overrides: Partial<CommandMetadata> = {}): CommandMetadata => ({ now: TEST_NOW, actor: 'key:Admin0000001', correlationId: 'c-1', ...overrides });

export function anIssueApiKeyCommand(data: Partial<IssueApiKey['data']> = {}, metadata: Partial<CommandMetadata> = {}): IssueApiKey {
  return {
    type: 'IssueApiKey',
    data: { keyId: TEST_KEY_ID, name: 'ci', scopes: ['incidents:read', 'incidents:write'], role: null, hashedSecret: TEST_HASH, expiresAt: new Date(TEST_NOW.getTime() + 90 * DAY), maxLifetimeDays: 365, ...data },
    metadata: aMetadata(metadata),
  };
}

export function aRevokeApiKeyCommand(data: Partial<RevokeApiKey['data']> = {}, metadata: Partial<CommandMetadata> = {}): RevokeApiKey {
  return { type: 'RevokeApiKey', data: { keyId: TEST_KEY_ID, reason: null, ...data }, metadata: aMetadata(metadata) };
}

export function anApiKeyIssued(data: Partial<ApiKeyIssued['data']> = {}): ApiKeyIssued {
  return {
    type: 'ApiKeyIssued',
    data: {
      keyId: TEST_KEY_ID,
      at: TEST_NOW.toISOString(),
      by: 'key:Admin0000001',
      name: 'ci',
      scopes: ['incidents:read', 'incidents:write'],
      role: null,
      hashedSecret: TEST_HASH,
      expiresAt: new Date(TEST_NOW.getTime() + 90 * DAY).toISOString(),
      ...data,
    },
  };
}

export function anApiKeyRevoked(data: Partial<ApiKeyRevoked['data']> = {}): ApiKeyRevoked {
  return { type: 'ApiKeyRevoked', data: { keyId: TEST_KEY_ID, at: TEST_NOW.toISOString(), by: 'key:Admin0000001', reason: null, ...data } };
}
