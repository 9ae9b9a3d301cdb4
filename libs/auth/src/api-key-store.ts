import type { Scope } from './scopes';

/** What a service knows of one API key: enough to check it, never the key itself. */
export interface StoredApiKey {
  keyId: string;
  /** `hashApiKey(key)`, hex. */
  hashedSecret: string;
  scopes: readonly Scope[];
  expiresAt: Date;
  revokedAt: Date | null;
}

/**
 * Where a service looks API keys up: incident-service from its own event store (revocation takes
 * effect at once), the other services from their replica of `fireline.access.v1`
 * (`ApiKeyReplicaStore`). Each service module provides one under `API_KEY_STORE`; the auth guard
 * uses the one of the module that owns the route.
 */
export interface ApiKeyStore {
  /** The key with this id, or null. One indexed read. */
  find(keyId: string): Promise<StoredApiKey | null>;
  /** Notes that the key was used at `at`; called at most once a minute per key by the guard. */
  recordUse(keyId: string, at: Date): Promise<void>;
}

/** Nest injection token of a service's `ApiKeyStore`. */
export const API_KEY_STORE = Symbol('API_KEY_STORE');
