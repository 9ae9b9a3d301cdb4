import { foldEvents } from '@fireline/event-store/decider';
import type { AlertCommand } from '../domain/alert.commands';
import { alertDecider } from '../domain/alert.decider';
import type { AlertEvent } from '../domain/alert.events';

/**
 * Given/when/then for the alert decider:
 *
 *     givenAlert(anAlertTriggered()).when(aResolveAlertCommand()).then(anAlertResolved());
 */
export function givenAlert(...history: AlertEvent[]) {
  const state = foldEvents(alertDecider, history);
  return {
    state,
    when(command: AlertCommand) {
      const decide = () => alertDecider.decide(command, state);
      return {
        /** The command produces exactly these events, in this order. */
        then(...expected: AlertEvent[]): AlertEvent[] {
          const events = decide();
          expect(events).toEqual(expected);
          return events;
        },
        /** The command is accepted and dropped: no events. */
        thenNothing(): void {
          expect(decide()).toEqual([]);
        },
        /** The command is refused; returns the error. */
        thenThrows(code: string): unknown {
          let caught: unknown;
          try {
            decide();
          } catch (error: unknown) {
            caught = error;
          }
          expect(caught).toMatchObject({ code });
          return caught;
        },
      };
    },
  };
}
