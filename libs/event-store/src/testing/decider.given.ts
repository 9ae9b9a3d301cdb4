import type { DomainError, FieldError } from '@fireline/errors';
import { type Decider, foldEvents } from '../decider';

type ErrorClass = abstract new (...args: never[]) => Error;

/** What a decider spec can expect of one command on the given history. */
export interface WhenCommand<Event> {
  /** The command produces exactly these events, in this order (given spread or as one array). */
  then(...expected: (Event | readonly Event[])[]): Event[];
  /** The command is accepted and changes nothing (no events). */
  thenNothing(): void;
  /** The command is refused with this code (and, given a class first, as an instance of it, with these details). */
  thenThrows(code: string): DomainError;
  thenThrows(errorClass: ErrorClass, code: string, details?: Record<string, unknown>): DomainError;
  /** The command is refused as invalid (the aggregate's `invalidCode`), naming exactly these fields. */
  thenRejectsFields(...fields: string[]): FieldError[];
}

function captureError(action: () => unknown): unknown {
  try {
    action();
  } catch (error: unknown) {
    return error;
  }
  throw new Error('Expected the command to be refused, but it was accepted');
}

/**
 * The one given/when/then helper of every decider spec (Emmett style): given stored events, when a
 * command, then events, nothing, or a refusal.
 *
 *     const givenIncident = givenWhenThen(incidentDecider, { invalidCode: 'INCIDENT.INVALID' });
 *     givenIncident(anIncidentDeclared()).when(aResolveIncidentCommand()).then(anIncidentResolved());
 *     givenIncident().when(aCloseIncidentCommand()).thenThrows(NotFoundError, 'INCIDENT.NOT_FOUND');
 *
 * `options.invalidCode`: the code of the aggregate's `ValidationError`, for `thenRejectsFields`.
 */
export function givenWhenThen<Command, Event, State>(decider: Decider<Command, Event, State>, options: { invalidCode?: string } = {}) {
  return (...history: Event[]) => {
    const state = foldEvents(decider, history);
    return {
      state,
      when(command: Command): WhenCommand<Event> {
        const decide = () => decider.decide(command, state);
        function thenThrows(code: string): DomainError;
        function thenThrows(errorClass: ErrorClass, code: string, details?: Record<string, unknown>): DomainError;
        function thenThrows(classOrCode: ErrorClass | string, code?: string, details?: Record<string, unknown>): DomainError {
          const error = captureError(decide);
          if (typeof classOrCode !== 'string') expect(error).toBeInstanceOf(classOrCode);
          expect(error).toMatchObject({ code: typeof classOrCode === 'string' ? classOrCode : code });
          if (details !== undefined) expect((error as DomainError).details).toEqual(details);
          return error as DomainError;
        }
        return {
          then(...expected) {
            const events = decide();
            expect(events).toEqual(expected.flat() as Event[]);
            return events;
          },
          thenNothing() {
            expect(decide()).toEqual([]);
          },
          thenThrows,
          thenRejectsFields(...fields) {
            if (options.invalidCode === undefined) throw new Error('givenWhenThen: thenRejectsFields needs options.invalidCode');
            const error = captureError(decide);
            expect(error).toMatchObject({ code: options.invalidCode });
            const fieldErrors = (error as { fieldErrors: FieldError[] }).fieldErrors;
            expect(fieldErrors.map((fieldError) => fieldError.field)).toEqual(fields);
            return fieldErrors;
          },
        };
      },
    };
  };
}
