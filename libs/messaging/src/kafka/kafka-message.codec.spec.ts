import type { KafkaMessage } from 'kafkajs';
import {
  DEAD_LETTER_HEADERS,
  decodeIntegrationEvent,
  encodeIntegrationEvent,
  headerString,
  KAFKA_HEADERS,
  toDeadLetterMessage,
  unparseableEnvelope,
} from './kafka-message.codec';
import { anIntegrationEvent } from './testing/integration-event.factories';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** What kafkajs hands a consumer for a produced message: Buffers for key, value and header values. */
function asReceived(produced: ReturnType<typeof encodeIntegrationEvent>, offset = '7'): KafkaMessage {
  const toBuffer = (v: Buffer | string | null | undefined) => (v === null || v === undefined ? null : Buffer.from(v));
  const headers = Object.fromEntries(Object.entries(produced.headers ?? {}).map(([k, v]) => [k, Buffer.from(String(v))]));
  return { key: toBuffer(produced.key), value: toBuffer(produced.value), headers, offset, timestamp: '1740823200000', attributes: 0 };
}

describe('kafka-message.codec', () => {
  describe(encodeIntegrationEvent.name, () => {
    it('keys the message by stream, carries the envelope as JSON and names it in headers', () => {
      const event = anIntegrationEvent({ version: 2 });
      const message = encodeIntegrationEvent(event);
      expect(message.key).toBe(event.streamId);
      expect(JSON.parse(String(message.value))).toEqual(event);
      expect(message.headers).toEqual({
        'event-id': event.eventId,
        'event-type': 'IncidentDeclared',
        'schema-version': '2',
        'correlation-id': event.correlationId,
      });
    });

    it('adds a traceparent header only when the envelope has one', () => {
      const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
      expect(encodeIntegrationEvent(anIntegrationEvent({ traceparent })).headers).toMatchObject({
        [KAFKA_HEADERS.traceparent]: traceparent,
      });
      expect(encodeIntegrationEvent(anIntegrationEvent()).headers).not.toHaveProperty(KAFKA_HEADERS.traceparent);
    });
  });

  describe(decodeIntegrationEvent.name, () => {
    it('decodes what it encoded, traceparent included', () => {
      const event = anIntegrationEvent({ causationId: 'cmd-1', traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' });
      expect(decodeIntegrationEvent(asReceived(encodeIntegrationEvent(event)))).toEqual({ ok: true, event });
    });

    it.each([
      ['no value', null, /no value/],
      ['not JSON', Buffer.from('{"eventId":'), /not JSON/],
      ['a JSON array', Buffer.from('[1,2]'), /not a JSON object/],
      [
        'an object missing fields',
        Buffer.from(JSON.stringify({ eventId: 'x', version: '1' })),
        /type must be .*version must be an integer.*data is missing/,
      ],
    ])('refuses a message with %s', (_case, value, reason) => {
      const decoded = decodeIntegrationEvent({ value });
      expect(decoded.ok).toBe(false);
      expect(!decoded.ok && decoded.reason).toMatch(reason);
    });
  });

  describe(toDeadLetterMessage.name, () => {
    it('keeps key, value and headers and adds where and why the consumer gave up', () => {
      const received = asReceived(encodeIntegrationEvent(anIntegrationEvent()), '41');
      const letter = toDeadLetterMessage(received, {
        consumer: 'notification-service.notify',
        partition: 2,
        offset: '41',
        error: 'ValidationError [X.Y]: bad',
      });
      expect(letter.key).toBe(received.key);
      expect(letter.value).toBe(received.value);
      expect(letter.headers).toEqual({
        ...received.headers,
        [DEAD_LETTER_HEADERS.error]: 'ValidationError [X.Y]: bad',
        [DEAD_LETTER_HEADERS.consumer]: 'notification-service.notify',
        [DEAD_LETTER_HEADERS.originalPartition]: '2',
        [DEAD_LETTER_HEADERS.originalOffset]: '41',
      });
    });
  });

  describe(unparseableEnvelope.name, () => {
    it('takes id, type and correlation from the headers when they are usable', () => {
      const event = anIntegrationEvent();
      const received = { ...asReceived(encodeIntegrationEvent(event)), value: Buffer.from('not json') };
      expect(unparseableEnvelope({ topic: 'fireline.incidents.v1', partition: 0, message: received })).toMatchObject({
        eventId: event.eventId,
        type: 'IncidentDeclared',
        version: 1,
        correlationId: event.correlationId,
        streamId: event.streamId,
        occurredAt: '2025-03-01T10:00:00.000Z',
        data: { unparseable: true, raw: 'not json', rawEncoding: 'utf8', offset: '7' },
      });
    });

    it('derives a stable UUID from the position and base64-encodes a value jsonb cannot hold', () => {
      const message = { key: null, value: Buffer.from([0x7b, 0x00, 0xff]), headers: {}, offset: '3', timestamp: '0' };
      const first = unparseableEnvelope({ topic: 't', partition: 1, message });
      expect(first.eventId).toMatch(UUID);
      expect(unparseableEnvelope({ topic: 't', partition: 1, message }).eventId).toBe(first.eventId);
      expect(unparseableEnvelope({ topic: 't', partition: 1, message: { ...message, offset: '4' } }).eventId).not.toBe(first.eventId);
      expect(first).toMatchObject({ type: 'unparseable', version: 0, streamId: '', data: { raw: 'ewD/', rawEncoding: 'base64' } });
    });
  });

  describe(headerString.name, () => {
    it('reads Buffer, string and repeated headers as text', () => {
      expect(headerString({ a: Buffer.from('x'), b: 'y', c: [Buffer.from('z'), 'w'] }, 'a')).toBe('x');
      expect(headerString({ b: 'y' }, 'b')).toBe('y');
      expect(headerString({ c: [Buffer.from('z'), 'w'] }, 'c')).toBe('z');
      expect(headerString(undefined, 'a')).toBeUndefined();
    });
  });
});
