import type { ActionItemPriority, ActionItemStatus, PostmortemImpact, PostmortemStatus, TimelineEntry } from './postmortem.state';

/**
 * Stored postmortem events: private to this service (the public contract is `PostmortemDraftedV1` etc.
 * in `@fireline/contracts`, mapped by the relay). Each carries `incidentId`, `at` (ISO-8601 UTC, from
 * the command's clock) and `by` (the actor), so that read models and the relay need no other lookup.
 */
interface PostmortemEventBase<TType extends string, TData> {
  type: TType;
  data: TData & { postmortemId: string; incidentId: string; at: string; by: string };
}

/** The effective document changes of one update; `impact` is the whole new impact. */
export interface PostmortemChanges {
  title?: string;
  summary?: string;
  impact?: PostmortemImpact;
  rootCause?: string;
  contributingFactors?: string[];
  whatWentWell?: string[];
  whatWentWrong?: string[];
  whereWeGotLucky?: string[];
}

/** Effective action item changes other than status (status has its own event). */
export interface ActionItemChanges {
  title?: string;
  owner?: string;
  dueDate?: string;
  priority?: ActionItemPriority;
  description?: string | null;
}

export type PostmortemDrafted = PostmortemEventBase<
  'PostmortemDrafted',
  {
    title: string;
    summary: string;
    impact: PostmortemImpact;
    timeline: TimelineEntry[];
    rootCause: string;
    contributingFactors: string[];
    whatWentWell: string[];
    whatWentWrong: string[];
    whereWeGotLucky: string[];
    dueAt: string;
  }
>;

export type PostmortemUpdated = PostmortemEventBase<'PostmortemUpdated', { changes: PostmortemChanges }>;

export type PostmortemTimelineExtended = PostmortemEventBase<'PostmortemTimelineExtended', { entries: TimelineEntry[] }>;

export type PostmortemStatusChanged = PostmortemEventBase<
  'PostmortemStatusChanged',
  { title: string; from: PostmortemStatus; to: PostmortemStatus }
>;

export type ActionItemAdded = PostmortemEventBase<
  'ActionItemAdded',
  {
    actionItemId: string;
    title: string;
    owner: string;
    dueDate: string;
    priority: ActionItemPriority;
    description: string | null;
    status: ActionItemStatus;
  }
>;

export type ActionItemUpdated = PostmortemEventBase<'ActionItemUpdated', { actionItemId: string; changes: ActionItemChanges }>;

export type ActionItemStatusChanged = PostmortemEventBase<
  'ActionItemStatusChanged',
  { actionItemId: string; title: string; from: ActionItemStatus; to: ActionItemStatus }
>;

export type PostmortemEvent =
  | PostmortemDrafted
  | PostmortemUpdated
  | PostmortemTimelineExtended
  | PostmortemStatusChanged
  | ActionItemAdded
  | ActionItemUpdated
  | ActionItemStatusChanged;

export type PostmortemEventType = PostmortemEvent['type'];

export const POSTMORTEM_EVENT_TYPES: readonly PostmortemEventType[] = [
  'PostmortemDrafted',
  'PostmortemUpdated',
  'PostmortemTimelineExtended',
  'PostmortemStatusChanged',
  'ActionItemAdded',
  'ActionItemUpdated',
  'ActionItemStatusChanged',
];

/** The event-store stream type and stream id of a postmortem. */
export const POSTMORTEM_STREAM_TYPE = 'postmortem';

/** `postmortem-<uuid>`: the stream that holds one postmortem's events. */
export function postmortemStreamId(postmortemId: string): string {
  return `postmortem-${postmortemId}`;
}
