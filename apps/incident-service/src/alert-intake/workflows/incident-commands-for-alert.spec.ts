import { anIncidentAcknowledged, anIncidentDeclared, anIncidentResolved, anIncidentSeverityChanged, aTimelineNoteAdded } from '../../incidents/testing/incident.factories';
import type { Integration } from '../integrations/domain/integration';
import { DEFAULT_SEVERITY_MAPPING } from '../integrations/domain/integration.values';
import { anAlertAcknowledged, anAlertMemberResolved, anAlertResolved, anAlertRetriggered, anAlertTriggered, TEST_INTEGRATION_ACTOR, TEST_INTEGRATION_ID } from '../testing/alert.factories';
import { incidentIdOfAlert, type AlertReactionContext, type VersionedAlertEvent } from './alert-incident';
import { incidentCommandsForAlert } from './incident-commands-for-alert';
import { planAlertResolved } from './resolve-incident-when-alerts-resolved.workflow';
import type { AlertEvent } from '../domain/alert.events';

/** The single command the event calls for (fails when there are several or none). */
const incidentCommandForAlert = (event: AlertEvent, context: AlertReactionContext) => {
  const commands = incidentCommandsForAlert(event, context);
  if (commands.length > 1) throw new Error(`expected at most one command, got ${commands.length}`);
  return commands[0] ?? null;
};
const versioned = (...events: AlertEvent[]): VersionedAlertEvent[] => events.map((event, i) => ({ version: i + 1, event }));
const at = (seconds: number) => new Date(Date.parse('2025-03-01T10:00:00.000Z') + seconds * 1000).toISOString();

const integration: Integration = {
  id: TEST_INTEGRATION_ID,
  type: 'events-v2',
  name: 'prometheus',
  service: 'checkout',
  severityMapping: { ...DEFAULT_SEVERITY_MAPPING, error: 'SEV1' },
  autoResolve: 'unless_taken_over',
  signingSecrets: [],
  createdAt: new Date(0),
  deletedAt: null,
};
const context = (overrides: Partial<AlertReactionContext> = {}): AlertReactionContext => ({
  eventId: 'evt-1',
  correlationId: 'intake-1',
  integration,
  incidentEvents: [],
  ...overrides,
});
const incidentId = incidentIdOfAlert(TEST_INTEGRATION_ID, 'dedup-1', 1);
const declaredByIntegration = anIncidentDeclared({ incidentId, by: TEST_INTEGRATION_ACTOR });

describe('incidentCommandsForAlert', () => {
  it('declares an incident for a new incarnation, for the integration service, severity mapped, with a deterministic id', () => {
    const command = incidentCommandForAlert(anAlertTriggered({ severity: 'error', summary: 'x'.repeat(300) }), context());
    expect(command).toMatchObject({
      type: 'DeclareIncident',
      data: { incidentId, severity: 'SEV1', services: ['checkout'], detectionSource: 'alert:prometheus' },
      metadata: { actor: TEST_INTEGRATION_ACTOR, causationId: 'evt-1', correlationId: 'intake-1', commandId: 'workflow:open-incident-when-alert-triggered:evt-1' },
    });
    expect([...(command?.data as { title: string }).title]).toHaveLength(200);
    expect(incidentIdOfAlert(TEST_INTEGRATION_ID, 'dedup-1', 2)).not.toBe(incidentId);
  });

  it('does nothing for a repeated trigger of an ungrouped alert (it only counts) and acknowledges with the alert', () => {
    expect(incidentCommandForAlert(anAlertRetriggered({ triggerCount: 3, severity: 'warning' }), context({ incidentEvents: [declaredByIntegration] }))).toBeNull();
    expect(incidentCommandForAlert(anAlertAcknowledged(), context())).toMatchObject({ type: 'AcknowledgeIncident', data: { incidentId } });
  });

  it('resolves the incident when only the integration has acted on it', () => {
    const events = [declaredByIntegration, anIncidentAcknowledged({ incidentId, by: TEST_INTEGRATION_ACTOR })];
    expect(incidentCommandForAlert(anAlertResolved({ summary: '[RESOLVED] disk' }), context({ incidentEvents: events }))).toMatchObject({
      type: 'ResolveIncident',
      data: { incidentId, summary: 'Alert resolved: [RESOLVED] disk' },
    });
  });

  it('only notes the resolve when a human has taken the incident over', () => {
    const events = [declaredByIntegration, anIncidentAcknowledged({ incidentId, by: 'alice@example.com' })];
    expect(incidentCommandForAlert(anAlertResolved(), context({ incidentEvents: events }))).toMatchObject({
      type: 'AddTimelineNote',
      data: { text: expect.stringContaining('alice@example.com has taken it over') },
    });
  });

  it('declares the incident for the service the alert labels name, else the integration\'s', () => {
    expect(incidentCommandForAlert(anAlertTriggered({ service: 'payments' }), context())).toMatchObject({ data: { services: ['payments'] } });
    expect(incidentCommandForAlert(anAlertTriggered({ service: null }), context())).toMatchObject({ data: { services: ['checkout'] } });
    expect(incidentCommandForAlert(anAlertTriggered(), context())).toMatchObject({ data: { services: ['checkout'] } });
  });

  it('attaches a new incarnation to the still-open incident of the previous one with a note, not a second declaration', () => {
    const open = anIncidentDeclared({ incidentId, severity: 'SEV1', by: TEST_INTEGRATION_ACTOR });
    const commands = incidentCommandsForAlert(anAlertTriggered({ incarnation: 2, fingerprint: 'a' }), context({ incidentId, attached: true, incidentEvents: [open] }));
    expect(commands).toEqual([
      expect.objectContaining({ type: 'AddTimelineNote', data: expect.objectContaining({ incidentId, text: expect.stringContaining('firing again (incarnation 2)') }) }),
    ]);
  });

  describe('severity rises', () => {
    const sev3 = anIncidentDeclared({ incidentId, severity: 'SEV3', by: TEST_INTEGRATION_ACTOR });

    it('raises a SEV3 group incident when a critical alert joins, with the reason, and never lowers it', () => {
      const critical = anAlertRetriggered({ fingerprint: 'b', severity: 'critical', summary: 'db down' });
      const commands = incidentCommandsForAlert(critical, context({ incidentEvents: [sev3], alertHistory: versioned(anAlertTriggered({ fingerprint: 'a' }), critical), version: 2 }));
      expect(commands.map((c) => c.type)).toEqual(['AddTimelineNote', 'ChangeIncidentSeverity']);
      expect(commands[1]).toMatchObject({
        data: { incidentId, severity: 'SEV1', reason: expect.stringContaining('raised the severity from SEV3 to SEV1') },
        metadata: { commandId: 'workflow:open-incident-when-alert-triggered:evt-1:severity' },
      });
      const info = anAlertRetriggered({ fingerprint: 'c', severity: 'info' });
      expect(incidentCommandsForAlert(info, context({ incidentEvents: [sev3] })).map((c) => c.type)).not.toContain('ChangeIncidentSeverity');
    });

    it('raises on a more severe repeated trigger of an ungrouped alert, but not past a human\'s higher rating, nor a resolved incident', () => {
      expect(incidentCommandsForAlert(anAlertRetriggered({ severity: 'critical' }), context({ incidentEvents: [sev3] }))).toMatchObject([
        { type: 'ChangeIncidentSeverity', data: { severity: 'SEV1' } },
      ]);
      const raisedByHuman = [sev3, anIncidentSeverityChanged({ incidentId, from: 'SEV3', to: 'SEV1', by: 'alice@example.com' })];
      expect(incidentCommandsForAlert(anAlertRetriggered({ severity: 'critical' }), context({ incidentEvents: raisedByHuman }))).toEqual([]);
      expect(incidentCommandsForAlert(anAlertRetriggered({ severity: 'critical' }), context({ incidentEvents: [sev3, anIncidentResolved({ incidentId })] }))).toEqual([]);
    });
  });

  describe('membership notes', () => {
    const sev1 = anIncidentDeclared({ incidentId, severity: 'SEV1', by: TEST_INTEGRATION_ACTOR });
    const opened = anAlertTriggered({ fingerprint: 'a', at: at(0) });
    const joinedB = anAlertRetriggered({ fingerprint: 'b', triggerCount: 2, at: at(10) });
    const joinedC = anAlertRetriggered({ fingerprint: 'c', triggerCount: 3, at: at(20) });
    const resolvedA = anAlertMemberResolved({ fingerprint: 'a', stillFiring: 2, at: at(90) });
    const history = versioned(opened, joinedB, joinedC, resolvedA);

    it('notes the first change, then at most one note per window that sums up the changes since the previous one', () => {
      const first = incidentCommandForAlert(joinedB, context({ incidentEvents: [sev1], alertHistory: history, version: 2 }));
      expect(first).toMatchObject({
        type: 'AddTimelineNote',
        data: { noteId: 'alert-membership:1:2', text: expect.stringContaining('1 alert started firing, 0 resolved; 2 firing now') },
      });
      const noted = [sev1, aTimelineNoteAdded({ incidentId, noteId: 'alert-membership:1:2', at: at(10) })];
      expect(incidentCommandForAlert(joinedC, context({ incidentEvents: noted, alertHistory: history, version: 3 }))).toBeNull();
      expect(incidentCommandForAlert(resolvedA, context({ incidentEvents: noted, alertHistory: history, version: 4 }))).toMatchObject({
        data: { noteId: 'alert-membership:1:4', text: expect.stringContaining('since the previous note: 1 alert started firing, 1 resolved; 2 firing now') },
      });
      expect(incidentCommandForAlert(resolvedA, context({ incidentEvents: noted, alertHistory: history, version: 4, membershipNoteWindowMs: 120_000 }))).toBeNull();
    });

    it('writes no "still firing" note when the same delivery went on to resolve every alert; the resolve says what happened', () => {
      const a = anAlertMemberResolved({ fingerprint: 'a', stillFiring: 1 });
      const last = anAlertResolved({ fingerprint: 'b', summary: 'errors back to normal' });
      const all = versioned(anAlertTriggered({ fingerprint: 'a' }), anAlertRetriggered({ fingerprint: 'b' }), a, last);
      expect(incidentCommandForAlert(a, context({ incidentEvents: [sev1], alertHistory: all, version: 3 }))).toBeNull();
      expect(incidentCommandForAlert(last, context({ incidentEvents: [sev1], alertHistory: all, version: 4 }))).toMatchObject({
        type: 'ResolveIncident',
        data: { summary: 'All 2 alerts of the group resolved: errors back to normal' },
      });
    });
  });
});

describe('planAlertResolved', () => {
  const takenOver = [declaredByIntegration, anIncidentAcknowledged({ incidentId, by: 'alice@example.com' })];
  const untouched = [declaredByIntegration, anIncidentAcknowledged({ incidentId, by: TEST_INTEGRATION_ACTOR })];

  it('resolves unless a human has taken the incident over, by default', () => {
    expect(planAlertResolved('unless_taken_over', untouched, TEST_INTEGRATION_ID)).toEqual({ action: 'resolve' });
    expect(planAlertResolved('unless_taken_over', takenOver, TEST_INTEGRATION_ID)).toEqual({ action: 'note', because: 'alice@example.com has taken it over' });
  });

  it('resolves even when a human has taken the incident over, when set to always', () => {
    expect(planAlertResolved('always', takenOver, TEST_INTEGRATION_ID)).toEqual({ action: 'resolve' });
    expect(planAlertResolved('always', untouched, TEST_INTEGRATION_ID)).toEqual({ action: 'resolve' });
  });

  it('only notes the resolve, even when nobody has touched the incident, when set to never', () => {
    expect(planAlertResolved('never', untouched, TEST_INTEGRATION_ID)).toMatchObject({ action: 'note', because: expect.stringContaining('never to resolve') });
    expect(planAlertResolved('never', takenOver, TEST_INTEGRATION_ID)).toMatchObject({ action: 'note' });
  });

  it('turns the plan into ResolveIncident or a timeline note for AlertResolved', () => {
    const always = { ...integration, autoResolve: 'always' as const };
    const never = { ...integration, autoResolve: 'never' as const };
    expect(incidentCommandForAlert(anAlertResolved(), context({ integration: always, incidentEvents: takenOver }))).toMatchObject({ type: 'ResolveIncident', data: { incidentId } });
    expect(incidentCommandForAlert(anAlertResolved(), context({ integration: never, incidentEvents: untouched }))).toMatchObject({
      type: 'AddTimelineNote',
      data: { incidentId, noteId: 'alert:evt-1', text: expect.stringContaining('set never to resolve incidents automatically') },
    });
  });
});
