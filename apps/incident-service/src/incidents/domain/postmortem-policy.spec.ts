import { givenWhenThen } from '@fireline/event-store/testing/decider.given';
import {
  aCloseIncidentCommand,
  aResolveIncidentCommand,
  aTimelineNoteAdded,
  anIncidentAcknowledged,
  anIncidentClosed,
  anIncidentDeclared,
  anIncidentReopened,
  anIncidentResolved,
  anIncidentRoleAssigned,
  anIncidentSeverityChanged,
} from '../testing/incident.factories';
import { givenIncident } from '../testing/incident.given';
import { createIncidentDecider } from './incident.decider';
import { INCIDENT_ERROR_CODES } from './incident.errors';
import { evolveIncident, initialIncidentState, type IncidentState } from './incident.state';
import { isHumanActor, parsePostmortemPolicy, postmortemRequirement, type PostmortemPolicy } from './postmortem-policy';

const BOT = 'integration:7f1c0a52-0e1b-4a8e-9f35-3b7c6f0d2a11';
const givenUnder = (policy: PostmortemPolicy) => givenWhenThen(createIncidentDecider({ postmortemPolicy: policy }), { invalidCode: INCIDENT_ERROR_CODES.invalid });
const alertDeclared = (severity: 'SEV1' | 'SEV2' | 'SEV3' | 'SEV4') => anIncidentDeclared({ severity, by: BOT, detectionSource: 'alert:prometheus' });
const resolveByBot = aResolveIncidentCommand({ summary: 'Alert resolved' }, { actor: BOT });
const resolvedByBot = (postmortem: { required: boolean; reason: string }) => anIncidentResolved({ summary: 'Alert resolved', by: BOT, postmortem });

describe(postmortemRequirement.name, () => {
  const defaults: PostmortemPolicy = ['SEV1', 'SEV2', 'human'];

  it('does not require one for a SEV4 alert incident only its integration declared and resolved, and says why', () => {
    givenUnder(defaults)(alertDeclared('SEV4'))
      .when(resolveByBot)
      .then(resolvedByBot({ required: false, reason: `not required: SEV4, declared and resolved by ${BOT} with no human action (POSTMORTEM_REQUIRED_FOR=SEV1,SEV2,human)` }));
  });

  it('requires one for a SEV1 alert incident although no human acted', () => {
    givenUnder(defaults)(alertDeclared('SEV1'))
      .when(resolveByBot)
      .then(resolvedByBot({ required: true, reason: 'required: SEV1 reached (POSTMORTEM_REQUIRED_FOR=SEV1,SEV2,human)' }));
  });

  it('requires one when the incident was raised from SEV3 to SEV1 and lowered again before resolving (the highest severity counts)', () => {
    givenUnder(defaults)(
      alertDeclared('SEV3'),
      anIncidentSeverityChanged({ from: 'SEV3', to: 'SEV1', by: BOT, reason: 'critical alert joined' }),
      anIncidentSeverityChanged({ from: 'SEV1', to: 'SEV4', by: BOT, reason: 'calmer' }),
    )
      .when(resolveByBot)
      .then(resolvedByBot({ required: true, reason: 'required: SEV1 reached (POSTMORTEM_REQUIRED_FOR=SEV1,SEV2,human)' }));
  });

  it.each([
    ['acknowledged', anIncidentAcknowledged({ by: 'key:ab12' })],
    ['took a role', anIncidentRoleAssigned({ by: 'key:ab12' })],
    ['wrote a note', aTimelineNoteAdded({ by: 'key:ab12' })],
  ])('requires one for a SEV3 alert incident a human %s on', (_what, humanEvent) => {
    givenUnder(defaults)(alertDeclared('SEV3'), humanEvent)
      .when(resolveByBot)
      .then(resolvedByBot({ required: true, reason: 'required: key:ab12 acted on it (POSTMORTEM_REQUIRED_FOR=SEV1,SEV2,human)' }));
  });

  it('requires one for a SEV4 incident a human declared, and for a SEV4 alert incident a human resolved', () => {
    givenUnder(defaults)(anIncidentDeclared({ severity: 'SEV4', by: 'key:ab12' }))
      .when(aResolveIncidentCommand({ summary: 'Alert resolved' }, { actor: 'key:ab12' }))
      .then(anIncidentResolved({ summary: 'Alert resolved', by: 'key:ab12', postmortem: { required: true, reason: 'required: key:ab12 declared it (POSTMORTEM_REQUIRED_FOR=SEV1,SEV2,human)' } }));
    givenUnder(defaults)(alertDeclared('SEV4'))
      .when(aResolveIncidentCommand({ summary: 'Alert resolved' }, { actor: 'key:cd34' }))
      .then(anIncidentResolved({ summary: 'Alert resolved', by: 'key:cd34', postmortem: { required: true, reason: 'required: key:cd34 resolved it (POSTMORTEM_REQUIRED_FOR=SEV1,SEV2,human)' } }));
  });

  it('does not count system: actors (timers, our own workflows) as humans', () => {
    givenUnder(defaults)(alertDeclared('SEV3'), aTimelineNoteAdded({ by: 'system:silent-alert-expiry' }))
      .when(resolveByBot)
      .then(resolvedByBot({ required: false, reason: `not required: SEV3, declared and resolved by ${BOT} with no human action (POSTMORTEM_REQUIRED_FOR=SEV1,SEV2,human)` }));
  });

  it('counts a human who reopened the incident when it is resolved again', () => {
    givenUnder(defaults)(alertDeclared('SEV4'), resolvedByBot({ required: false, reason: 'x' }), anIncidentReopened({ by: 'key:ab12' }))
      .when(resolveByBot)
      .then(resolvedByBot({ required: true, reason: 'required: key:ab12 acted on it (POSTMORTEM_REQUIRED_FOR=SEV1,SEV2,human)' }));
  });

  it('requires one for every incident under "all" and for none under "none"', () => {
    givenUnder(['all'])(alertDeclared('SEV4'))
      .when(resolveByBot)
      .then(resolvedByBot({ required: true, reason: 'required for every incident (POSTMORTEM_REQUIRED_FOR=all)' }));
    givenUnder(['none'])(anIncidentDeclared({ severity: 'SEV1', by: 'key:ab12' }))
      .when(resolveByBot)
      .then(resolvedByBot({ required: false, reason: 'not required: no incident needs one (POSTMORTEM_REQUIRED_FOR=none)' }));
  });

  it('asks only for the listed severities when "human" is not listed', () => {
    givenUnder(['SEV1'])(anIncidentDeclared({ severity: 'SEV2', by: 'key:ab12' }))
      .when(aResolveIncidentCommand({ summary: 'Alert resolved' }, { actor: 'key:ab12' }))
      .then(
        anIncidentResolved({ summary: 'Alert resolved', by: 'key:ab12', postmortem: { required: false, reason: 'not required: SEV2, declared and resolved by key:ab12 (POSTMORTEM_REQUIRED_FOR=SEV1)' } }),
      );
  });

  it('treats an IncidentResolved written before the policy (no postmortem field) as it was: folded without error', () => {
    const state = [alertDeclared('SEV4'), anIncidentResolved({ by: BOT })].reduce<IncidentState>(evolveIncident, initialIncidentState);
    expect(state).toMatchObject({ status: 'resolved', highestSeverity: 'SEV4', firstHumanActor: null });
  });
});

describe('CloseIncident with a reason', () => {
  const reason = { code: 'postmortem_not_required' as const, text: 'postmortem not required: SEV4' };

  it('records the reason on IncidentClosed, and none when closed by hand', () => {
    givenIncident(anIncidentDeclared(), anIncidentResolved()).when(aCloseIncidentCommand({ reason })).then(anIncidentClosed({ reason }));
    givenIncident(anIncidentDeclared(), anIncidentResolved()).when(aCloseIncidentCommand()).then(anIncidentClosed());
  });

  it('rejects a blank reason text and an unknown reason code', () => {
    givenIncident(anIncidentDeclared(), anIncidentResolved())
      .when(aCloseIncidentCommand({ reason: { code: 'bored' as 'postmortem_not_required', text: ' ' } }))
      .thenRejectsFields('reason.code', 'reason.text');
  });
});

describe(parsePostmortemPolicy.name, () => {
  it('parses the default spelling, case and blanks aside, without duplicates', () => {
    expect(parsePostmortemPolicy('SEV1,SEV2,human')).toEqual({ policy: ['SEV1', 'SEV2', 'human'] });
    expect(parsePostmortemPolicy(' sev1 , Human,SEV1 ')).toEqual({ policy: ['SEV1', 'human'] });
  });

  it('rejects an unknown token by name, an empty list, and all/none mixed with others', () => {
    expect(parsePostmortemPolicy('SEV1,SEV5')).toEqual({ error: expect.stringContaining('unknown condition "SEV5"') });
    expect(parsePostmortemPolicy(' , ')).toEqual({ error: expect.stringContaining('at least one') });
    expect(parsePostmortemPolicy('all,SEV1')).toEqual({ error: '"all" and "none" must stand alone' });
  });
});

describe(isHumanActor.name, () => {
  it('rejects integration: and system: actors and accepts keys and users', () => {
    expect([BOT, 'system:incident-service', 'key:ab12', 'user:alice', 'alice@example.com'].map(isHumanActor)).toEqual([false, false, true, true, true]);
  });
});
