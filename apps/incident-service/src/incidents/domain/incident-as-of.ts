import { invalidIncidentCommand } from './incident.errors';
import type { IncidentEvent } from './incident.events';
import { evolveIncident, initialIncidentState, type IncidentState } from './incident.state';

/**
 * The incident as it stood at `asOf` (inclusive): folds the stream's events, in stream order, whose
 * `at` is at or before `asOf`. Folding stops at the first later event, so the result is always a state
 * the stream really passed through, even if clocks skewed and a later event carries an earlier `at`.
 *
 * @param events the whole stream, in version order.
 * @returns `{ status: 'none' }` when `asOf` is before the declaration.
 * @throws ValidationError `INCIDENT.INVALID` (field `asOf`) when `asOf` is an invalid date.
 */
export function incidentAsOf(events: readonly IncidentEvent[], asOf: Date): IncidentState {
  const limit = asOf.getTime();
  if (Number.isNaN(limit)) throw invalidIncidentCommand([{ field: 'asOf', message: 'must be a valid date' }]);
  let state: IncidentState = initialIncidentState;
  for (const event of events) {
    if (Date.parse(event.data.at) > limit) break;
    state = evolveIncident(state, event);
  }
  return state;
}
