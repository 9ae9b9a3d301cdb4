import { createHash } from 'node:crypto';
import type { IntegrationEvent } from '@fireline/contracts';
import type { IHeaders, KafkaMessage, Message } from 'kafkajs';

/**
 * An integration event as the Kafka adapter sees it: the `libs/contracts` envelope plus an optional
 * W3C trace context (https://www.w3.org/TR/trace-context/#traceparent-header), carried when the
 * envelope has one. The contracts do not declare it yet, so it is read defensively.
 */
export type TracedIntegrationEvent = IntegrationEvent & { traceparent?: string };

/** Header names of every Fireline message on Kafka (values are UTF-8 strings). */
export const KAFKA_HEADERS = {
  eventId: 'event-id',
  eventType: 'event-type',
  schemaVersion: 'schema-version',
  correlationId: 'correlation-id',
  traceparent: 'traceparent',
} as const;

/** Extra headers on a message copied to `<topic>.dlq`, beside the original message's own headers. */
export const DEAD_LETTER_HEADERS = {
  error: 'dlq-error',
  consumer: 'dlq-consumer',
  originalPartition: 'dlq-original-partition',
  originalOffset: 'dlq-original-offset',
} as const;

/**
 * Envelope -> Kafka message: key = `streamId` (per-stream order on one partition), value = the
 * envelope as JSON, and headers that let brokers' tools and consumers route without parsing the value.
 */
export function encodeIntegrationEvent(event: TracedIntegrationEvent): Message {
  const headers: IHeaders = {
    [KAFKA_HEADERS.eventId]: event.eventId,
    [KAFKA_HEADERS.eventType]: event.type,
    [KAFKA_HEADERS.schemaVersion]: String(event.version),
    [KAFKA_HEADERS.correlationId]: event.correlationId,
  };
  if (typeof event.traceparent === 'string') headers[KAFKA_HEADERS.traceparent] = event.traceparent;
  return { key: event.streamId, value: JSON.stringify(event), headers };
}

export type DecodedMessage = { ok: true; event: TracedIntegrationEvent } | { ok: false; reason: string };

/**
 * Kafka message -> envelope. The value is the source of truth; headers are not consulted. Anything that
 * is not a JSON object with the envelope's fields and types is refused with a reason (the adapter
 * dead-letters it: the same bytes will never parse on a retry).
 */
export function decodeIntegrationEvent(message: Pick<KafkaMessage, 'value'>): DecodedMessage {
  if (message.value === null || message.value.length === 0) return { ok: false, reason: 'message has no value' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(message.value.toString('utf8'));
  } catch (error) {
    return { ok: false, reason: `value is not JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { ok: false, reason: 'value is not a JSON object' };
  const candidate = parsed as Record<string, unknown>;
  const problems: string[] = [];
  for (const field of ['eventId', 'type', 'occurredAt', 'correlationId', 'streamId'] as const) {
    if (typeof candidate[field] !== 'string' || candidate[field] === '') problems.push(`${field} must be a non-empty string`);
  }
  if (typeof candidate.version !== 'number' || !Number.isInteger(candidate.version)) problems.push('version must be an integer');
  if (candidate.causationId !== null && typeof candidate.causationId !== 'string') problems.push('causationId must be a string or null');
  if (!('data' in candidate)) problems.push('data is missing');
  if (candidate.traceparent !== undefined && typeof candidate.traceparent !== 'string') problems.push('traceparent must be a string');
  if (problems.length > 0) return { ok: false, reason: `not an integration event envelope: ${problems.join('; ')}` };
  return { ok: true, event: candidate as unknown as TracedIntegrationEvent };
}

/** Reads one header as a UTF-8 string (the first value when repeated); undefined when absent. */
export function headerString(headers: IHeaders | undefined, name: string): string | undefined {
  const raw = headers?.[name];
  const first = Array.isArray(raw) ? raw[0] : raw;
  if (first === undefined) return undefined;
  return typeof first === 'string' ? first : first.toString('utf8');
}

/** Where and why a consumer gave up on a message, for its copy on `<topic>.dlq`. */
export interface DeadLetterContext {
  consumer: string;
  partition: number;
  offset: string;
  error: string;
}

/**
 * The copy of a given-up message for `<topic>.dlq`: the original key, value and headers byte for byte,
 * plus `dlq-*` headers saying which consumer gave up, on which partition and offset, and why.
 */
export function toDeadLetterMessage(original: Pick<KafkaMessage, 'key' | 'value' | 'headers'>, context: DeadLetterContext): Message {
  return {
    key: original.key,
    value: original.value,
    headers: {
      ...(original.headers ?? {}),
      [DEAD_LETTER_HEADERS.error]: context.error,
      [DEAD_LETTER_HEADERS.consumer]: context.consumer,
      [DEAD_LETTER_HEADERS.originalPartition]: String(context.partition),
      [DEAD_LETTER_HEADERS.originalOffset]: context.offset,
    },
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Where an unparseable message was read from; its stand-in envelope is derived from it. */
export interface UnparseableMessageSource {
  topic: string;
  partition: number;
  message: Pick<KafkaMessage, 'key' | 'value' | 'headers' | 'offset' | 'timestamp'>;
}

/**
 * A stand-in envelope for a message that does not decode, so that it can be parked in `dead_letters`
 * (which keys rows by `(consumer, event_id uuid)` and stores a JSON envelope). `eventId` is the
 * `event-id` header when it is a UUID, else a UUID derived from topic/partition/offset, so a
 * redelivery of the same message updates the same row. `data.raw` holds the value (UTF-8, or base64
 * when it is not clean UTF-8: PostgreSQL's jsonb refuses NUL characters).
 */
export function unparseableEnvelope(source: UnparseableMessageSource): IntegrationEvent {
  const { message } = source;
  const headerId = headerString(message.headers, KAFKA_HEADERS.eventId);
  const version = Number(headerString(message.headers, KAFKA_HEADERS.schemaVersion));
  const timestamp = Number(message.timestamp);
  return {
    eventId: headerId !== undefined && UUID.test(headerId) ? headerId.toLowerCase() : uuidFromPosition(source),
    type: headerString(message.headers, KAFKA_HEADERS.eventType) ?? 'unparseable',
    version: Number.isInteger(version) ? version : 0,
    occurredAt: new Date(Number.isFinite(timestamp) ? timestamp : 0).toISOString(),
    correlationId: headerString(message.headers, KAFKA_HEADERS.correlationId) ?? '',
    causationId: null,
    streamId: message.key?.toString('utf8') ?? '',
    data: { unparseable: true, topic: source.topic, partition: source.partition, offset: message.offset, ...rawValue(message.value) },
  };
}

function rawValue(value: Buffer | null): { raw: string | null; rawEncoding: 'utf8' | 'base64' } {
  if (value === null) return { raw: null, rawEncoding: 'utf8' };
  const text = value.toString('utf8');
  const clean = !text.includes('\u0000') && Buffer.from(text, 'utf8').equals(value);
  return clean ? { raw: text, rawEncoding: 'utf8' } : { raw: value.toString('base64'), rawEncoding: 'base64' };
}

function uuidFromPosition({ topic, partition, message }: UnparseableMessageSource): string {
  const hex = createHash('sha256').update(`${topic}/${partition}/${message.offset}`).digest('hex');
  // RFC 9562 version 8 (custom) with the RFC variant bits.
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
