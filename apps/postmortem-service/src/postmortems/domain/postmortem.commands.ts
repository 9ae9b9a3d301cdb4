import type { CommandMetadata } from '@fireline/event-store/command-metadata';
import type { ActionItemPriority, ActionItemStatus, PostmortemImpact, PostmortemStatus, TimelineEntry } from './postmortem.state';

interface PostmortemCommandBase<TType extends string, TData> {
  type: TType;
  data: TData;
  metadata: CommandMetadata;
}

/** Fields of the document a reviewer may edit; absent keys stay as they are. */
export interface PostmortemPatch {
  title?: string;
  summary?: string;
  impact?: Partial<PostmortemImpact>;
  rootCause?: string;
  contributingFactors?: string[];
  whatWentWell?: string[];
  whatWentWrong?: string[];
  whereWeGotLucky?: string[];
}

export interface ActionItemPatch {
  title?: string;
  owner?: string;
  dueDate?: string;
  priority?: ActionItemPriority;
  description?: string | null;
  status?: ActionItemStatus;
}

export type DraftPostmortem = PostmortemCommandBase<
  'DraftPostmortem',
  {
    postmortemId: string;
    incidentId: string;
    title: string;
    summary: string;
    impact: PostmortemImpact;
    timeline: TimelineEntry[];
    dueAt: string;
  }
>;

export type UpdatePostmortem = PostmortemCommandBase<'UpdatePostmortem', { postmortemId: string; patch: PostmortemPatch }>;

export type ChangePostmortemStatus = PostmortemCommandBase<'ChangePostmortemStatus', { postmortemId: string; to: PostmortemStatus }>;

/** Adds incident timeline entries that arrived after the draft (e.g. the incident was reopened). */
export type ExtendPostmortemTimeline = PostmortemCommandBase<'ExtendPostmortemTimeline', { postmortemId: string; entries: TimelineEntry[] }>;

export type AddActionItem = PostmortemCommandBase<
  'AddActionItem',
  {
    postmortemId: string;
    actionItemId: string;
    title: string;
    owner: string;
    dueDate: string;
    priority: ActionItemPriority;
    description: string | null;
  }
>;

export type UpdateActionItem = PostmortemCommandBase<'UpdateActionItem', { postmortemId: string; actionItemId: string; patch: ActionItemPatch }>;

export type PostmortemCommand =
  | DraftPostmortem
  | UpdatePostmortem
  | ChangePostmortemStatus
  | ExtendPostmortemTimeline
  | AddActionItem
  | UpdateActionItem;
