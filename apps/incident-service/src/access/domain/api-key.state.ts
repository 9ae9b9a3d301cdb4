import type { Role, Scope } from '@fireline/auth/scopes';
import type { ApiKeyEvent } from './api-key.events';

/** What is known of an issued key. Times are ISO-8601 UTC. */
export interface ApiKey {
  keyId: string;
  name: string;
  scopes: Scope[];
  role: Role | null;
  hashedSecret: string;
  expiresAt: string;
  issuedAt: string;
  issuedBy: string;
  revokedAt: string | null;
  revokedBy: string | null;
  revokeReason: string | null;
}

/** An API key's state: not issued, active (possibly past its expiry: that is read at use), or revoked. */
export type ApiKeyState = { status: 'none' } | (ApiKey & { status: 'active' | 'revoked' });

export const initialApiKeyState: ApiKeyState = { status: 'none' };

/** Folds one event; never reads the clock. */
export function evolveApiKey(state: ApiKeyState, event: ApiKeyEvent): ApiKeyState {
  switch (event.type) {
    case 'ApiKeyIssued': {
      const d = event.data;
      return {
        status: 'active',
        keyId: d.keyId,
        name: d.name,
        scopes: d.scopes,
        role: d.role,
        hashedSecret: d.hashedSecret,
        expiresAt: d.expiresAt,
        issuedAt: d.at,
        issuedBy: d.by,
        revokedAt: null,
        revokedBy: null,
        revokeReason: null,
      };
    }
    case 'ApiKeyRevoked':
      if (state.status === 'none') return state;
      return { ...state, status: 'revoked', revokedAt: event.data.at, revokedBy: event.data.by, revokeReason: event.data.reason };
    default: {
      const exhaustive: never = event;
      return exhaustive;
    }
  }
}
