import type { IntegrationEvent, PostmortemIntegrationEventV1 } from '@fireline/contracts';
import type { RecordedEvent } from '@fireline/event-store';
import { toPostmortemEvent } from '../application/postmortem-stream';

/** Stored events the relay may publish; the others are private to this service. */
export const RELAYED_POSTMORTEM_EVENT_TYPES = ['PostmortemDrafted', 'PostmortemStatusChanged', 'ActionItemStatusChanged'];

function envelope<T extends PostmortemIntegrationEventV1>(recorded: RecordedEvent, type: T['type'], occurredAt: string, data: T['data']): IntegrationEvent {
  return {
    eventId: recorded.eventId,
    type,
    version: 1,
    occurredAt,
    correlationId: typeof recorded.metadata.correlationId === 'string' ? recorded.metadata.correlationId : recorded.eventId,
    causationId: typeof recorded.metadata.causationId === 'string' ? recorded.metadata.causationId : null,
    streamId: recorded.streamId,
    data,
  };
}

/**
 * Stored postmortem event -> public `fireline.postmortems.v1` contract, or null when it has none:
 * PostmortemDrafted -> PostmortemDrafted v1, a status change to published -> PostmortemPublished v1,
 * an action item status change to done -> ActionItemCompleted v1. The integration event keeps the
 * stored event's id, so consumers' inboxes dedupe republished pages.
 */
export function toPostmortemIntegrationEvent(recorded: RecordedEvent): IntegrationEvent | null {
  const event = toPostmortemEvent(recorded);
  const base = { postmortemId: event.data.postmortemId, incidentId: event.data.incidentId, actor: event.data.by };
  switch (event.type) {
    case 'PostmortemDrafted':
      return envelope(recorded, 'PostmortemDrafted', event.data.at, { ...base, title: event.data.title, dueAt: event.data.dueAt });
    case 'PostmortemStatusChanged':
      return event.data.to === 'published' ? envelope(recorded, 'PostmortemPublished', event.data.at, { ...base, title: event.data.title }) : null;
    case 'ActionItemStatusChanged':
      return event.data.to === 'done'
        ? envelope(recorded, 'ActionItemCompleted', event.data.at, { ...base, actionItemId: event.data.actionItemId, title: event.data.title })
        : null;
    case 'PostmortemUpdated':
    case 'PostmortemTimelineExtended':
    case 'ActionItemAdded':
    case 'ActionItemUpdated':
      return null;
    default: {
      const _never: never = event;
      return _never;
    }
  }
}
