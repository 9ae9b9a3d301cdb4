import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import { TOPICS, type StatusPageIntegrationEventV1 } from '@fireline/contracts';
import { SERVICE_BODY_LIMIT_BYTES } from '@fireline/http';
import { MESSAGE_TRANSPORT, type MessageTransport } from '@fireline/messaging';
import { createServiceTestApp } from '../../../../../test/support/nest-test-app';
import { api } from '../../../../../test/support/test-credentials';
import { eventually } from '../../../../../test/support/eventually';
import { startFakeStatuspage, type FakeStatuspage } from '../../../../../test/support/fake-statuspage-server';
import { createTestDatabase, type TestDatabase } from '../../../../../test/support/test-database';
import { TEST_DELIVERY_CONFIG } from '../../../../../test/support/test-delivery-config';
import { TEST_ENCRYPTION_KEYS, TEST_OUTBOUND_POLICY } from '../../../../../test/support/test-secrets';
import { DEFAULT_STATUS_PAGE_NOTIFICATIONS_CONFIG } from '../../config/status-page-notifications.config';
import { NotificationServiceModule } from '../../notification-service.module';
import {
  aComponentStatusChanged,
  aMaintenanceScheduled,
  aPublishedIncident,
  aStatusPage,
  aStatusPageChanged,
  aStatusPageIncidentPublished,
  aStatusPageIncidentResolved,
} from '../testing/status-page-event.factory';
import type { StatuspageSyncView } from './statuspage-sync-config.command';

/** The fake answers 420 to a second request within this; Fireline is configured to the same spacing. */
const MIN_INTERVAL_MS = 300;

describe('Statuspage sync (notification-service against a local fake Statuspage)', () => {
  let db: TestDatabase;
  let app: NestFastifyApplication;
  let transport: MessageTransport;
  let fake: FakeStatuspage;

  beforeAll(async () => {
    db = await createTestDatabase('statuspage_sync_int');
    fake = await startFakeStatuspage(MIN_INTERVAL_MS);
    app = await createServiceTestApp(
      NotificationServiceModule.register({
          database: { url: db.url, poolSize: 10, migrationsRun: true },
          outbound: TEST_OUTBOUND_POLICY,
          encryption: TEST_ENCRYPTION_KEYS,
          delivery: { ...TEST_DELIVERY_CONFIG, baseDelayMs: 50, maxDelayMs: 200 },
          statusPages: { ...DEFAULT_STATUS_PAGE_NOTIFICATIONS_CONFIG, statuspage: { apiUrl: fake.apiUrl, minRequestIntervalMs: MIN_INTERVAL_MS } },
          smtp: null,
        }),
      SERVICE_BODY_LIMIT_BYTES,
    );
    transport = app.get<MessageTransport>(MESSAGE_TRANSPORT);
  });

  afterAll(async () => {
    await app?.close();
    await fake?.close();
    await db?.drop();
  });

  const http = () => api(app);
  const publish = (...events: StatusPageIntegrationEventV1[]) => transport.publish(TOPICS.statusPages, events);

  /** A page (components named uniquely, so that pages of other tests adopt none of them) that mirrors to the fake. */
  async function mirroredPage(apiKey = fake.apiKey) {
    const tag = randomUUID().slice(0, 6);
    const page = aStatusPage({
      components: [
        { id: randomUUID(), name: `API ${tag}`, status: 'operational', groupId: null },
        { id: randomUUID(), name: `Database ${tag}`, status: 'operational', groupId: null },
      ],
    });
    await publish(aStatusPageChanged(page));
    await eventually(async () => {
      await http().put(`/v1/status-pages/${page.id}/statuspage-sync`).send({ statuspagePageId: fake.pageId, apiKey }).expect(200);
    });
    return page as typeof page & { components: NonNullable<typeof page.components> };
  }

  const syncOf = async (pageId: string) => (await http().get(`/v1/status-pages/${pageId}/statuspage-sync`).expect(200)).body as StatuspageSyncView;
  const incidentsNamed = (name: string) => [...fake.incidents.values()].filter((i) => i.name === name);

  it('mirrors components, an incident with its updates and a maintenance, creating nothing twice when events are delivered again', async () => {
    const page = await mirroredPage();
    const view = await syncOf(page.id);
    expect(view).toMatchObject({ statuspagePageId: fake.pageId, apiKeyPreview: `…${fake.apiKey.slice(-4)}` });
    expect(JSON.stringify(view)).not.toContain(fake.apiKey);
    const [api, database] = page.components;
    const incident = aPublishedIncident(page, [api!], { name: `Elevated errors ${page.slug}` });
    const published = aStatusPageIncidentPublished(page, incident);
    const changed = aComponentStatusChanged(page, database!, 'degraded_performance');
    const resolved = aStatusPageIncidentResolved(page, incident);
    const maintenance = aMaintenanceScheduled(page, [database!]);
    const callsBefore = fake.calls.length;

    await publish(published, changed, resolved, maintenance);
    await publish(published, resolved); // redelivered
    await eventually(async () => expect((await syncOf(page.id)).jobs).toEqual({ done: 4, pending: 0, failed: 0 }), 20_000);

    const calls = fake.calls.slice(callsBefore);
    const components = [...fake.components.values()].filter((c) => page.components.some((p) => p.name === c.name));
    expect(components.map((c) => c.name).sort()).toEqual(page.components.map((c) => c.name).sort());
    expect(components.find((c) => c.name === database!.name)).toMatchObject({ status: 'degraded_performance' });
    const mirrored = incidentsNamed(incident.name);
    expect(mirrored).toHaveLength(1);
    expect(mirrored[0]).toMatchObject({ status: 'resolved', impact_override: 'major', metadata: { fireline: { id: incident.id } } });
    expect(mirrored[0]!.incident_updates.map((u) => u.body)).toEqual(['Fixed.', incident.updates[0]!.body]);
    const apiTwin = components.find((c) => c.name === api!.name)!;
    expect(mirrored[0]).toMatchObject({ component_ids: [apiTwin.id], components: { [String(apiTwin.id)]: 'operational' } });
    const scheduled = incidentsNamed('Database upgrade').filter((i) => (i.metadata as { fireline: { id: string } }).fireline.id === maintenance.data.maintenance.id);
    expect(scheduled).toHaveLength(1);
    expect(scheduled[0]).toMatchObject({ status: 'scheduled', scheduled_for: '2026-03-02T01:00:00.000Z', scheduled_until: '2026-03-02T02:00:00.000Z', scheduled_remind_prior: true });
    // Root-key wrapping on every write, and Statuspage's rate limit respected: no 420, calls spaced.
    for (const call of calls.filter((c) => c.method === 'POST' || c.method === 'PATCH')) expect(Object.keys(call.body as object)).toEqual([call.path.includes('/components') ? 'component' : 'incident']);
    expect(calls.filter((c) => c.status >= 400)).toEqual([]);
    const gaps = calls.slice(1).map((c, i) => c.at - calls[i]!.at);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(MIN_INTERVAL_MS - 5);
  }, 30_000);

  it('adopts an incident it created before dying without committing the mapping (found by its marker), instead of creating it again', async () => {
    const page = await mirroredPage();
    const incident = aPublishedIncident(page, [], { name: `Adopted ${page.slug}` });
    fake.incidents.set('orphan1', { id: 'orphan1', name: incident.name, status: 'investigating', metadata: { fireline: { id: incident.id } }, incident_updates: [] });
    const resolved = aStatusPageIncidentResolved(page, incident);
    await publish(aStatusPageIncidentPublished(page, incident), resolved);
    await eventually(async () => expect((await syncOf(page.id)).jobs).toMatchObject({ done: 2, pending: 0 }), 15_000);
    expect(incidentsNamed(incident.name)).toEqual([expect.objectContaining({ id: 'orphan1', status: 'resolved' })]);
  }, 20_000);

  it("waits out 429/420 (Retry-After) and 5xx answers, and gives up on a key Statuspage refuses, naming the error", async () => {
    const page = await mirroredPage();
    fake.failNext(1, 429, 1);
    fake.failNext(1, 503);
    const started = Date.now();
    await publish(aComponentStatusChanged(page, page.components[0]!, 'major_outage'));
    await eventually(async () => expect((await syncOf(page.id)).jobs).toMatchObject({ done: 1, pending: 0 }), 15_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect([...fake.components.values()].find((c) => c.name === page.components[0]!.name)).toMatchObject({ status: 'major_outage' });

    const refused = await mirroredPage('wrong-key-123456');
    await publish(aComponentStatusChanged(refused, refused.components[0]!, 'major_outage'));
    const failed = await eventually(async () => {
      const view = await syncOf(refused.id);
      expect(view.jobs).toMatchObject({ failed: 1, pending: 0 });
      return view;
    }, 15_000);
    expect(failed.lastError).toContain('HTTP 401');
  }, 30_000);

  it('mirrors nothing for a page without a mirror, and answers 404 for its sync', async () => {
    const page = aStatusPage();
    const before = fake.calls.length;
    await publish(aStatusPageChanged(page), aComponentStatusChanged(page, page.components[0]!, 'major_outage'));
    await eventually(async () => {
      const response = await http().get(`/v1/status-pages/${page.id}/statuspage-sync`);
      expect(response.body.code).toBe('STATUSPAGE_SYNC.NOT_FOUND');
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(fake.calls.length).toBe(before);
    await http().put(`/v1/status-pages/${randomUUID()}/statuspage-sync`).send({ statuspagePageId: 'abc', apiKey: 'abcdefgh12' }).expect(404);
  });
});
