import { anIncidentDeclared, anIncidentStatusChanged } from '../testing/incident-event.factory';
import type { NotificationRule, NotificationRuleMatch } from './notification-rule';
import { matchesRule, rulesToNotify } from './notification-rule.matcher';

const any: NotificationRuleMatch = { severities: [], services: [], eventTypes: [], kinds: [] };

function aRule(overrides: Partial<NotificationRule> = {}): NotificationRule {
  return { id: 'r-1', name: 'rule', enabled: true, match: any, channel: { type: 'slack', webhookUrl: 'https://hooks.example/x' }, ...overrides };
}

describe('matchesRule', () => {
  it('matches any event when every filter is empty', () => {
    expect(matchesRule(any, anIncidentDeclared())).toBe(true);
    expect(matchesRule(any, anIncidentStatusChanged())).toBe(true);
  });

  it('matches on the incident severity after the event', () => {
    const match = { ...any, severities: ['SEV1', 'SEV2'] as NotificationRuleMatch['severities'] };
    expect(matchesRule(match, anIncidentDeclared({ severity: 'SEV2' }))).toBe(true);
    expect(matchesRule(match, anIncidentDeclared({ severity: 'SEV3' }))).toBe(false);
  });

  it('matches when any of the incident services is listed', () => {
    const match = { ...any, services: ['payments', 'checkout-api'] };
    expect(matchesRule(match, anIncidentDeclared({ services: ['search', 'checkout-api'] }))).toBe(true);
    expect(matchesRule(match, anIncidentDeclared({ services: ['search'] }))).toBe(false);
    expect(matchesRule(match, anIncidentDeclared({ services: [] }))).toBe(false);
  });

  it('compares services exactly', () => {
    expect(matchesRule({ ...any, services: ['Checkout-API'] }, anIncidentDeclared({ services: ['checkout-api'] }))).toBe(false);
  });

  it('matches on the event type', () => {
    const match: NotificationRuleMatch = { ...any, eventTypes: ['IncidentDeclared', 'IncidentResolved'] };
    expect(matchesRule(match, anIncidentDeclared())).toBe(true);
    expect(matchesRule(match, anIncidentStatusChanged())).toBe(false);
  });

  it('matches on the event kind, reading an event without one as lifecycle', () => {
    const lifecycleOnly: NotificationRuleMatch = { ...any, kinds: ['lifecycle'] };
    const churn = { ...anIncidentDeclared(), type: 'IncidentNoteAdded', data: { ...anIncidentDeclared().data, kind: 'alert_churn', noteId: 'alert-membership:1:2', text: 'x' } } as unknown as Parameters<typeof matchesRule>[1];
    expect(matchesRule(lifecycleOnly, anIncidentDeclared())).toBe(true);
    expect(matchesRule(lifecycleOnly, churn)).toBe(false);
    expect(matchesRule({ ...any, kinds: ['alert_churn'] }, churn)).toBe(true);
    expect(matchesRule(any, churn)).toBe(true);
  });

  it('requires every non-empty filter to pass', () => {
    const match: NotificationRuleMatch = { severities: ['SEV1'], services: ['payments'], eventTypes: ['IncidentDeclared'], kinds: ['lifecycle'] };
    expect(matchesRule(match, anIncidentDeclared({ severity: 'SEV1', services: ['payments'] }))).toBe(true);
    expect(matchesRule(match, anIncidentDeclared({ severity: 'SEV1', services: ['search'] }))).toBe(false);
    expect(matchesRule(match, anIncidentDeclared({ severity: 'SEV2', services: ['payments'] }))).toBe(false);
    expect(matchesRule(match, anIncidentStatusChanged({ severity: 'SEV1', services: ['payments'] }))).toBe(false);
  });
});

describe('rulesToNotify', () => {
  it('returns only enabled, matching rules, in order', () => {
    const rules = [
      aRule({ id: 'a' }),
      aRule({ id: 'b', enabled: false }),
      aRule({ id: 'c', match: { ...any, severities: ['SEV4'] } }),
      aRule({ id: 'd', match: { ...any, services: ['checkout-api'] } }),
    ];
    expect(rulesToNotify(rules, anIncidentDeclared({ severity: 'SEV1', services: ['checkout-api'] })).map((r) => r.id)).toEqual(['a', 'd']);
  });
});
