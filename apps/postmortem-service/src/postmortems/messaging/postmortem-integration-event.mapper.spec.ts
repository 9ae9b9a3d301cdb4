import type { RecordedEvent } from '@fireline/event-store';
import type { PostmortemEvent } from '../domain/postmortem.events';
import { ACTION_ITEM_ID, INCIDENT_ID, POSTMORTEM_ID, aPostmortemDrafted, aPostmortemStatusChanged, anActionItemAdded } from '../testing/postmortem.factory';
import { toPostmortemIntegrationEvent } from './postmortem-integration-event.mapper';

function recorded(event: PostmortemEvent, version = 1): RecordedEvent {
  return {
    globalPosition: '1',
    transactionId: '1',
    streamId: `postmortem-${POSTMORTEM_ID}`,
    streamType: 'postmortem',
    version,
    eventId: '5d3c1b2a-0000-4000-8000-000000000001',
    type: event.type,
    schemaVersion: 1,
    data: event.data,
    metadata: { correlationId: 'corr-1', causationId: 'cause-1' },
    recordedAt: new Date(),
  };
}

describe(toPostmortemIntegrationEvent.name, () => {
  it('publishes PostmortemDrafted v1 with the stored event id', () => {
    expect(toPostmortemIntegrationEvent(recorded(aPostmortemDrafted()))).toEqual({
      eventId: '5d3c1b2a-0000-4000-8000-000000000001',
      type: 'PostmortemDrafted',
      version: 1,
      occurredAt: '2025-03-01T11:30:00.000Z',
      correlationId: 'corr-1',
      causationId: 'cause-1',
      streamId: `postmortem-${POSTMORTEM_ID}`,
      data: {
        postmortemId: POSTMORTEM_ID,
        incidentId: INCIDENT_ID,
        actor: 'system:postmortem-service',
        title: 'Postmortem: Checkout errors',
        dueAt: '2025-03-03T11:30:00.000Z',
      },
    });
  });

  it('publishes PostmortemPublished v1 only for the change to published', () => {
    expect(toPostmortemIntegrationEvent(recorded(aPostmortemStatusChanged('in_review', 'published')))).toMatchObject({
      type: 'PostmortemPublished',
      data: { postmortemId: POSTMORTEM_ID, title: 'Postmortem: Checkout errors', actor: 'alice@example.com' },
    });
    expect(toPostmortemIntegrationEvent(recorded(aPostmortemStatusChanged('draft', 'in_review')))).toBeNull();
  });

  it('publishes ActionItemCompleted v1 only when an item becomes done', () => {
    const changed = (to: 'done' | 'wont_do'): PostmortemEvent => ({
      type: 'ActionItemStatusChanged',
      data: { postmortemId: POSTMORTEM_ID, incidentId: INCIDENT_ID, actionItemId: ACTION_ITEM_ID, title: 'Canary', from: 'open', to, at: '2025-03-02T00:00:00.000Z', by: 'carol' },
    });
    expect(toPostmortemIntegrationEvent(recorded(changed('done')))).toMatchObject({
      type: 'ActionItemCompleted',
      data: { actionItemId: ACTION_ITEM_ID, title: 'Canary', actor: 'carol' },
    });
    expect(toPostmortemIntegrationEvent(recorded(changed('wont_do')))).toBeNull();
  });

  it('keeps private events private', () => {
    expect(toPostmortemIntegrationEvent(recorded(anActionItemAdded()))).toBeNull();
  });
});
