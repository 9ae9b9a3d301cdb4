import { IllegalStateError, NotFoundError, ValidationError } from '@fireline/errors';
import { givenWhenThen } from '@fireline/event-store/testing/decider.given';
import {
  ACTION_ITEM_ID,
  INCIDENT_ID,
  NOW,
  POSTMORTEM_ID,
  aChangePostmortemStatus,
  aDraftPostmortem,
  aPostmortemDrafted,
  aPostmortemStatusChanged,
  aTimelineEntry,
  anActionItemAdded,
  anAddActionItem,
  anExtendPostmortemTimeline,
  anUpdateActionItem,
  anUpdatePostmortem,
} from '../testing/postmortem.factory';
import { decideAll, postmortemDecider } from './postmortem.decider';

const AT = NOW.toISOString();

/** given events / when command / then events (or error): the shared helper of libs/event-store. */
const given = givenWhenThen(postmortemDecider);

const drafted = aPostmortemDrafted();
const inReview = aPostmortemStatusChanged('draft', 'in_review');
const published = aPostmortemStatusChanged('in_review', 'published');

describe('postmortemDecider', () => {
  describe('DraftPostmortem', () => {
    it('drafts a blameless postmortem with empty analysis sections', () => {
      given()
        .when(aDraftPostmortem({}, { now: NOW }))
        .then([aPostmortemDrafted({ at: AT })]);
    });

    it('orders the timeline by time', () => {
      const early = aTimelineEntry({ eventId: 'e1', at: '2025-03-01T10:00:00.000Z' });
      const late = aTimelineEntry({ eventId: 'e2', at: '2025-03-01T10:05:00.000Z' });
      const [event] = postmortemDecider.decide(aDraftPostmortem({ timeline: [late, early] }), postmortemDecider.initialState());
      expect(event.type === 'PostmortemDrafted' && event.data.timeline.map((entry) => entry.eventId)).toEqual(['e1', 'e2']);
    });

    it('rejects a second draft of the same postmortem', () => {
      given(drafted).when(aDraftPostmortem()).thenThrows(IllegalStateError, 'POSTMORTEM.ALREADY_DRAFTED');
    });

    it('rejects an empty title', () => {
      given().when(aDraftPostmortem({ title: '  ' })).thenThrows(ValidationError, 'POSTMORTEM.INVALID');
    });
  });

  describe('UpdatePostmortem', () => {
    it('records only the fields that change, merging a partial impact', () => {
      given(drafted)
        .when(anUpdatePostmortem({ title: 'Postmortem: Checkout errors', rootCause: 'Unbounded retry storm', impact: { description: '5% of orders failed' } }))
        .then([
          {
            type: 'PostmortemUpdated',
            data: {
              postmortemId: POSTMORTEM_ID,
              incidentId: INCIDENT_ID,
              changes: {
                rootCause: 'Unbounded retry storm',
                impact: { severity: 'SEV2', services: ['checkout'], durationMinutes: 90, description: '5% of orders failed' },
              },
              at: AT,
              by: 'alice@example.com',
            },
          },
        ]);
    });

    it('updates the lessons sections in review', () => {
      given(drafted, inReview)
        .when(anUpdatePostmortem({ whatWentWell: ['Fast rollback'], whereWeGotLucky: ['Low traffic'] }))
        .then([
          {
            type: 'PostmortemUpdated',
            data: {
              postmortemId: POSTMORTEM_ID,
              incidentId: INCIDENT_ID,
              changes: { whatWentWell: ['Fast rollback'], whereWeGotLucky: ['Low traffic'] },
              at: AT,
              by: 'alice@example.com',
            },
          },
        ]);
    });

    it('emits nothing when nothing changes', () => {
      given(drafted).when(anUpdatePostmortem({ summary: 'Rolled back the faulty deploy', contributingFactors: [] })).then([]);
    });

    it('rejects updates of a published postmortem', () => {
      given(drafted, inReview, published).when(anUpdatePostmortem({ rootCause: 'x' })).thenThrows(IllegalStateError, 'POSTMORTEM.PUBLISHED_IS_FINAL');
    });

    it('rejects updates of a postmortem that does not exist', () => {
      given().when(anUpdatePostmortem({ rootCause: 'x' })).thenThrows(NotFoundError, 'POSTMORTEM.NOT_FOUND');
    });

    it('rejects an invalid severity', () => {
      given(drafted)
        .when(anUpdatePostmortem({ impact: { severity: 'SEV9' as never } }))
        .thenThrows(ValidationError, 'POSTMORTEM.INVALID');
    });
  });

  describe('ChangePostmortemStatus', () => {
    it.each([
      [[drafted], 'draft', 'in_review'],
      [[drafted, inReview], 'in_review', 'draft'],
      [[drafted, inReview], 'in_review', 'published'],
    ] as const)('moves %#: %s -> %s', (history, from, to) => {
      given(...history)
        .when(aChangePostmortemStatus(to))
        .then([
          {
            type: 'PostmortemStatusChanged',
            data: { postmortemId: POSTMORTEM_ID, incidentId: INCIDENT_ID, title: 'Postmortem: Checkout errors', from, to, at: AT, by: 'alice@example.com' },
          },
        ]);
    });

    it('rejects publishing straight from draft', () => {
      given(drafted).when(aChangePostmortemStatus('published')).thenThrows(IllegalStateError, 'POSTMORTEM.ILLEGAL_TRANSITION');
    });

    it.each(['draft', 'in_review'] as const)('rejects leaving published for %s', (to) => {
      given(drafted, inReview, published).when(aChangePostmortemStatus(to)).thenThrows(IllegalStateError, 'POSTMORTEM.PUBLISHED_IS_FINAL');
    });

    it('emits nothing when the status is already the target', () => {
      given(drafted, inReview).when(aChangePostmortemStatus('in_review')).then([]);
    });

    it('rejects a status change of a postmortem that does not exist', () => {
      given().when(aChangePostmortemStatus('in_review')).thenThrows(NotFoundError, 'POSTMORTEM.NOT_FOUND');
    });
  });

  describe('ExtendPostmortemTimeline', () => {
    it('appends only entries the timeline does not have yet', () => {
      const reopened = aTimelineEntry({ eventId: 'e-reopen', at: '2025-03-01T13:00:00.000Z', type: 'IncidentReopened' });
      given(drafted)
        .when(anExtendPostmortemTimeline([aTimelineEntry(), reopened]))
        .then([
          {
            type: 'PostmortemTimelineExtended',
            data: { postmortemId: POSTMORTEM_ID, incidentId: INCIDENT_ID, entries: [reopened], at: AT, by: 'system:postmortem-service' },
          },
        ]);
    });

    it('emits nothing when every entry is known', () => {
      given(drafted).when(anExtendPostmortemTimeline([aTimelineEntry()])).then([]);
    });

    it('rejects extending a published postmortem', () => {
      given(drafted, inReview, published)
        .when(anExtendPostmortemTimeline([aTimelineEntry({ eventId: 'new' })]))
        .thenThrows(IllegalStateError, 'POSTMORTEM.PUBLISHED_IS_FINAL');
    });
  });

  describe('AddActionItem', () => {
    it('adds an open action item', () => {
      given(drafted)
        .when(anAddActionItem({ description: 'Stage 1% of traffic first' }))
        .then([anActionItemAdded({ description: 'Stage 1% of traffic first', at: AT })]);
    });

    it('rejects a duplicate action item id', () => {
      given(drafted, anActionItemAdded()).when(anAddActionItem()).thenThrows(IllegalStateError, 'ACTION_ITEM.ALREADY_EXISTS');
    });

    it('rejects adding to a published postmortem', () => {
      given(drafted, inReview, published).when(anAddActionItem()).thenThrows(IllegalStateError, 'POSTMORTEM.PUBLISHED_IS_FINAL');
    });

    it.each([
      [{ dueDate: '2025-02-30' }],
      [{ dueDate: '15/03/2025' }],
      [{ owner: ' ' }],
      [{ priority: 'P9' as never }],
    ])('rejects invalid input %j', (overrides) => {
      given(drafted).when(anAddActionItem(overrides)).thenThrows(ValidationError, 'ACTION_ITEM.INVALID');
    });

    it('rejects adding to a postmortem that does not exist', () => {
      given().when(anAddActionItem()).thenThrows(NotFoundError, 'POSTMORTEM.NOT_FOUND');
    });
  });

  describe('UpdateActionItem', () => {
    it('records field changes and a status change separately', () => {
      given(drafted, anActionItemAdded())
        .when(anUpdateActionItem({ owner: 'dave@example.com', priority: 'P2', status: 'in_progress' }))
        .then([
          {
            type: 'ActionItemUpdated',
            data: {
              postmortemId: POSTMORTEM_ID,
              incidentId: INCIDENT_ID,
              actionItemId: ACTION_ITEM_ID,
              changes: { owner: 'dave@example.com' },
              at: AT,
              by: 'alice@example.com',
            },
          },
          {
            type: 'ActionItemStatusChanged',
            data: {
              postmortemId: POSTMORTEM_ID,
              incidentId: INCIDENT_ID,
              actionItemId: ACTION_ITEM_ID,
              title: 'Add a canary stage to checkout deploys',
              from: 'open',
              to: 'in_progress',
              at: AT,
              by: 'alice@example.com',
            },
          },
        ]);
    });

    it('tracks an action item to completion after the postmortem is published', () => {
      given(drafted, anActionItemAdded(), inReview, published)
        .when(anUpdateActionItem({ status: 'done' }))
        .then([
          {
            type: 'ActionItemStatusChanged',
            data: {
              postmortemId: POSTMORTEM_ID,
              incidentId: INCIDENT_ID,
              actionItemId: ACTION_ITEM_ID,
              title: 'Add a canary stage to checkout deploys',
              from: 'open',
              to: 'done',
              at: AT,
              by: 'alice@example.com',
            },
          },
        ]);
    });

    it('rejects an unknown action item', () => {
      given(drafted).when(anUpdateActionItem({ status: 'done' }, 'a0000000-0000-4000-8000-000000000000')).thenThrows(NotFoundError, 'ACTION_ITEM.NOT_FOUND');
    });

    it('rejects an invalid due date', () => {
      given(drafted, anActionItemAdded()).when(anUpdateActionItem({ dueDate: '2025-13-01' })).thenThrows(ValidationError, 'ACTION_ITEM.INVALID');
    });

    it('emits nothing when nothing changes', () => {
      given(drafted, anActionItemAdded()).when(anUpdateActionItem({ status: 'open', owner: 'carol@example.com' })).then([]);
    });
  });

  describe('evolve', () => {
    it('folds the whole lifecycle into the published document', () => {
      const { state } = given(
        drafted,
        anActionItemAdded(),
        { type: 'PostmortemUpdated', data: { postmortemId: POSTMORTEM_ID, incidentId: INCIDENT_ID, changes: { rootCause: 'Retry storm' }, at: AT, by: 'alice' } },
        inReview,
        published,
        {
          type: 'ActionItemStatusChanged',
          data: { postmortemId: POSTMORTEM_ID, incidentId: INCIDENT_ID, actionItemId: ACTION_ITEM_ID, title: 't', from: 'open', to: 'done', at: AT, by: 'carol' },
        },
      );
      expect(state).toMatchObject({
        status: 'published',
        rootCause: 'Retry storm',
        publishedBy: 'alice@example.com',
        actionItems: [{ id: ACTION_ITEM_ID, status: 'done', updatedAt: AT }],
        updatedBy: 'carol',
      });
    });

    it('drops the publication fields when returning to draft', () => {
      const { state } = given(drafted, inReview, aPostmortemStatusChanged('in_review', 'draft'));
      expect(state.status).toBe('draft');
      expect(state).not.toHaveProperty('publishedAt');
    });
  });

  describe(decideAll.name, () => {
    it('applies field edits before the status change of the same request', () => {
      const events = decideAll(
        [anUpdatePostmortem({ rootCause: 'Retry storm' }), aChangePostmortemStatus('in_review')],
        given(drafted).state,
      );
      expect(events.map((event) => event.type)).toEqual(['PostmortemUpdated', 'PostmortemStatusChanged']);
    });

    it('rejects the whole batch when one command is illegal', () => {
      expect(() => decideAll([anUpdatePostmortem({ rootCause: 'x' }), aChangePostmortemStatus('published')], given(drafted).state)).toThrow(
        IllegalStateError,
      );
    });
  });
});
