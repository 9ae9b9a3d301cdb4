import type { Decider } from '@fireline/event-store/decider';
import type {
  AddActionItem,
  ChangePostmortemStatus,
  DraftPostmortem,
  ExtendPostmortemTimeline,
  PostmortemCommand,
  UpdateActionItem,
  UpdatePostmortem,
} from './postmortem.commands';
import {
  actionItemAlreadyExists,
  actionItemNotFound,
  illegalPostmortemTransition,
  invalidActionItem,
  invalidPostmortem,
  postmortemAlreadyDrafted,
  postmortemNotFound,
  postmortemPublishedIsFinal,
} from './postmortem.errors';
import type { ActionItemChanges, PostmortemChanges, PostmortemEvent } from './postmortem.events';
import {
  ACTION_ITEM_PRIORITIES,
  ACTION_ITEM_STATUSES,
  SEVERITIES,
  sortTimeline,
  type ActionItem,
  type ExistingPostmortemState,
  type PostmortemImpact,
  type PostmortemState,
  type PostmortemStatus,
} from './postmortem.state';

const MAX_TITLE_LENGTH = 200;

/** The only status changes a postmortem allows (published is final). */
const ALLOWED_TRANSITIONS: Record<PostmortemStatus, readonly PostmortemStatus[]> = {
  draft: ['in_review'],
  in_review: ['draft', 'published'],
  published: [],
};

function initialState(): PostmortemState {
  return { status: 'none' };
}

function requireExisting(state: PostmortemState, postmortemId: string): ExistingPostmortemState {
  if (state.status === 'none') throw postmortemNotFound(postmortemId);
  return state;
}

function requireEditable(state: PostmortemState, postmortemId: string): ExistingPostmortemState {
  const existing = requireExisting(state, postmortemId);
  if (existing.status === 'published') throw postmortemPublishedIsFinal(postmortemId);
  return existing;
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function isIsoDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const parsed = new Date(`${value}T00:00:00.000Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === value;
}

function requireText(value: string, field: string, invalid: (field: string, message: string) => Error, maxLength?: number): string {
  const trimmed = value.trim();
  if (trimmed.length === 0) throw invalid(field, `${field} must not be empty`);
  if (maxLength !== undefined && trimmed.length > maxLength) throw invalid(field, `${field} must be at most ${maxLength} characters`);
  return trimmed;
}

function validateImpact(impact: PostmortemImpact): PostmortemImpact {
  if (!SEVERITIES.includes(impact.severity)) throw invalidPostmortem('impact.severity', `impact.severity must be one of ${SEVERITIES.join(', ')}`);
  if (!Number.isInteger(impact.durationMinutes) || impact.durationMinutes < 0) {
    throw invalidPostmortem('impact.durationMinutes', 'impact.durationMinutes must be a non-negative integer');
  }
  return impact;
}

function decideDraft(command: DraftPostmortem, state: PostmortemState): PostmortemEvent[] {
  const { data, metadata } = command;
  if (state.status !== 'none') throw postmortemAlreadyDrafted(data.postmortemId);
  return [
    {
      type: 'PostmortemDrafted',
      data: {
        postmortemId: data.postmortemId,
        incidentId: data.incidentId,
        title: requireText(data.title, 'title', invalidPostmortem, MAX_TITLE_LENGTH),
        summary: data.summary,
        impact: validateImpact(data.impact),
        timeline: sortTimeline(data.timeline),
        rootCause: '',
        contributingFactors: [],
        whatWentWell: [],
        whatWentWrong: [],
        whereWeGotLucky: [],
        dueAt: data.dueAt,
        at: metadata.now.toISOString(),
        by: metadata.actor,
      },
    },
  ];
}

function decideUpdate(command: UpdatePostmortem, state: PostmortemState): PostmortemEvent[] {
  const { data, metadata } = command;
  const current = requireEditable(state, data.postmortemId);
  const patch = data.patch;
  const changes: PostmortemChanges = {};
  if (patch.title !== undefined) {
    const title = requireText(patch.title, 'title', invalidPostmortem, MAX_TITLE_LENGTH);
    if (title !== current.title) changes.title = title;
  }
  if (patch.summary !== undefined && patch.summary !== current.summary) changes.summary = patch.summary;
  if (patch.impact !== undefined) {
    const impact = validateImpact({ ...current.impact, ...stripUndefined(patch.impact) });
    if (!sameValue(impact, current.impact)) changes.impact = impact;
  }
  if (patch.rootCause !== undefined && patch.rootCause !== current.rootCause) changes.rootCause = patch.rootCause;
  for (const key of ['contributingFactors', 'whatWentWell', 'whatWentWrong', 'whereWeGotLucky'] as const) {
    const value = patch[key];
    if (value !== undefined && !sameValue(value, current[key])) changes[key] = [...value];
  }
  if (Object.keys(changes).length === 0) return [];
  return [
    {
      type: 'PostmortemUpdated',
      data: { postmortemId: current.postmortemId, incidentId: current.incidentId, changes, at: metadata.now.toISOString(), by: metadata.actor },
    },
  ];
}

function decideStatusChange(command: ChangePostmortemStatus, state: PostmortemState): PostmortemEvent[] {
  const { data, metadata } = command;
  const current = requireExisting(state, data.postmortemId);
  if (current.status === data.to) return [];
  if (current.status === 'published') throw postmortemPublishedIsFinal(data.postmortemId);
  if (!ALLOWED_TRANSITIONS[current.status].includes(data.to)) throw illegalPostmortemTransition(data.postmortemId, current.status, data.to);
  return [
    {
      type: 'PostmortemStatusChanged',
      data: {
        postmortemId: current.postmortemId,
        incidentId: current.incidentId,
        title: current.title,
        from: current.status,
        to: data.to,
        at: metadata.now.toISOString(),
        by: metadata.actor,
      },
    },
  ];
}

function decideExtendTimeline(command: ExtendPostmortemTimeline, state: PostmortemState): PostmortemEvent[] {
  const { data, metadata } = command;
  const current = requireEditable(state, data.postmortemId);
  const known = new Set(current.timeline.map((entry) => entry.eventId));
  const entries = data.entries.filter((entry) => {
    if (known.has(entry.eventId)) return false;
    known.add(entry.eventId);
    return true;
  });
  if (entries.length === 0) return [];
  return [
    {
      type: 'PostmortemTimelineExtended',
      data: { postmortemId: current.postmortemId, incidentId: current.incidentId, entries, at: metadata.now.toISOString(), by: metadata.actor },
    },
  ];
}

function validateDueDate(dueDate: string): string {
  if (!isIsoDate(dueDate)) throw invalidActionItem('dueDate', 'dueDate must be a calendar date YYYY-MM-DD');
  return dueDate;
}

function validatePriority<T extends string>(value: T): T {
  if (!(ACTION_ITEM_PRIORITIES as readonly string[]).includes(value)) {
    throw invalidActionItem('priority', `priority must be one of ${ACTION_ITEM_PRIORITIES.join(', ')}`);
  }
  return value;
}

function decideAddActionItem(command: AddActionItem, state: PostmortemState): PostmortemEvent[] {
  const { data, metadata } = command;
  const current = requireEditable(state, data.postmortemId);
  if (current.actionItems.some((item) => item.id === data.actionItemId)) throw actionItemAlreadyExists(data.postmortemId, data.actionItemId);
  return [
    {
      type: 'ActionItemAdded',
      data: {
        postmortemId: current.postmortemId,
        incidentId: current.incidentId,
        actionItemId: data.actionItemId,
        title: requireText(data.title, 'title', invalidActionItem, MAX_TITLE_LENGTH),
        owner: requireText(data.owner, 'owner', invalidActionItem),
        dueDate: validateDueDate(data.dueDate),
        priority: validatePriority(data.priority),
        description: data.description,
        status: 'open',
        at: metadata.now.toISOString(),
        by: metadata.actor,
      },
    },
  ];
}

function decideUpdateActionItem(command: UpdateActionItem, state: PostmortemState): PostmortemEvent[] {
  const { data, metadata } = command;
  // Action items stay trackable after publication: no requireEditable here.
  const current = requireExisting(state, data.postmortemId);
  const item = current.actionItems.find((candidate) => candidate.id === data.actionItemId);
  if (!item) throw actionItemNotFound(data.postmortemId, data.actionItemId);
  const patch = data.patch;
  const changes: ActionItemChanges = {};
  if (patch.title !== undefined) {
    const title = requireText(patch.title, 'title', invalidActionItem, MAX_TITLE_LENGTH);
    if (title !== item.title) changes.title = title;
  }
  if (patch.owner !== undefined) {
    const owner = requireText(patch.owner, 'owner', invalidActionItem);
    if (owner !== item.owner) changes.owner = owner;
  }
  if (patch.dueDate !== undefined && validateDueDate(patch.dueDate) !== item.dueDate) changes.dueDate = patch.dueDate;
  if (patch.priority !== undefined && validatePriority(patch.priority) !== item.priority) changes.priority = patch.priority;
  if (patch.description !== undefined && patch.description !== item.description) changes.description = patch.description;
  if (patch.status !== undefined && !ACTION_ITEM_STATUSES.includes(patch.status)) {
    throw invalidActionItem('status', `status must be one of ${ACTION_ITEM_STATUSES.join(', ')}`);
  }

  const at = metadata.now.toISOString();
  const events: PostmortemEvent[] = [];
  if (Object.keys(changes).length > 0) {
    events.push({
      type: 'ActionItemUpdated',
      data: { postmortemId: current.postmortemId, incidentId: current.incidentId, actionItemId: item.id, changes, at, by: metadata.actor },
    });
  }
  if (patch.status !== undefined && patch.status !== item.status) {
    events.push({
      type: 'ActionItemStatusChanged',
      data: {
        postmortemId: current.postmortemId,
        incidentId: current.incidentId,
        actionItemId: item.id,
        title: changes.title ?? item.title,
        from: item.status,
        to: patch.status,
        at,
        by: metadata.actor,
      },
    });
  }
  return events;
}

function decide(command: PostmortemCommand, state: PostmortemState): PostmortemEvent[] {
  switch (command.type) {
    case 'DraftPostmortem':
      return decideDraft(command, state);
    case 'UpdatePostmortem':
      return decideUpdate(command, state);
    case 'ChangePostmortemStatus':
      return decideStatusChange(command, state);
    case 'ExtendPostmortemTimeline':
      return decideExtendTimeline(command, state);
    case 'AddActionItem':
      return decideAddActionItem(command, state);
    case 'UpdateActionItem':
      return decideUpdateActionItem(command, state);
    default: {
      const _never: never = command;
      return _never;
    }
  }
}

function updateItem(items: ActionItem[], id: string, update: (item: ActionItem) => ActionItem): ActionItem[] {
  return items.map((item) => (item.id === id ? update(item) : item));
}

function evolve(state: PostmortemState, event: PostmortemEvent): PostmortemState {
  if (event.type === 'PostmortemDrafted') {
    const { at, by, ...document } = event.data;
    return { status: 'draft', ...document, actionItems: [], draftedAt: at, updatedAt: at, updatedBy: by };
  }
  // Every other event follows a PostmortemDrafted; a stream that says otherwise is ignored, not guessed at.
  if (state.status === 'none') return state;
  const touched = { updatedAt: event.data.at, updatedBy: event.data.by };
  switch (event.type) {
    case 'PostmortemUpdated':
      return { ...state, ...event.data.changes, ...touched };
    case 'PostmortemTimelineExtended':
      return { ...state, timeline: sortTimeline([...state.timeline, ...event.data.entries]), ...touched };
    case 'PostmortemStatusChanged': {
      const { to } = event.data;
      switch (to) {
        case 'published':
          return { ...state, ...touched, status: 'published', publishedAt: event.data.at, publishedBy: event.data.by };
        case 'draft':
        case 'in_review': {
          const { publishedAt: _at, publishedBy: _by, ...document } = state as Extract<PostmortemState, { status: 'published' }>;
          return { ...document, ...touched, status: to };
        }
        default: {
          const _never: never = to;
          return _never;
        }
      }
    }
    case 'ActionItemAdded': {
      const { actionItemId, title, owner, dueDate, priority, description, status, at } = event.data;
      const item: ActionItem = { id: actionItemId, title, owner, dueDate, priority, description, status, createdAt: at, updatedAt: at };
      return { ...state, actionItems: [...state.actionItems, item], ...touched };
    }
    case 'ActionItemUpdated':
      return {
        ...state,
        actionItems: updateItem(state.actionItems, event.data.actionItemId, (item) => ({ ...item, ...event.data.changes, updatedAt: event.data.at })),
        ...touched,
      };
    case 'ActionItemStatusChanged':
      return {
        ...state,
        actionItems: updateItem(state.actionItems, event.data.actionItemId, (item) => ({ ...item, status: event.data.to, updatedAt: event.data.at })),
        ...touched,
      };
    default: {
      const _never: never = event;
      return _never;
    }
  }
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The postmortem aggregate: drafted from a resolved incident, edited, reviewed, published. */
export const postmortemDecider: Decider<PostmortemCommand, PostmortemEvent, PostmortemState> = { decide, evolve, initialState };

/**
 * Decides several commands against one stream as a unit (e.g. a PATCH that edits fields and then
 * submits for review): each command sees the state left by the previous one's events.
 */
export function decideAll(commands: readonly PostmortemCommand[], state: PostmortemState): PostmortemEvent[] {
  const events: PostmortemEvent[] = [];
  let current = state;
  for (const command of commands) {
    for (const event of decide(command, current)) {
      current = evolve(current, event);
      events.push(event);
    }
  }
  return events;
}

/** `decideAll` as a decider over command batches, for the event store's `handleCommand`. */
export const postmortemBatchDecider: Decider<readonly PostmortemCommand[], PostmortemEvent, PostmortemState> = {
  decide: decideAll,
  evolve,
  initialState,
};
