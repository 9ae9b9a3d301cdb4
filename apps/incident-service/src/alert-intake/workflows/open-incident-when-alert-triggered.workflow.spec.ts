import { anIncidentAcknowledged, anIncidentDeclared } from '../../incidents/testing/incident.factories';
import type { Integration } from '../integrations/domain/integration';
import { DEFAULT_SEVERITY_MAPPING } from '../integrations/domain/integration.values';
import { anAlertAcknowledged, anAlertMemberResolved, anAlertResolved, anAlertRetriggered, anAlertTriggered, TEST_INTEGRATION_ACTOR, TEST_INTEGRATION_ID } from '../testing/alert.factories';
import { incidentCommandForAlert, incidentIdOfAlert, planAlertResolved, type AlertReactionContext } from './open-incident-when-alert-triggered.workflow';

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

describe('incidentCommandForAlert', () => {
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
    expect(incidentCommandForAlert(anAlertRetriggered({ triggerCount: 3 }), context())).toBeNull();
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

  it('notes an alert joining a group incident, and one member of the group resolving, without resolving the incident', () => {
    expect(incidentCommandForAlert(anAlertRetriggered({ triggerCount: 2, fingerprint: 'b' }), context())).toMatchObject({
      type: 'AddTimelineNote',
      data: { incidentId, text: expect.stringContaining('fingerprint b, trigger #2') },
    });
    expect(incidentCommandForAlert(anAlertMemberResolved({ fingerprint: 'a', stillFiring: 1 }), context())).toMatchObject({
      type: 'AddTimelineNote',
      data: { incidentId, noteId: 'alert:evt-1', text: 'Alert a of the group resolved; 1 still firing, so the incident stays open.' },
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
