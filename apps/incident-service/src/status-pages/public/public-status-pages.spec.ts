import type { EventStore } from '@fireline/event-store';
import type { Pool } from 'pg';
import { TEST_ENCRYPTION_KEYS } from '../../../../../test/support/test-secrets';
import type { IncidentServiceConfig } from '../../config/incident-service.config';
import { foldStatusPageView, type StatusPageView } from '../domain/status-page-view';
import { aPageWithComponents } from '../testing/status-page.factories';
import { PublicStatusPages } from './public-status-pages';

/** A stand-in for `status_page_views` that counts the reads it answers (each takes `delayMs`). */
function fakeReadModel(rows: Map<string, { version: number; document: StatusPageView }>, delayMs = 5) {
  const calls: unknown[][] = [];
  const pool = {
    query: async (config: { values: unknown[] }) => {
      calls.push(config.values);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      const row = rows.get(config.values[0] as string);
      if (!row) return { rows: [] };
      return { rows: [{ version: row.version, document: row.version === config.values[1] ? null : row.document }] };
    },
  };
  return { pool: pool as unknown as Pool, calls };
}

const config = (cacheRevalidateMs: number): IncidentServiceConfig => ({
  database: { url: 'postgres://unused/db', poolSize: 1, migrationsRun: false },
  projections: { pollIntervalMs: 100 },
  statusPages: { publicBaseUrl: 'https://status.example.com', timerPollIntervalMs: 1000, cacheRevalidateMs },
  encryption: TEST_ENCRYPTION_KEYS,
});

describe(PublicStatusPages.name, () => {
  const view = foldStatusPageView(aPageWithComponents())!;

  it('answers a crowd of concurrent readers with one read of the read model, and renders once', async () => {
    const rows = new Map([['acme', { version: 3, document: view }]]);
    const { pool, calls } = fakeReadModel(rows);
    const pages = new PublicStatusPages(pool, {} as EventStore, config(60_000));
    const answers = await Promise.all(Array.from({ length: 200 }, () => pages.represent('acme', { kind: 'json', resource: 'summary' })));
    expect(calls).toHaveLength(1);
    expect(new Set(answers.map((a) => a.etag)).size).toBe(1);
    expect(new Set(answers)).toEqual(new Set([answers[0]])); // the same rendered object: rendered once
  });

  it('sees a new version after the revalidation interval, and fetches the document only when the version moved', async () => {
    const rows = new Map([['acme', { version: 3, document: view }]]);
    const { pool, calls } = fakeReadModel(rows, 0);
    const pages = new PublicStatusPages(pool, {} as EventStore, config(0));
    const first = await pages.represent('acme', { kind: 'json', resource: 'status' });
    await pages.represent('acme', { kind: 'json', resource: 'status' });
    rows.set('acme', { version: 4, document: { ...view, name: 'Acme renamed' } });
    const third = await pages.represent('acme', { kind: 'json', resource: 'status' });
    expect(calls.map((values) => values[1])).toEqual([-2, 3, 3]);
    expect(first.body).toContain('"Acme"');
    expect(third.body).toContain('Acme renamed');
    expect(third.etag).not.toBe(first.etag);
  });

  it('remembers an unknown slug like a page, and never queries for a slug that cannot exist', async () => {
    const { pool, calls } = fakeReadModel(new Map());
    const pages = new PublicStatusPages(pool, {} as EventStore, config(60_000));
    const outcomes = await Promise.allSettled(Array.from({ length: 50 }, () => pages.represent('nope', { kind: 'html' })));
    expect(outcomes.every((o) => o.status === 'rejected' && (o.reason as { code?: string }).code === 'STATUS_PAGE.NOT_FOUND')).toBe(true);
    await expect(pages.represent('../../etc', { kind: 'html' })).rejects.toMatchObject({ code: 'STATUS_PAGE.NOT_FOUND' });
    expect(calls).toHaveLength(1);
  });
});
