import type { Decider } from '@fireline/event-store/decider';
import type { FieldError } from '@fireline/errors';
import { SCOPES, isScope } from '@fireline/auth/scopes';
import type { ApiKeyCommand, IssueApiKey } from './api-key.commands';
import { apiKeyAlreadyIssued, apiKeyNotFound, invalidApiKey } from './api-key.errors';
import type { ApiKeyEvent } from './api-key.events';
import { evolveApiKey, initialApiKeyState, type ApiKeyState } from './api-key.state';

/** Limits of an API key's fields. */
export const API_KEY_LIMITS = Object.freeze({ nameMax: 100, reasonMax: 500 });

const DAY_MS = 86_400_000;

function validateIssue({ data, metadata }: IssueApiKey): FieldError[] {
  const errors: FieldError[] = [];
  const name = data.name.trim();
  if (name.length === 0 || name.length > API_KEY_LIMITS.nameMax) errors.push({ field: 'name', message: `must be 1 to ${API_KEY_LIMITS.nameMax} characters, not blank` });
  if (data.scopes.length === 0) errors.push({ field: 'scopes', message: 'must grant at least one scope (give scopes or a role)' });
  data.scopes.forEach((scope, index) => {
    if (!isScope(scope)) errors.push({ field: `scopes[${index}]`, message: `must be one of ${SCOPES.join(', ')}` });
  });
  const expires = data.expiresAt.getTime();
  const now = metadata.now.getTime();
  if (!Number.isFinite(expires) || expires <= now) errors.push({ field: 'expiresAt', message: 'must be in the future' });
  else if (expires > now + data.maxLifetimeDays * DAY_MS) errors.push({ field: 'expiresAt', message: `must be at most ${data.maxLifetimeDays} days ahead` });
  return errors;
}

/**
 * The API key aggregate. `IssueApiKey` on a new stream → `ApiKeyIssued` (name trimmed, scopes unique
 * and known, expiry in the future and within `maxLifetimeDays`); `RevokeApiKey` → `ApiKeyRevoked`, or
 * nothing when it is revoked already (safe to repeat).
 * @throws ValidationError `API_KEY.INVALID`, NotFoundError `API_KEY.NOT_FOUND`, IllegalStateError `API_KEY.ALREADY_ISSUED`.
 */
export const apiKeyDecider: Decider<ApiKeyCommand, ApiKeyEvent, ApiKeyState> = {
  initialState: () => initialApiKeyState,
  evolve: evolveApiKey,
  decide(command, state) {
    const at = command.metadata.now.toISOString();
    const by = command.metadata.actor;
    switch (command.type) {
      case 'IssueApiKey': {
        if (state.status !== 'none') throw apiKeyAlreadyIssued(command.data.keyId);
        const errors = validateIssue(command);
        if (errors.length > 0) throw invalidApiKey(errors);
        const d = command.data;
        const scopes = SCOPES.filter((scope) => d.scopes.includes(scope));
        return [
          {
            type: 'ApiKeyIssued',
            data: { keyId: d.keyId, at, by, name: d.name.trim(), scopes, role: d.role, hashedSecret: d.hashedSecret, expiresAt: d.expiresAt.toISOString() },
          },
        ];
      }
      case 'RevokeApiKey': {
        if (state.status === 'none') throw apiKeyNotFound(command.data.keyId);
        if (state.status === 'revoked') return [];
        const reason = command.data.reason?.trim() || null;
        if (reason !== null && reason.length > API_KEY_LIMITS.reasonMax) throw invalidApiKey([{ field: 'reason', message: `must be at most ${API_KEY_LIMITS.reasonMax} characters` }]);
        return [{ type: 'ApiKeyRevoked', data: { keyId: command.data.keyId, at, by, reason } }];
      }
      default: {
        const exhaustive: never = command;
        return exhaustive;
      }
    }
  },
};
