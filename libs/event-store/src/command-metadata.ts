/**
 * What every command carries besides its data. Deciders copy `now` and `actor` into the events they
 * emit, so that `evolve` never reads the clock; handlers copy the rest into event metadata.
 *
 * - `now`: the command's clock (ISO-8601 UTC is derived from it); tests pass a fixed one.
 * - `actor`: who issues it, a user id/email or `integration:<id>` / `system:<component>`.
 * - `correlationId`: the request (or alert, or message) that started the chain.
 * - `causationId`: the message that directly caused the command, if any.
 * - `commandId`: optional idempotency id; when set, event ids are derived from it so that an
 *   identical retry appends nothing new.
 */
export interface CommandMetadata {
  now: Date;
  actor: string;
  correlationId: string;
  causationId?: string | null;
  commandId?: string;
}
