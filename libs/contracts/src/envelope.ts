/**
 * The envelope every public integration event travels in, over Kafka or the in-process transport.
 * Versioned by `type` + `version`: a breaking change is a new version (`IncidentDeclared` v2) published
 * beside the old one, never an edit. No framework imports here.
 *
 * - `eventId`: UUID, equal to the stored event's `event_id`; consumers' inbox (dedup) key.
 * - `occurredAt`: ISO-8601 UTC time the fact happened (from the command's clock), not publish time.
 * - `correlationId`: the request or alert that started the chain; `causationId`: the message or
 *   command that directly caused this one.
 * - `streamId`: the producing aggregate's stream, also the Kafka message key (per-stream order).
 */
export interface IntegrationEvent<TType extends string = string, TData = unknown, TVersion extends number = number> {
  eventId: string;
  type: TType;
  version: TVersion;
  occurredAt: string;
  correlationId: string;
  causationId: string | null;
  streamId: string;
  data: TData;
}
