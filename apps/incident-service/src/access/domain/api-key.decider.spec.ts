import { IllegalStateError, NotFoundError, ValidationError } from '@fireline/errors';
import { foldEvents } from '@fireline/event-store/decider';
import { aRevokeApiKeyCommand, anApiKeyIssued, anApiKeyRevoked, anIssueApiKeyCommand, TEST_NOW } from '../testing/api-key.factories';
import type { ApiKeyCommand } from './api-key.commands';
import { apiKeyDecider } from './api-key.decider';
import type { ApiKeyEvent } from './api-key.events';

const DAY = 86_400_000;

function given(events: ApiKeyEvent[], command: ApiKeyCommand): ApiKeyEvent[] {
  return apiKeyDecider.decide(command, foldEvents(apiKeyDecider, events));
}

function refusal(events: ApiKeyEvent[], command: ApiKeyCommand): unknown {
  try {
    given(events, command);
  } catch (error) {
    return error;
  }
  throw new Error('expected the command to be refused');
}

describe('apiKeyDecider', () => {
  describe('IssueApiKey', () => {
    it('issues the key stamped with the command clock and actor, scopes in canonical order without repeats', () => {
      const events = given([], anIssueApiKeyCommand({ name: '  ci  ', scopes: ['incidents:write', 'incidents:read', 'incidents:write'], role: 'responder' }));
      expect(events).toEqual([
        anApiKeyIssued({ name: 'ci', scopes: ['incidents:read', 'incidents:write'], role: 'responder' }),
      ]);
    });

    it.each([
      ['a blank name', { name: '   ' }, 'name'],
      ['a name over 100 characters', { name: 'x'.repeat(101) }, 'name'],
      ['no scope', { scopes: [] }, 'scopes'],
      ['an unknown scope', { scopes: ['root' as never] }, 'scopes[0]'],
      ['an expiry in the past', { expiresAt: new Date(TEST_NOW.getTime() - 1) }, 'expiresAt'],
      ['an expiry now', { expiresAt: TEST_NOW }, 'expiresAt'],
      ['an expiry past the cap', { expiresAt: new Date(TEST_NOW.getTime() + 366 * DAY) }, 'expiresAt'],
      ['an invalid date', { expiresAt: new Date(Number.NaN) }, 'expiresAt'],
    ])('refuses %s with API_KEY.INVALID naming the field', (_, data, field) => {
      const error = refusal([], anIssueApiKeyCommand(data));
      expect(error).toBeInstanceOf(ValidationError);
      expect(error).toMatchObject({ code: 'API_KEY.INVALID', fieldErrors: [expect.objectContaining({ field })] });
    });

    it('refuses an id that is taken', () => {
      expect(refusal([anApiKeyIssued()], anIssueApiKeyCommand())).toBeInstanceOf(IllegalStateError);
    });
  });

  describe('RevokeApiKey', () => {
    it('revokes an active key, with the reason', () => {
      expect(given([anApiKeyIssued()], aRevokeApiKeyCommand({ reason: ' leaked in a CI log ' }, { actor: 'user:alice' }))).toEqual([
        anApiKeyRevoked({ reason: 'leaked in a CI log', by: 'user:alice' }),
      ]);
    });

    it('changes nothing when the key is revoked already', () => {
      expect(given([anApiKeyIssued(), anApiKeyRevoked()], aRevokeApiKeyCommand())).toEqual([]);
    });

    it('refuses a key that was never issued', () => {
      expect(refusal([], aRevokeApiKeyCommand())).toBeInstanceOf(NotFoundError);
    });
  });

  it('folds a revoked key with who revoked it and when', () => {
    const state = foldEvents(apiKeyDecider, [anApiKeyIssued(), anApiKeyRevoked({ by: 'user:bob', reason: 'rotation' })]);
    expect(state).toMatchObject({ status: 'revoked', revokedBy: 'user:bob', revokeReason: 'rotation', revokedAt: TEST_NOW.toISOString() });
  });
});
