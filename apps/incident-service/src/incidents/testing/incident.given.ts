import { DomainError, ValidationError, type FieldError } from '@fireline/errors';
import type { IncidentCommand } from '../domain/incident.commands';
import { incidentDecider } from '../domain/incident.decider';
import type { IncidentEvent } from '../domain/incident.events';
import { INCIDENT_ERROR_CODES } from '../domain/incident.errors';
import { type IncidentState } from '../domain/incident.state';
import { foldEvents } from '@fireline/event-store/decider';

type DomainErrorClass = abstract new (...args: never[]) => DomainError;

/**
 * Given/when/then for the incident decider (Emmett style):
 *
 *     givenIncident(anIncidentDeclared()).when(aResolveIncidentCommand()).then(anIncidentResolved());
 *     givenIncident().when(aCloseIncidentCommand()).thenThrows(NotFoundError, 'INCIDENT.NOT_FOUND');
 */
export function givenIncident(...history: IncidentEvent[]) {
  const state: IncidentState = foldEvents(incidentDecider, history);
  return {
    state,
    when(command: IncidentCommand) {
      const decide = () => incidentDecider.decide(command, state);
      return {
        /** The command produces exactly these events, in this order (none = no-op). */
        then(...expected: IncidentEvent[]): IncidentEvent[] {
          const events = decide();
          expect(events).toEqual(expected);
          return events;
        },
        /** The command is accepted and changes nothing. */
        thenNothing(): void {
          expect(decide()).toEqual([]);
        },
        /** The command is refused with this error class and code (and, if given, these details). */
        thenThrows(errorClass: DomainErrorClass, code: string, details?: Record<string, unknown>): DomainError {
          const error = captureError(decide);
          expect(error).toBeInstanceOf(errorClass);
          expect(error).toMatchObject({ code });
          if (details !== undefined) expect((error as DomainError).details).toEqual(details);
          return error as DomainError;
        },
        /** The command is refused as `INCIDENT.INVALID`, naming exactly these fields. */
        thenRejectsFields(...fields: string[]): FieldError[] {
          const error = captureError(decide);
          expect(error).toBeInstanceOf(ValidationError);
          expect(error).toMatchObject({ code: INCIDENT_ERROR_CODES.invalid });
          const fieldErrors = (error as ValidationError).fieldErrors;
          expect(fieldErrors.map((fieldError) => fieldError.field)).toEqual(fields);
          return fieldErrors;
        },
      };
    },
  };
}

function captureError(action: () => unknown): unknown {
  try {
    action();
  } catch (error: unknown) {
    return error;
  }
  throw new Error('Expected the command to be refused, but it was accepted');
}
