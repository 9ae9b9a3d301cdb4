import { IllegalStateError, NotFoundError, ValidationError } from '@fireline/errors';
import { foldEvents } from '@fireline/event-store/decider';
import {
  aChangeIncidentSeverityCommand,
  aChangeIncidentStatusCommand,
  aCloseIncidentCommand,
  aDeclareIncidentCommand,
  aPostStatusUpdateCommand,
  aReopenIncidentCommand,
  aResolveIncidentCommand,
  aStatusUpdatePosted,
  aTimelineNoteAdded,
  anAcknowledgeIncidentCommand,
  anAddTimelineNoteCommand,
  anAssignIncidentRoleCommand,
  anIncidentAcknowledged,
  anIncidentClosed,
  anIncidentDeclared,
  anIncidentReopened,
  anIncidentResolved,
  anIncidentRoleAssigned,
  anIncidentSeverityChanged,
  anIncidentStatusChanged,
  minutesAfterTestNow,
  TEST_INCIDENT_ID,
} from '../testing/incident.factories';
import { givenIncident } from '../testing/incident.given';
import type { IncidentCommand } from './incident.commands';
import { incidentDecider } from './incident.decider';
import type { IncidentEvent } from './incident.events';
import type { OpenIncidentStatus } from './incident.values';

const declared = anIncidentDeclared();
const resolved = anIncidentResolved();
const closed = anIncidentClosed();
/** What the default policy records on resolving `declared` (a SEV2 declared by a person). */
const postmortem = { required: true, reason: 'required: SEV2 reached (POSTMORTEM_REQUIRED_FOR=SEV1,SEV2,human)' };

/** The history that leaves a declared incident in `status`. */
function historyIn(status: OpenIncidentStatus): IncidentEvent[] {
  return status === 'detected' ? [declared] : [declared, anIncidentStatusChanged({ from: 'detected', to: status })];
}

const text = (length: number, char = 'x') => char.repeat(length);

describe('incidentDecider', () => {
  it('starts every stream with no incident', () => {
    expect(incidentDecider.initialState()).toEqual({ status: 'none' });
  });

  describe('DeclareIncident', () => {
    it('declares the incident with every field, stamped with the command clock and actor', () => {
      givenIncident()
        .when(aDeclareIncidentCommand({ severity: 'SEV1' }, { now: new Date('2025-04-02T08:30:00.000Z'), actor: 'integration:datadog' }))
        .then(
          anIncidentDeclared({ severity: 'SEV1', at: '2025-04-02T08:30:00.000Z', by: 'integration:datadog' }),
        );
    });

    it('trims the title, the services and the detection source', () => {
      givenIncident()
        .when(aDeclareIncidentCommand({ title: '  Checkout returns 500 ', services: [' checkout', 'payments  '], detectionSource: ' manual ' }))
        .then(anIncidentDeclared({ title: 'Checkout returns 500', services: ['checkout', 'payments'], detectionSource: 'manual' }));
    });

    it('keeps the description as written', () => {
      givenIncident()
        .when(aDeclareIncidentCommand({ description: '  line 1\n  line 2\n' }))
        .then(anIncidentDeclared({ description: '  line 1\n  line 2\n' }));
    });

    it('accepts an empty description and no services', () => {
      givenIncident()
        .when(aDeclareIncidentCommand({ description: '', services: [] }))
        .then(anIncidentDeclared({ description: '', services: [] }));
    });

    it('accepts the longest allowed values, counting an emoji as one character', () => {
      const services = Array.from({ length: 50 }, (_, index) => `svc-${index}`);
      givenIncident()
        .when(aDeclareIncidentCommand({ title: text(199) + '🔥', description: text(10_000), services, detectionSource: text(100) }))
        .then(anIncidentDeclared({ title: text(199) + '🔥', description: text(10_000), services, detectionSource: text(100) }));
    });

    it('rejects the command when the incident is already declared', () => {
      givenIncident(declared)
        .when(aDeclareIncidentCommand())
        .thenThrows(IllegalStateError, 'INCIDENT.ALREADY_DECLARED', { incidentId: TEST_INCIDENT_ID });
    });

    it('rejects the command when the incident is already declared, even if closed', () => {
      givenIncident(declared, resolved, closed).when(aDeclareIncidentCommand()).thenThrows(IllegalStateError, 'INCIDENT.ALREADY_DECLARED');
    });

    it.each([
      ['the title is blank', { title: '   ' }, ['title']],
      ['the title is longer than 200 characters', { title: text(201) }, ['title']],
      ['the description is longer than 10000 characters', { description: text(10_001) }, ['description']],
      ['the severity is unknown', { severity: 'SEV5' }, ['severity']],
      ['there are more than 50 services', { services: Array.from({ length: 51 }, (_, index) => `svc-${index}`) }, ['services']],
      ['a service is blank', { services: ['checkout', ' '] }, ['services[1]']],
      ['a service is longer than 100 characters', { services: [text(101)] }, ['services[0]']],
      ['a service is listed twice once trimmed', { services: ['checkout', 'payments', ' checkout '] }, ['services[2]']],
      ['the detection source is blank', { detectionSource: '' }, ['detectionSource']],
      ['the detection source is longer than 100 characters', { detectionSource: text(101) }, ['detectionSource']],
      ['the incident id is blank', { incidentId: ' ' }, ['incidentId']],
      ['the title is not a string', { title: 42 }, ['title']],
      ['the services are not an array', { services: 'checkout' }, ['services']],
      ['the description is missing', { description: undefined }, ['description']],
    ])('rejects the command when %s', (_case, data, fields) => {
      givenIncident()
        .when(aDeclareIncidentCommand(data as never))
        .thenRejectsFields(...fields);
    });

    it('rejects the command naming every bad field at once', () => {
      const fieldErrors = givenIncident()
        .when(aDeclareIncidentCommand({ title: '', severity: 'P1' as never, services: ['a', 'a'], detectionSource: ' ' }))
        .thenRejectsFields('title', 'severity', 'services[1]', 'detectionSource');
      expect(fieldErrors).toEqual([
        { field: 'title', message: 'must not be blank' },
        { field: 'severity', message: 'must be one of SEV1, SEV2, SEV3, SEV4' },
        { field: 'services[1]', message: 'duplicates services[0]' },
        { field: 'detectionSource', message: 'must not be blank' },
      ]);
    });

    it('rejects the command when its data is missing', () => {
      givenIncident()
        .when({ ...aDeclareIncidentCommand(), data: undefined } as never)
        .thenRejectsFields('data');
    });

    it('rejects the command when its type is unknown', () => {
      givenIncident(declared)
        .when({ ...anAcknowledgeIncidentCommand(), type: 'DeleteIncident' } as never)
        .thenRejectsFields('type');
    });
  });

  describe('on an incident that does not exist', () => {
    const everyCommandButDeclare: IncidentCommand[] = [
      anAcknowledgeIncidentCommand(),
      aChangeIncidentStatusCommand(),
      aChangeIncidentSeverityCommand(),
      anAssignIncidentRoleCommand(),
      anAddTimelineNoteCommand(),
      aPostStatusUpdateCommand(),
      aResolveIncidentCommand(),
      aReopenIncidentCommand(),
      aCloseIncidentCommand(),
    ];

    it.each(everyCommandButDeclare.map((command) => [command.type, command] as const))(
      'rejects %s when the incident was never declared',
      (_type, command) => {
        givenIncident().when(command).thenThrows(NotFoundError, 'INCIDENT.NOT_FOUND', { incidentId: TEST_INCIDENT_ID });
      },
    );

    it('validates the command data before looking the incident up', () => {
      givenIncident().when(aResolveIncidentCommand({ summary: '' })).thenRejectsFields('summary');
    });
  });

  describe('on a closed incident', () => {
    const changes: IncidentCommand[] = [
      anAcknowledgeIncidentCommand(),
      aChangeIncidentStatusCommand({ status: 'investigating', note: 'not done after all' }),
      aChangeIncidentSeverityCommand(),
      anAssignIncidentRoleCommand(),
      anAddTimelineNoteCommand({ noteId: 'note-after-close' }),
      aPostStatusUpdateCommand({ updateId: 'update-after-close' }),
      aResolveIncidentCommand(),
      aReopenIncidentCommand(),
    ];

    it.each(changes.map((command) => [command.type, command] as const))('rejects %s when the incident is closed', (_type, command) => {
      givenIncident(declared, resolved, closed).when(command).thenThrows(IllegalStateError, 'INCIDENT.CLOSED', { incidentId: TEST_INCIDENT_ID });
    });

    it('rejects a same-severity change when the incident is closed (closed is checked first)', () => {
      givenIncident(declared, resolved, closed)
        .when(aChangeIncidentSeverityCommand({ severity: 'SEV2' }))
        .thenThrows(IllegalStateError, 'INCIDENT.CLOSED');
    });
  });

  describe('AcknowledgeIncident', () => {
    it.each<OpenIncidentStatus>(['detected', 'investigating', 'identified', 'mitigating'])(
      'acknowledges the incident when it is %s',
      (status) => {
        givenIncident(...historyIn(status))
          .when(anAcknowledgeIncidentCommand({}, { actor: 'bob@example.com', now: minutesAfterTestNow(3) }))
          .then(anIncidentAcknowledged({ by: 'bob@example.com', at: minutesAfterTestNow(3).toISOString() }));
      },
    );

    it('does nothing when the incident is already acknowledged', () => {
      givenIncident(declared, anIncidentAcknowledged()).when(anAcknowledgeIncidentCommand({}, { actor: 'carol@example.com' })).thenNothing();
    });

    it('rejects the command when the incident is resolved', () => {
      givenIncident(declared, resolved).when(anAcknowledgeIncidentCommand()).thenThrows(IllegalStateError, 'INCIDENT.ALREADY_RESOLVED');
    });

    it('rejects the command when the incident is resolved, even if it was acknowledged before', () => {
      givenIncident(declared, anIncidentAcknowledged(), resolved)
        .when(anAcknowledgeIncidentCommand())
        .thenThrows(IllegalStateError, 'INCIDENT.ALREADY_RESOLVED');
    });

    it('acknowledges a reopened incident that was never acknowledged', () => {
      givenIncident(declared, resolved, anIncidentReopened()).when(anAcknowledgeIncidentCommand()).then(anIncidentAcknowledged());
    });
  });

  describe('ChangeIncidentStatus', () => {
    it.each<[OpenIncidentStatus, OpenIncidentStatus]>([
      ['detected', 'investigating'],
      ['detected', 'identified'],
      ['detected', 'mitigating'],
      ['investigating', 'identified'],
      ['investigating', 'mitigating'],
      ['identified', 'mitigating'],
    ])('moves the incident forward from %s to %s', (from, to) => {
      givenIncident(...historyIn(from))
        .when(aChangeIncidentStatusCommand({ status: to }))
        .then(anIncidentStatusChanged({ from, to, note: null }));
    });

    it.each<OpenIncidentStatus>(['identified', 'mitigating'])('moves the incident back to investigating from %s', (from) => {
      givenIncident(...historyIn(from))
        .when(aChangeIncidentStatusCommand({ status: 'investigating', note: 'the cause was a red herring' }))
        .then(anIncidentStatusChanged({ from, to: 'investigating', note: 'the cause was a red herring' }));
    });

    it('records the note when one is given', () => {
      givenIncident(declared)
        .when(aChangeIncidentStatusCommand({ status: 'identified', note: 'bad deploy 4711' }))
        .then(anIncidentStatusChanged({ from: 'detected', to: 'identified', note: 'bad deploy 4711' }));
    });

    it('records no note when the note is blank', () => {
      givenIncident(declared)
        .when(aChangeIncidentStatusCommand({ status: 'identified', note: '  ' }))
        .then(anIncidentStatusChanged({ from: 'detected', to: 'identified', note: null }));
    });

    it.each<[OpenIncidentStatus, OpenIncidentStatus]>([
      ['investigating', 'detected'],
      ['identified', 'detected'],
      ['mitigating', 'detected'],
      ['mitigating', 'identified'],
    ])('rejects the move when it goes back from %s to %s', (from, to) => {
      givenIncident(...historyIn(from))
        .when(aChangeIncidentStatusCommand({ status: to }))
        .thenThrows(IllegalStateError, 'INCIDENT.ILLEGAL_TRANSITION', { incidentId: TEST_INCIDENT_ID, from, to });
    });

    it.each<OpenIncidentStatus>(['detected', 'investigating', 'identified', 'mitigating'])(
      'does nothing when the incident is already %s',
      (status) => {
        givenIncident(...historyIn(status)).when(aChangeIncidentStatusCommand({ status, note: 'still' })).thenNothing();
      },
    );

    it('rejects a move to resolved when the incident is open, pointing to the resolve command', () => {
      const error = givenIncident(declared)
        .when(aChangeIncidentStatusCommand({ status: 'resolved', note: 'fixed' }))
        .thenThrows(ValidationError, 'INCIDENT.RESOLVE_REQUIRES_SUMMARY');
      expect((error as ValidationError).fieldErrors).toEqual([{ field: 'status', message: expect.any(String) }]);
    });

    it('rejects a move to resolved when the incident is already resolved', () => {
      givenIncident(declared, resolved)
        .when(aChangeIncidentStatusCommand({ status: 'resolved' }))
        .thenThrows(ValidationError, 'INCIDENT.RESOLVE_REQUIRES_SUMMARY');
    });

    it('closes the incident when it is resolved', () => {
      givenIncident(declared, resolved).when(aChangeIncidentStatusCommand({ status: 'closed' })).then(anIncidentClosed());
    });

    it('rejects a move to closed when the incident is open', () => {
      givenIncident(...historyIn('mitigating'))
        .when(aChangeIncidentStatusCommand({ status: 'closed' }))
        .thenThrows(IllegalStateError, 'INCIDENT.NOT_RESOLVED', { incidentId: TEST_INCIDENT_ID, status: 'mitigating' });
    });

    it('rejects a move to closed when the incident is already closed', () => {
      givenIncident(declared, resolved, closed)
        .when(aChangeIncidentStatusCommand({ status: 'closed' }))
        .thenThrows(IllegalStateError, 'INCIDENT.ALREADY_CLOSED');
    });

    it.each<OpenIncidentStatus>(['detected', 'investigating', 'identified', 'mitigating'])(
      'reopens the incident, with the note as reason, when it is resolved and moved to %s',
      (to) => {
        const { then } = givenIncident(declared, resolved).when(aChangeIncidentStatusCommand({ status: to, note: 'errors are back' }));
        const events = then(anIncidentReopened({ reason: 'errors are back' }));
        expect(foldEvents(incidentDecider, [declared, resolved, ...events])).toMatchObject({
          status: 'investigating',
          resolvedAt: null,
          resolutionSummary: null,
        });
      },
    );

    it.each([
      ['missing', undefined],
      ['blank', ' \n '],
    ])('rejects the reopen when the note is %s', (_case, note) => {
      givenIncident(declared, resolved)
        .when(aChangeIncidentStatusCommand({ status: 'investigating', note }))
        .thenRejectsFields('note');
    });

    it('rejects the command when the status is unknown', () => {
      givenIncident(declared)
        .when(aChangeIncidentStatusCommand({ status: 'fixed' as never }))
        .thenRejectsFields('status');
    });

    it('rejects the command when the note is longer than 10000 characters', () => {
      givenIncident(declared)
        .when(aChangeIncidentStatusCommand({ status: 'identified', note: text(10_001) }))
        .thenRejectsFields('note');
    });
  });

  describe('ChangeIncidentSeverity', () => {
    it('changes the severity, recording the previous one and the reason', () => {
      givenIncident(declared)
        .when(aChangeIncidentSeverityCommand({ severity: 'SEV1', reason: 'disk full on primary' }))
        .then(anIncidentSeverityChanged({ from: 'SEV2', to: 'SEV1', reason: 'disk full on primary' }));
    });

    it('changes from the latest severity', () => {
      givenIncident(declared, anIncidentSeverityChanged({ from: 'SEV2', to: 'SEV1' }))
        .when(aChangeIncidentSeverityCommand({ severity: 'SEV3', reason: 'contained to one region' }))
        .then(anIncidentSeverityChanged({ from: 'SEV1', to: 'SEV3', reason: 'contained to one region' }));
    });

    it('does nothing when the severity is unchanged', () => {
      givenIncident(declared).when(aChangeIncidentSeverityCommand({ severity: 'SEV2' })).thenNothing();
    });

    it('changes the severity when the incident is resolved', () => {
      givenIncident(declared, resolved)
        .when(aChangeIncidentSeverityCommand({ severity: 'SEV3', reason: 'impact smaller than thought' }))
        .then(anIncidentSeverityChanged({ from: 'SEV2', to: 'SEV3', reason: 'impact smaller than thought' }));
    });

    it.each([
      ['the severity is unknown', { severity: 'sev1' }, ['severity']],
      ['the reason is blank', { reason: '  ' }, ['reason']],
      ['the reason is missing', { reason: undefined }, ['reason']],
      ['the reason is longer than 10000 characters', { reason: text(10_001) }, ['reason']],
    ])('rejects the command when %s', (_case, data, fields) => {
      givenIncident(declared)
        .when(aChangeIncidentSeverityCommand(data as never))
        .thenRejectsFields(...fields);
    });
  });

  describe('AssignIncidentRole', () => {
    it('assigns a vacant role', () => {
      givenIncident(declared)
        .when(anAssignIncidentRoleCommand({ role: 'technical_lead', assignee: 'dave@example.com' }))
        .then(anIncidentRoleAssigned({ role: 'technical_lead', assignee: 'dave@example.com', previousAssignee: null }));
    });

    it('reassigns a held role, recording the previous assignee', () => {
      givenIncident(declared, anIncidentRoleAssigned({ role: 'incident_commander', assignee: 'bob@example.com' }))
        .when(anAssignIncidentRoleCommand({ role: 'incident_commander', assignee: 'carol@example.com' }))
        .then(anIncidentRoleAssigned({ role: 'incident_commander', assignee: 'carol@example.com', previousAssignee: 'bob@example.com' }));
    });

    it('lets one person hold several roles', () => {
      givenIncident(declared, anIncidentRoleAssigned({ role: 'incident_commander', assignee: 'bob@example.com' }))
        .when(anAssignIncidentRoleCommand({ role: 'communications_lead', assignee: 'bob@example.com' }))
        .then(anIncidentRoleAssigned({ role: 'communications_lead', assignee: 'bob@example.com', previousAssignee: null }));
    });

    it('does nothing when the role is already held by the assignee (compared trimmed)', () => {
      givenIncident(declared, anIncidentRoleAssigned({ role: 'incident_commander', assignee: 'bob@example.com' }))
        .when(anAssignIncidentRoleCommand({ role: 'incident_commander', assignee: ' bob@example.com ' }))
        .thenNothing();
    });

    it('assigns a role when the incident is resolved', () => {
      givenIncident(declared, resolved)
        .when(anAssignIncidentRoleCommand())
        .then(anIncidentRoleAssigned());
    });

    it.each([
      ['the role is unknown', { role: 'scribe' }, ['role']],
      ['the assignee is blank', { assignee: ' ' }, ['assignee']],
      ['the assignee is longer than 200 characters', { assignee: text(201) }, ['assignee']],
    ])('rejects the command when %s', (_case, data, fields) => {
      givenIncident(declared)
        .when(anAssignIncidentRoleCommand(data as never))
        .thenRejectsFields(...fields);
    });
  });

  describe('AddTimelineNote', () => {
    it('adds the note', () => {
      givenIncident(declared)
        .when(anAddTimelineNoteCommand({ noteId: 'note-7', text: 'Paged the DBA\n- on call: dave' }))
        .then(aTimelineNoteAdded({ noteId: 'note-7', text: 'Paged the DBA\n- on call: dave' }));
    });

    it('adds the note when the incident is resolved', () => {
      givenIncident(declared, resolved).when(anAddTimelineNoteCommand()).then(aTimelineNoteAdded());
    });

    it('does nothing when the note id was already added', () => {
      givenIncident(declared, aTimelineNoteAdded({ noteId: 'note-1' }))
        .when(anAddTimelineNoteCommand({ noteId: 'note-1', text: 'retried' }))
        .thenNothing();
    });

    it('does nothing when the note id was already added, even after the incident was closed', () => {
      givenIncident(declared, aTimelineNoteAdded({ noteId: 'note-1' }), resolved, closed)
        .when(anAddTimelineNoteCommand({ noteId: 'note-1' }))
        .thenNothing();
    });

    it.each([
      ['the text is blank', { text: '\n\t' }, ['text']],
      ['the text is longer than 10000 characters', { text: text(10_001) }, ['text']],
      ['the note id is blank', { noteId: '' }, ['noteId']],
    ])('rejects the command when %s', (_case, data, fields) => {
      givenIncident(declared)
        .when(anAddTimelineNoteCommand(data))
        .thenRejectsFields(...fields);
    });
  });

  describe('PostStatusUpdate', () => {
    it('records a public status override on an external update, and refuses one on an internal update or `resolved`', () => {
      givenIncident(anIncidentDeclared())
        .when(aPostStatusUpdateCommand({ publicStatus: 'identified' }))
        .then(aStatusUpdatePosted({ publicStatus: 'identified' }));
      givenIncident(anIncidentDeclared()).when(aPostStatusUpdateCommand({ audience: 'internal', publicStatus: 'monitoring' })).thenRejectsFields('publicStatus');
      givenIncident(anIncidentDeclared())
        .when(aPostStatusUpdateCommand({ publicStatus: 'resolved' as never }))
        .thenRejectsFields('publicStatus');
    });

    it.each(['internal', 'external'] as const)('posts an %s status update', (audience) => {
      givenIncident(declared)
        .when(aPostStatusUpdateCommand({ updateId: 'update-9', audience, message: 'Fix is rolling out.' }))
        .then(aStatusUpdatePosted({ updateId: 'update-9', audience, message: 'Fix is rolling out.' }));
    });

    it('posts an update when the incident is resolved', () => {
      givenIncident(declared, resolved).when(aPostStatusUpdateCommand()).then(aStatusUpdatePosted());
    });

    it('does nothing when the update id was already posted', () => {
      givenIncident(declared, aStatusUpdatePosted({ updateId: 'update-1' }))
        .when(aPostStatusUpdateCommand({ updateId: 'update-1', audience: 'internal', message: 'retried' }))
        .thenNothing();
    });

    it('does nothing when the update id was already posted, even after the incident was closed', () => {
      givenIncident(declared, aStatusUpdatePosted({ updateId: 'update-1' }), resolved, closed)
        .when(aPostStatusUpdateCommand({ updateId: 'update-1' }))
        .thenNothing();
    });

    it.each([
      ['the audience is unknown', { audience: 'public' }, ['audience']],
      ['the message is blank', { message: ' ' }, ['message']],
      ['the message is longer than 10000 characters', { message: text(10_001) }, ['message']],
      ['the update id is longer than 200 characters', { updateId: text(201) }, ['updateId']],
    ])('rejects the command when %s', (_case, data, fields) => {
      givenIncident(declared)
        .when(aPostStatusUpdateCommand(data as never))
        .thenRejectsFields(...fields);
    });
  });

  describe('ResolveIncident', () => {
    it.each<OpenIncidentStatus>(['detected', 'investigating', 'identified', 'mitigating'])('resolves the incident when it is %s', (status) => {
      givenIncident(...historyIn(status))
        .when(aResolveIncidentCommand({ summary: 'Rolled back the faulty deploy' }))
        .then(anIncidentResolved({ summary: 'Rolled back the faulty deploy', postmortem }));
    });

    it('resolves an incident that was never acknowledged, leaving it unacknowledged', () => {
      const { then } = givenIncident(declared).when(aResolveIncidentCommand());
      const events = then(anIncidentResolved({ postmortem }));
      expect(foldEvents(incidentDecider, [declared, ...events])).toMatchObject({
        status: 'resolved',
        acknowledgedAt: null,
        resolvedAt: declared.data.at,
      });
    });

    it('resolves a reopened incident again', () => {
      givenIncident(declared, resolved, anIncidentReopened())
        .when(aResolveIncidentCommand({ summary: 'Really fixed: replaced the disk' }))
        .then(anIncidentResolved({ summary: 'Really fixed: replaced the disk', postmortem }));
    });

    it('rejects the command when the incident is already resolved', () => {
      givenIncident(declared, resolved)
        .when(aResolveIncidentCommand())
        .thenThrows(IllegalStateError, 'INCIDENT.ALREADY_RESOLVED', { incidentId: TEST_INCIDENT_ID });
    });

    it.each([
      ['the summary is blank', { summary: '   ' }],
      ['the summary is longer than 10000 characters', { summary: text(10_001) }],
    ])('rejects the command when %s', (_case, data) => {
      givenIncident(declared).when(aResolveIncidentCommand(data)).thenRejectsFields('summary');
    });
  });

  describe('ReopenIncident', () => {
    it('reopens the incident when it is resolved', () => {
      givenIncident(declared, resolved)
        .when(aReopenIncidentCommand({ reason: 'Errors are back' }))
        .then(anIncidentReopened({ reason: 'Errors are back' }));
    });

    it.each<OpenIncidentStatus>(['detected', 'mitigating'])('rejects the command when the incident is %s', (status) => {
      givenIncident(...historyIn(status))
        .when(aReopenIncidentCommand())
        .thenThrows(IllegalStateError, 'INCIDENT.NOT_RESOLVED', { incidentId: TEST_INCIDENT_ID, status });
    });

    it('rejects the command when the incident was reopened already', () => {
      givenIncident(declared, resolved, anIncidentReopened())
        .when(aReopenIncidentCommand())
        .thenThrows(IllegalStateError, 'INCIDENT.NOT_RESOLVED', { incidentId: TEST_INCIDENT_ID, status: 'investigating' });
    });

    it('rejects the command when the reason is blank', () => {
      givenIncident(declared, resolved).when(aReopenIncidentCommand({ reason: '' })).thenRejectsFields('reason');
    });
  });

  describe('CloseIncident', () => {
    it('closes the incident when it is resolved', () => {
      givenIncident(declared, resolved)
        .when(aCloseIncidentCommand({}, { now: minutesAfterTestNow(60), actor: 'carol@example.com' }))
        .then(anIncidentClosed({ at: minutesAfterTestNow(60).toISOString(), by: 'carol@example.com' }));
    });

    it.each<OpenIncidentStatus>(['detected', 'investigating', 'identified', 'mitigating'])('rejects the command when the incident is %s', (status) => {
      givenIncident(...historyIn(status))
        .when(aCloseIncidentCommand())
        .thenThrows(IllegalStateError, 'INCIDENT.NOT_RESOLVED', { incidentId: TEST_INCIDENT_ID, status });
    });

    it('rejects the command when the incident is already closed', () => {
      givenIncident(declared, resolved, closed)
        .when(aCloseIncidentCommand())
        .thenThrows(IllegalStateError, 'INCIDENT.ALREADY_CLOSED', { incidentId: TEST_INCIDENT_ID });
    });
  });

  it('runs a whole lifecycle, each command deciding on the state the previous events left', () => {
    const commands: IncidentCommand[] = [
      aDeclareIncidentCommand(),
      anAcknowledgeIncidentCommand({}, { now: minutesAfterTestNow(2), actor: 'bob@example.com' }),
      anAssignIncidentRoleCommand({ role: 'incident_commander', assignee: 'bob@example.com' }, { now: minutesAfterTestNow(3) }),
      aChangeIncidentStatusCommand({ status: 'identified', note: 'bad deploy' }, { now: minutesAfterTestNow(10) }),
      aResolveIncidentCommand({ summary: 'rolled back' }, { now: minutesAfterTestNow(20) }),
      aCloseIncidentCommand({}, { now: minutesAfterTestNow(60) }),
    ];
    const history: IncidentEvent[] = [];
    for (const command of commands) history.push(...incidentDecider.decide(command, foldEvents(incidentDecider, history)));

    expect(history.map((event) => event.type)).toEqual([
      'IncidentDeclared',
      'IncidentAcknowledged',
      'IncidentRoleAssigned',
      'IncidentStatusChanged',
      'IncidentResolved',
      'IncidentClosed',
    ]);
    expect(foldEvents(incidentDecider, history)).toMatchObject({
      status: 'closed',
      acknowledgedAt: minutesAfterTestNow(2).toISOString(),
      acknowledgedBy: 'bob@example.com',
      resolvedAt: minutesAfterTestNow(20).toISOString(),
      resolutionSummary: 'rolled back',
      closedAt: minutesAfterTestNow(60).toISOString(),
      roles: { incident_commander: 'bob@example.com', technical_lead: null, communications_lead: null },
    });
  });
});
