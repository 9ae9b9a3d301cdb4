import type { IntegrationEvent } from '../envelope';

interface PostmortemEventDataV1 {
  postmortemId: string;
  incidentId: string;
  actor: string;
}

export type PostmortemDraftedV1 = IntegrationEvent<'PostmortemDrafted', PostmortemEventDataV1 & { title: string; dueAt: string }, 1>;
export type PostmortemPublishedV1 = IntegrationEvent<'PostmortemPublished', PostmortemEventDataV1 & { title: string }, 1>;
export type ActionItemCompletedV1 = IntegrationEvent<'ActionItemCompleted', PostmortemEventDataV1 & { actionItemId: string; title: string }, 1>;

/** Every public postmortem event, v1. Published on `fireline.postmortems.v1`, keyed by `streamId`. */
export type PostmortemIntegrationEventV1 = PostmortemDraftedV1 | PostmortemPublishedV1 | ActionItemCompletedV1;
