import { randomUUID } from 'node:crypto';
import type { TracedIntegrationEvent } from '../kafka-message.codec';

/** An `IncidentDeclared` v1 envelope with a fresh event id; override any field. */
export function anIntegrationEvent(overrides: Partial<TracedIntegrationEvent> = {}): TracedIntegrationEvent {
  const streamId = overrides.streamId ?? `incident-${randomUUID()}`;
  return {
    eventId: randomUUID(),
    type: 'IncidentDeclared',
    version: 1,
    occurredAt: '2025-03-01T10:00:00.000Z',
    correlationId: `req-${randomUUID().slice(0, 8)}`,
    causationId: null,
    streamId,
    data: { incidentId: streamId, title: 'Checkout is down' },
    ...overrides,
  };
}
