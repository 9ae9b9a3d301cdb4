import type { Role, Scope } from '@fireline/auth/scopes';

/**
 * Stored (private) API key events, schema version 1. Every event carries `keyId`, `at` (ISO-8601 UTC,
 * the command's `metadata.now`) and `by` (the command's actor: `key:<id>`, `user:<sub>`, `system:cli`…).
 * Published to the other services as `ApiKeyIssuedV1` / `ApiKeyRevokedV1` (`libs/contracts`).
 */
export type ApiKeyIssued = {
  type: 'ApiKeyIssued';
  data: {
    keyId: string;
    at: string;
    by: string;
    name: string;
    /** The scopes the key grants (a role given at creation is expanded into its scopes). */
    scopes: Scope[];
    /** The role it was created with, if any (informative: `scopes` is what counts). */
    role: Role | null;
    /** sha256 of the whole key, hex: the key itself is never stored. */
    hashedSecret: string;
    /** ISO-8601 UTC; never absent: every key expires. */
    expiresAt: string;
  };
};

/** The key stops working; `reason` is null when none was given. */
export type ApiKeyRevoked = { type: 'ApiKeyRevoked'; data: { keyId: string; at: string; by: string; reason: string | null } };

export type ApiKeyEvent = ApiKeyIssued | ApiKeyRevoked;

export const API_KEY_EVENT_TYPES: readonly ApiKeyEvent['type'][] = Object.freeze(['ApiKeyIssued', 'ApiKeyRevoked']);
