/**
 * A decider: the pure core of an event-sourced aggregate (Jérémie Chassaing's pattern, as in Emmett).
 *
 * - `decide(command, state)` returns the events the command causes (possibly none), or throws a
 *   `DomainError` from `@fireline/errors` when the command is not allowed.
 * - `evolve(state, event)` folds one event into the state. It never reads the clock or random: time,
 *   ids and actor travel on the command and are copied into the events.
 * - `initialState()` is the state of a stream with no events.
 */
export interface Decider<Command, Event, State> {
  decide(command: Command, state: State): Event[];
  evolve(state: State, event: Event): State;
  initialState(): State;
}

/** Folds `events` over the decider's initial state. */
export function foldEvents<Command, Event, State>(decider: Decider<Command, Event, State>, events: Iterable<Event>): State {
  let state = decider.initialState();
  for (const event of events) state = decider.evolve(state, event);
  return state;
}
