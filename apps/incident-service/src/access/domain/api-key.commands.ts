import type { CommandMetadata } from '@fireline/event-store/command-metadata';
import type { Role, Scope } from '@fireline/auth/scopes';

/**
 * Issues a key whose secret was generated outside the domain (only its hash comes in).
 * `maxLifetimeDays` is the deployment's cap (`API_KEY_MAX_LIFETIME_DAYS`).
 */
export type IssueApiKey = {
  type: 'IssueApiKey';
  data: { keyId: string; name: string; scopes: Scope[]; role: Role | null; hashedSecret: string; expiresAt: Date; maxLifetimeDays: number };
  metadata: CommandMetadata;
};

/** Revokes a key; revoking a revoked key changes nothing. */
export type RevokeApiKey = { type: 'RevokeApiKey'; data: { keyId: string; reason: string | null }; metadata: CommandMetadata };

export type ApiKeyCommand = IssueApiKey | RevokeApiKey;
