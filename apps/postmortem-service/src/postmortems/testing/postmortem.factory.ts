import type { CommandMetadata } from '@fireline/event-store';
import type {
  ActionItemPatch,
  AddActionItem,
  ChangePostmortemStatus,
  DraftPostmortem,
  ExtendPostmortemTimeline,
  PostmortemPatch,
  UpdateActionItem,
  UpdatePostmortem,
} from '../domain/postmortem.commands';
import type { ActionItemAdded, PostmortemDrafted, PostmortemStatusChanged } from '../domain/postmortem.events';
import type { PostmortemStatus, TimelineEntry } from '../domain/postmortem.state';

/** Fixed ids and clock for postmortem tests; override what a test is about. */
export const POSTMORTEM_ID = '7b0f7c52-5d0e-5b4e-9d8f-0a1b2c3d4e5f';
export const INCIDENT_ID = '2f0c6b1e-4a44-4c1d-9a5e-8c1f2d3e4b5a';
export const ACTION_ITEM_ID = '9a7e1f3c-0c5d-4b8e-8f6a-1b2c3d4e5f60';
export const NOW = new Date('2025-03-01T12:00:00.000Z');

export function aCommandMetadata(overrides: Partial<CommandMetadata> = {}): CommandMetadata {
  return { now: NOW, actor: 'alice@example.com', correlationId: 'c0ffee00-0000-4000-8000-000000000001', ...overrides };
}

export function aTimelineEntry(overrides: Partial<TimelineEntry> = {}): TimelineEntry {
  return {
    eventId: '11111111-1111-4111-8111-111111111111',
    at: '2025-03-01T10:00:00.000Z',
    type: 'IncidentDeclared',
    actor: 'bob@example.com',
    summary: 'SEV2 incident declared: Checkout errors',
    ...overrides,
  };
}

export function aDraftPostmortem(overrides: Partial<DraftPostmortem['data']> = {}, metadata: Partial<CommandMetadata> = {}): DraftPostmortem {
  return {
    type: 'DraftPostmortem',
    data: {
      postmortemId: POSTMORTEM_ID,
      incidentId: INCIDENT_ID,
      title: 'Postmortem: Checkout errors',
      summary: 'Rolled back the faulty deploy',
      impact: { severity: 'SEV2', services: ['checkout'], durationMinutes: 90, description: '' },
      timeline: [aTimelineEntry()],
      dueAt: '2025-03-03T11:30:00.000Z',
      ...overrides,
    },
    metadata: aCommandMetadata({ actor: 'system:postmortem-service', ...metadata }),
  };
}

export function aPostmortemDrafted(overrides: Partial<PostmortemDrafted['data']> = {}): PostmortemDrafted {
  return {
    type: 'PostmortemDrafted',
    data: {
      postmortemId: POSTMORTEM_ID,
      incidentId: INCIDENT_ID,
      title: 'Postmortem: Checkout errors',
      summary: 'Rolled back the faulty deploy',
      impact: { severity: 'SEV2', services: ['checkout'], durationMinutes: 90, description: '' },
      timeline: [aTimelineEntry()],
      rootCause: '',
      contributingFactors: [],
      whatWentWell: [],
      whatWentWrong: [],
      whereWeGotLucky: [],
      dueAt: '2025-03-03T11:30:00.000Z',
      at: '2025-03-01T11:30:00.000Z',
      by: 'system:postmortem-service',
      ...overrides,
    },
  };
}

export function aPostmortemStatusChanged(from: PostmortemStatus, to: PostmortemStatus): PostmortemStatusChanged {
  return {
    type: 'PostmortemStatusChanged',
    data: {
      postmortemId: POSTMORTEM_ID,
      incidentId: INCIDENT_ID,
      title: 'Postmortem: Checkout errors',
      from,
      to,
      at: '2025-03-01T11:40:00.000Z',
      by: 'alice@example.com',
    },
  };
}

export function anActionItemAdded(overrides: Partial<ActionItemAdded['data']> = {}): ActionItemAdded {
  return {
    type: 'ActionItemAdded',
    data: {
      postmortemId: POSTMORTEM_ID,
      incidentId: INCIDENT_ID,
      actionItemId: ACTION_ITEM_ID,
      title: 'Add a canary stage to checkout deploys',
      owner: 'carol@example.com',
      dueDate: '2025-03-15',
      priority: 'P2',
      description: null,
      status: 'open',
      at: '2025-03-01T11:45:00.000Z',
      by: 'alice@example.com',
      ...overrides,
    },
  };
}

export function anUpdatePostmortem(patch: PostmortemPatch, metadata: Partial<CommandMetadata> = {}): UpdatePostmortem {
  return { type: 'UpdatePostmortem', data: { postmortemId: POSTMORTEM_ID, patch }, metadata: aCommandMetadata(metadata) };
}

export function aChangePostmortemStatus(to: PostmortemStatus, metadata: Partial<CommandMetadata> = {}): ChangePostmortemStatus {
  return { type: 'ChangePostmortemStatus', data: { postmortemId: POSTMORTEM_ID, to }, metadata: aCommandMetadata(metadata) };
}

export function anExtendPostmortemTimeline(entries: TimelineEntry[]): ExtendPostmortemTimeline {
  return {
    type: 'ExtendPostmortemTimeline',
    data: { postmortemId: POSTMORTEM_ID, entries },
    metadata: aCommandMetadata({ actor: 'system:postmortem-service' }),
  };
}

export function anAddActionItem(overrides: Partial<AddActionItem['data']> = {}, metadata: Partial<CommandMetadata> = {}): AddActionItem {
  return {
    type: 'AddActionItem',
    data: {
      postmortemId: POSTMORTEM_ID,
      actionItemId: ACTION_ITEM_ID,
      title: 'Add a canary stage to checkout deploys',
      owner: 'carol@example.com',
      dueDate: '2025-03-15',
      priority: 'P2',
      description: null,
      ...overrides,
    },
    metadata: aCommandMetadata(metadata),
  };
}

export function anUpdateActionItem(patch: ActionItemPatch, actionItemId = ACTION_ITEM_ID): UpdateActionItem {
  return { type: 'UpdateActionItem', data: { postmortemId: POSTMORTEM_ID, actionItemId, patch }, metadata: aCommandMetadata() };
}
