import { foldEvents } from '@fireline/event-store/decider';
import { ValidationError } from '@fireline/errors';
import {
  aResolveAlertCommand,
  aTriggerAlertCommand,
  anAcknowledgeAlertCommand,
  anAlertAcknowledged,
  anAlertMemberResolved,
  anAlertResolved,
  anAlertRetriggered,
  anAlertTriggered,
  someAlertDetails,
  TEST_NOW,
} from '../testing/alert.factories';
import { givenAlert } from '../testing/alert.given';
import { alertDecider } from './alert.decider';

const later = new Date(TEST_NOW.getTime() + 60_000);

describe('alertDecider', () => {
  it('starts every stream with no alert, incarnation 0', () => {
    expect(alertDecider.initialState()).toEqual({ status: 'none', incarnation: 0 });
  });

  describe('TriggerAlert', () => {
    it('opens incarnation 1 with every detail of the first trigger', () => {
      givenAlert().when(aTriggerAlertCommand()).then(anAlertTriggered());
    });

    it('counts a trigger while the alert is open as a retrigger of the same incarnation', () => {
      givenAlert(anAlertTriggered())
        .when(aTriggerAlertCommand({ summary: 'still firing', severity: 'error' }, { now: later }))
        .then(anAlertRetriggered({ triggerCount: 2, summary: 'still firing', severity: 'error', at: later.toISOString() }));
    });

    it('keeps counting retriggers while acknowledged', () => {
      givenAlert(anAlertTriggered(), anAlertRetriggered({ triggerCount: 2 }), anAlertAcknowledged())
        .when(aTriggerAlertCommand())
        .then(anAlertRetriggered({ triggerCount: 3 }));
    });

    it('opens a new incarnation after a resolve', () => {
      givenAlert(anAlertTriggered(), anAlertResolved())
        .when(aTriggerAlertCommand({}, { now: later }))
        .then(anAlertTriggered({ incarnation: 2, at: later.toISOString() }));
    });

    it('rejects a trigger without summary, source or a known severity', () => {
      const error = givenAlert()
        .when(aTriggerAlertCommand({ summary: ' ', source: '', severity: 'fatal' as never }))
        .thenThrows('ALERT.INVALID');
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).fieldErrors.map((e) => e.field)).toEqual(['summary', 'source', 'severity']);
    });

    it('rejects a dedup key longer than 255 characters', () => {
      givenAlert().when(aTriggerAlertCommand({ dedupKey: 'k'.repeat(256) })).thenThrows('ALERT.INVALID');
    });
  });

  describe('AcknowledgeAlert', () => {
    it('acknowledges the open incarnation', () => {
      givenAlert(anAlertTriggered()).when(anAcknowledgeAlertCommand()).then(anAlertAcknowledged());
    });

    it('drops a second acknowledge', () => {
      givenAlert(anAlertTriggered(), anAlertAcknowledged()).when(anAcknowledgeAlertCommand()).thenNothing();
    });

    it('drops an acknowledge with no open alert', () => {
      givenAlert().when(anAcknowledgeAlertCommand()).thenNothing();
      givenAlert(anAlertTriggered(), anAlertResolved()).when(anAcknowledgeAlertCommand()).thenNothing();
    });
  });

  describe('ResolveAlert', () => {
    it('resolves the open incarnation, triggered or acknowledged', () => {
      givenAlert(anAlertTriggered()).when(aResolveAlertCommand('all good')).then(anAlertResolved({ summary: 'all good' }));
      givenAlert(anAlertTriggered(), anAlertAcknowledged()).when(aResolveAlertCommand()).then(anAlertResolved());
    });

    it('drops a resolve with no open alert (never triggered, or resolved already)', () => {
      givenAlert().when(aResolveAlertCommand()).thenNothing();
      givenAlert(anAlertTriggered(), anAlertResolved()).when(aResolveAlertCommand()).thenNothing();
    });
  });

  describe('grouped alerts (members named by fingerprint)', () => {
    const fp = (fingerprint: string) => ({ fingerprint });

    it('opens the incarnation with the first firing member', () => {
      givenAlert().when(aTriggerAlertCommand(fp('a'))).then(anAlertTriggered(fp('a')));
    });

    it('attaches a new firing member to the open incarnation', () => {
      givenAlert(anAlertTriggered(fp('a')))
        .when(aTriggerAlertCommand(fp('b')))
        .then(anAlertRetriggered({ triggerCount: 2, ...fp('b') }));
    });

    it('drops a trigger of a member already firing (a re-send of the group)', () => {
      givenAlert(anAlertTriggered(fp('a'))).when(aTriggerAlertCommand(fp('a'))).thenNothing();
      givenAlert(anAlertTriggered(fp('a')), anAlertRetriggered({ triggerCount: 2, ...fp('b') }), anAlertAcknowledged())
        .when(aTriggerAlertCommand(fp('b')))
        .thenNothing();
    });

    it('resolves one member while others still fire, without resolving the incarnation', () => {
      givenAlert(anAlertTriggered(fp('a')), anAlertRetriggered({ triggerCount: 2, ...fp('b') }))
        .when(aResolveAlertCommand('disk ok', {}, 'a'))
        .then(anAlertMemberResolved({ fingerprint: 'a', summary: 'disk ok', stillFiring: 1 }));
    });

    it('resolves the incarnation when its last firing member resolves', () => {
      givenAlert(anAlertTriggered(fp('a')), anAlertRetriggered({ triggerCount: 2, ...fp('b') }), anAlertMemberResolved({ fingerprint: 'a' }))
        .when(aResolveAlertCommand(null, {}, 'b'))
        .then(anAlertResolved(fp('b')));
    });

    it('drops a resolve of a member that is not firing, or of a closed group', () => {
      givenAlert(anAlertTriggered(fp('a'))).when(aResolveAlertCommand(null, {}, 'z')).thenNothing();
      givenAlert(anAlertTriggered(fp('a')), anAlertResolved(fp('a'))).when(aResolveAlertCommand(null, {}, 'a')).thenNothing();
    });

    it('opens a new incarnation when a member fires again after the group resolved', () => {
      givenAlert(anAlertTriggered(fp('a')), anAlertResolved(fp('a')))
        .when(aTriggerAlertCommand(fp('a')))
        .then(anAlertTriggered({ incarnation: 2, ...fp('a') }));
    });

    it('lets a resolved member fire again within the open incarnation', () => {
      givenAlert(anAlertTriggered(fp('a')), anAlertRetriggered({ triggerCount: 2, ...fp('b') }), anAlertMemberResolved({ fingerprint: 'a' }))
        .when(aTriggerAlertCommand(fp('a')))
        .then(anAlertRetriggered({ triggerCount: 3, ...fp('a') }));
    });

    it('rejects a blank fingerprint', () => {
      givenAlert().when(aTriggerAlertCommand(fp(' '))).thenThrows('ALERT.INVALID');
    });

    it('tracks the firing members in the state', () => {
      const state = foldEvents(alertDecider, [
        anAlertTriggered(fp('a')),
        anAlertRetriggered({ triggerCount: 2, ...fp('b') }),
        anAlertMemberResolved({ fingerprint: 'a' }),
      ]);
      expect(state).toMatchObject({ status: 'triggered', firing: ['b'] });
      expect(foldEvents(alertDecider, [anAlertTriggered()])).toMatchObject({ firing: [] });
    });
  });

  describe('evolve', () => {
    it('tracks the current incarnation and its trigger count', () => {
      const state = foldEvents(alertDecider, [
        anAlertTriggered(),
        anAlertResolved(),
        anAlertTriggered({ incarnation: 2 }),
        anAlertRetriggered({ incarnation: 2, triggerCount: 2 }),
      ]);
      expect(state).toMatchObject({ status: 'triggered', incarnation: 2, triggerCount: 2, summary: someAlertDetails().summary });
    });
  });
});
