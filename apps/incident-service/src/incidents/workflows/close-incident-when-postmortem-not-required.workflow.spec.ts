import { anIncidentClosed, anIncidentDeclared, anIncidentReopened, anIncidentResolved } from '../testing/incident.factories';
import type { IncidentEvent, IncidentResolved } from '../domain/incident.events';
import { closeIncidentWhenPostmortemNotRequired } from './close-incident-when-postmortem-not-required.workflow';

const notRequired = anIncidentResolved({ by: 'integration:x', postmortem: { required: false, reason: 'not required: SEV4, declared and resolved by integration:x with no human action (POSTMORTEM_REQUIRED_FOR=SEV1,SEV2,human)' } });
const stream = (...events: IncidentEvent[]) => events.map((event, i) => ({ eventId: `e${i + 1}`, event }));
const react = (resolved: IncidentResolved, eventId: string, events: ReturnType<typeof stream>) =>
  closeIncidentWhenPostmortemNotRequired({ eventId, event: resolved, correlationId: 'corr-1' }, events);

describe(closeIncidentWhenPostmortemNotRequired.name, () => {
  it('closes with the reason, at the resolution time, with a command id derived from the resolution', () => {
    const command = react(notRequired, 'e2', stream(anIncidentDeclared(), notRequired));
    expect(command).toEqual({
      type: 'CloseIncident',
      data: { incidentId: notRequired.data.incidentId, reason: { code: 'postmortem_not_required', text: `postmortem ${notRequired.data.postmortem!.reason}` } },
      metadata: {
        now: new Date(notRequired.data.at),
        actor: 'system:incident-service',
        correlationId: 'corr-1',
        causationId: 'e2',
        commandId: 'workflow:close-incident-when-postmortem-not-required:e2',
      },
    });
  });

  it('leaves alone a resolution that requires a postmortem, and one written before the policy (no field)', () => {
    const required = anIncidentResolved({ postmortem: { required: true, reason: 'required: SEV1 reached' } });
    expect(react(required, 'e2', stream(anIncidentDeclared(), required))).toBeNull();
    const old = anIncidentResolved();
    expect(react(old, 'e2', stream(anIncidentDeclared(), old))).toBeNull();
  });

  it('does nothing when the incident was reopened, resolved again, or closed since', () => {
    expect(react(notRequired, 'e2', stream(anIncidentDeclared(), notRequired, anIncidentReopened()))).toBeNull();
    expect(react(notRequired, 'e2', stream(anIncidentDeclared(), notRequired, anIncidentReopened(), notRequired))).toBeNull();
    expect(react(notRequired, 'e2', stream(anIncidentDeclared(), notRequired, anIncidentClosed()))).toBeNull();
  });
});
