/** Lifecycle of a postmortem: drafted automatically, reviewed, then published (final). */
export type PostmortemStatus = 'draft' | 'in_review' | 'published';

export const POSTMORTEM_STATUSES: readonly PostmortemStatus[] = ['draft', 'in_review', 'published'];

/** Incident severity as the postmortem records it (SEV1 is the most severe). */
export type Severity = 'SEV1' | 'SEV2' | 'SEV3' | 'SEV4';

export const SEVERITIES: readonly Severity[] = ['SEV1', 'SEV2', 'SEV3', 'SEV4'];

export type ActionItemPriority = 'P1' | 'P2' | 'P3' | 'P4';

export const ACTION_ITEM_PRIORITIES: readonly ActionItemPriority[] = ['P1', 'P2', 'P3', 'P4'];

export type ActionItemStatus = 'open' | 'in_progress' | 'done' | 'wont_do';

export const ACTION_ITEM_STATUSES: readonly ActionItemStatus[] = ['open', 'in_progress', 'done', 'wont_do'];

/** An action item counts as closed (no longer tracked as outstanding) once done or dropped. */
export function isClosedActionItemStatus(status: ActionItemStatus): boolean {
  switch (status) {
    case 'done':
    case 'wont_do':
      return true;
    case 'open':
    case 'in_progress':
      return false;
    default: {
      const _never: never = status;
      return _never;
    }
  }
}

/** What the incident did to customers and systems. */
export interface PostmortemImpact {
  severity: Severity;
  services: string[];
  /** Declared to resolved, in whole minutes. */
  durationMinutes: number;
  /** Free text: who was affected and how; empty until someone writes it. */
  description: string;
}

/** One line of the incident timeline, copied from an incident event. */
export interface TimelineEntry {
  /** The incident event's id; keeps an entry from being added twice. */
  eventId: string;
  /** ISO-8601 UTC. */
  at: string;
  type: string;
  actor: string;
  summary: string;
}

export interface ActionItem {
  id: string;
  title: string;
  owner: string;
  /** ISO calendar date, `YYYY-MM-DD`. */
  dueDate: string;
  priority: ActionItemPriority;
  status: ActionItemStatus;
  description: string | null;
  createdAt: string;
  updatedAt: string;
}

/** The blameless postmortem document, whatever its status. */
export interface PostmortemDocument {
  postmortemId: string;
  incidentId: string;
  title: string;
  summary: string;
  impact: PostmortemImpact;
  timeline: TimelineEntry[];
  rootCause: string;
  contributingFactors: string[];
  whatWentWell: string[];
  whatWentWrong: string[];
  whereWeGotLucky: string[];
  actionItems: ActionItem[];
  /** ISO-8601 UTC: when the postmortem should be published. */
  dueAt: string;
  draftedAt: string;
  updatedAt: string;
  updatedBy: string;
}

export type PostmortemState =
  | { status: 'none' }
  | ({ status: 'draft' } & PostmortemDocument)
  | ({ status: 'in_review' } & PostmortemDocument)
  | ({ status: 'published'; publishedAt: string; publishedBy: string } & PostmortemDocument);

export type ExistingPostmortemState = Exclude<PostmortemState, { status: 'none' }>;

/** Timeline entries ordered by time; entries with the same time keep their arrival order. */
export function sortTimeline(entries: readonly TimelineEntry[]): TimelineEntry[] {
  return entries
    .map((entry, index) => ({ entry, index }))
    .sort((a, b) => (a.entry.at < b.entry.at ? -1 : a.entry.at > b.entry.at ? 1 : a.index - b.index))
    .map(({ entry }) => entry);
}
