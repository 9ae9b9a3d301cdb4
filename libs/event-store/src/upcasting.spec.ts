import type { RecordedEvent } from './event-store.types';
import { createUpcast } from './upcasting';

function aRecordedEvent(overrides: Partial<RecordedEvent> = {}): RecordedEvent {
  return {
    globalPosition: '1',
    transactionId: '700',
    streamId: 'thing-1',
    streamType: 'thing',
    version: 1,
    eventId: '00000000-0000-4000-8000-000000000001',
    type: 'ThingHappened',
    schemaVersion: 1,
    data: { n: 1 },
    metadata: {},
    recordedAt: new Date('2025-01-01T00:00:00Z'),
    ...overrides,
  };
}

describe(createUpcast.name, () => {
  it('applies upcasters repeatedly while one matches type and schema version', () => {
    const upcast = createUpcast([
      {
        eventType: 'ThingHappened',
        fromSchemaVersion: 2,
        upcast: (data) => ({ schemaVersion: 3, data: { ...(data as object), c: true } }),
      },
      {
        eventType: 'ThingHappened',
        fromSchemaVersion: 1,
        upcast: (data) => ({ schemaVersion: 2, data: { ...(data as object), b: true } }),
      },
    ]);

    expect(upcast(aRecordedEvent())).toMatchObject({ schemaVersion: 3, data: { n: 1, b: true, c: true } });
  });

  it('returns events of other types and versions unchanged', () => {
    const upcast = createUpcast([{ eventType: 'ThingHappened', fromSchemaVersion: 1, upcast: () => ({ schemaVersion: 2, data: {} }) }]);
    const other = aRecordedEvent({ type: 'OtherHappened' });
    const current = aRecordedEvent({ schemaVersion: 2 });

    expect(upcast(other)).toBe(other);
    expect(upcast(current)).toBe(current);
  });

  it('rejects an upcaster that does not raise the schema version', () => {
    const upcast = createUpcast([{ eventType: 'ThingHappened', fromSchemaVersion: 1, upcast: (data) => ({ schemaVersion: 1, data }) }]);

    expect(() => upcast(aRecordedEvent())).toThrow(/must be higher/);
  });

  it('rejects two upcasters for the same type and version', () => {
    const upcaster = { eventType: 'ThingHappened', fromSchemaVersion: 1, upcast: (data: unknown) => ({ schemaVersion: 2, data }) };

    expect(() => createUpcast([upcaster, upcaster])).toThrow(/Two upcasters/);
  });
});
