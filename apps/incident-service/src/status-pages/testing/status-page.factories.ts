import type { CommandMetadata } from '@fireline/event-store/command-metadata';
import type { IncidentFacts } from '../domain/public-incident-facts';
import type { StatusPageCommand } from '../domain/status-page.commands';
import type { StatusPageEvent } from '../domain/status-page.events';

/** Test data for status pages: one page `page-1` (slug `acme`), components `api` and `web`. */
export const TEST_PAGE_ID = 'page-1';
export const TEST_PAGE_NOW = new Date('2026-03-01T10:00:00.000Z');
export const TEST_PAGE_ACTOR = 'carol@example.com';

export function minutesAfter(minutes: number): Date {
  return new Date(TEST_PAGE_NOW.getTime() + minutes * 60_000);
}

export function pageMetadata(overrides: Partial<CommandMetadata> = {}): CommandMetadata {
  return { now: TEST_PAGE_NOW, actor: TEST_PAGE_ACTOR, correlationId: 'corr-1', ...overrides };
}

type CommandOf<T extends StatusPageCommand['type']> = Extract<StatusPageCommand, { type: T }>;

/** A command of `type` with `data` (pageId defaulted) at `minutes` after `TEST_PAGE_NOW`. */
export function aPageCommand<T extends StatusPageCommand['type']>(type: T, data: Omit<CommandOf<T>['data'], 'pageId'> & { pageId?: string }, minutes = 0): CommandOf<T> {
  return { type, data: { pageId: TEST_PAGE_ID, ...data }, metadata: pageMetadata({ now: minutesAfter(minutes) }) } as unknown as CommandOf<T>;
}

const base = (minutes = 0) => ({ pageId: TEST_PAGE_ID, at: minutesAfter(minutes).toISOString(), by: TEST_PAGE_ACTOR });

/** The history of a page with two components, `api` and `web` (no group). */
export function aPageWithComponents(): StatusPageEvent[] {
  return [
    { type: 'StatusPageCreated', data: { ...base(), slug: 'acme', name: 'Acme', timeZone: 'Europe/Berlin', description: '', url: null } },
    { type: 'ComponentAdded', data: { ...base(), componentId: 'api', name: 'API', description: '', groupId: null, showcase: true, onlyShowIfDegraded: false } },
    { type: 'ComponentAdded', data: { ...base(), componentId: 'web', name: 'Website', description: '', groupId: null, showcase: true, onlyShowIfDegraded: false } },
  ];
}

/** Facts of incident `inc-1`, open, without public updates. */
export function someIncidentFacts(overrides: Partial<IncidentFacts> = {}): IncidentFacts {
  return { incidentId: 'inc-1', title: 'orders-db primary disk full', declaredAt: minutesAfter(-5).toISOString(), resolved: false, updates: [], ...overrides };
}
