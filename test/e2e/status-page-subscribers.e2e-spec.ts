import { verifyFirelineSignature } from '../../apps/notification-service/src/notifications/channels/webhook-signature';
import { DEFAULT_STATUS_PAGE_NOTIFICATIONS_CONFIG } from '../../apps/notification-service/src/config/status-page-notifications.config';
import { eventually } from '../support/eventually';
import { startFakeStatuspage, type FakeStatuspage } from '../support/fake-statuspage-server';
import { startLocalHttpReceiver, type LocalHttpReceiver } from '../support/local-http-receiver';
import { startLocalSmtpServer, type LocalSmtpServer } from '../support/local-smtp-server';
import { createPlatformTestApp, type PlatformTestApp } from '../support/platform-test-app';

const PUBLIC_URL = 'https://status.example.com';

/**
 * Status-page subscribers through the composed platform: an incident declared and published on a page,
 * then an external update, reaches an email subscriber (real SMTP server, after the double opt-in), a
 * webhook subscriber (signed Statuspage-shaped bodies) and a mirrored Statuspage page (local fake).
 */
describe('Status-page subscribers and Statuspage mirror (e2e)', () => {
  let platform: PlatformTestApp;
  let smtp: LocalSmtpServer;
  let hook: LocalHttpReceiver;
  let statuspage: FakeStatuspage;

  beforeAll(async () => {
    [smtp, hook, statuspage] = await Promise.all([startLocalSmtpServer(), startLocalHttpReceiver(), startFakeStatuspage(200)]);
    platform = await createPlatformTestApp('status_page_subscribers', ['error'], {
      notification: {
        statusPages: { ...DEFAULT_STATUS_PAGE_NOTIFICATIONS_CONFIG, publicBaseUrl: PUBLIC_URL, statuspage: { apiUrl: statuspage.apiUrl, minRequestIntervalMs: 200 } },
        smtp: { host: smtp.host, port: smtp.port, secure: false, auth: null, from: 'status@acme.example', requireTls: false, tlsRejectUnauthorized: true, timeoutMs: 5_000 },
      },
    });
  });

  afterAll(async () => {
    await platform?.close();
    await Promise.allSettled([smtp?.close(), hook?.close(), statuspage?.close()]);
  });

  it('declare -> publish on a page -> external update reaches the email subscriber, the webhook subscriber and Statuspage', async () => {
    const { http } = platform;
    const slug = `e2e-${Date.now().toString(36)}`;
    const page = await http.post('/v1/status-pages').send({ slug, name: 'Acme E2E', timeZone: 'UTC' }).expect(201);
    const pageId = page.body.page.id as string;
    const component = await http.post(`/v1/status-pages/${pageId}/components`).send({ name: 'Checkout' });
    expect(component.status).toBe(201);
    const componentId = (component.body.page.components as { id: string; name: string }[]).find((c) => c.name === 'Checkout')!.id;
    // notification-service learns of the page and its component from the status-page events (eventually);
    // until then the component is unknown to it (400, nothing stored).
    const webhook = await eventually(async () => http.post(`/v1/status-pages/${pageId}/subscribers`).send({ url: hook.url, componentIds: [componentId] }).expect(201));
    await http.put(`/v1/status-pages/${pageId}/statuspage-sync`).send({ statuspagePageId: statuspage.pageId, apiKey: statuspage.apiKey }).expect(200);
    await http.post(`/status/${slug}/subscriptions`).send({ email: 'reader@example.com' }).expect(202);
    const confirmation = await eventually(() => {
      expect(smtp.messages).toHaveLength(1);
      return smtp.messages[0]!;
    });
    const confirmUrl = new URL(/(https:\/\/\S+\/subscriptions\/confirm\?token=\S+)/.exec(confirmation.parsed.text ?? '')![1]!);
    await http.post(`${confirmUrl.pathname}${confirmUrl.search}`).expect(200);

    const incident = await http.post('/v1/incidents').send({ title: 'Checkout 502s', severity: 'SEV1', services: ['checkout'] }).expect(201);
    await http
      .post(`/v1/status-pages/${pageId}/incidents`)
      .send({ incidentId: incident.body.id, name: 'Checkout is failing', impacts: [{ componentId, status: 'major_outage' }] })
      .expect((r) => expect(r.status).toBeLessThan(300));
    await http.post(`/v1/incidents/${incident.body.id}/updates`).send({ audience: 'external', message: 'We found the cause and are rolling back.' }).expect(201);

    type Body = { page: { id: string }; incident?: { name: string; incident_updates: { body: string }[] }; component_update?: { new_status: string } };
    const bodies = await eventually(() => {
      const received = hook.requests.map((r) => {
        expect(verifyFirelineSignature(webhook.body.webhook.secret, r.rawBody, r.headers, 300)).toBe(true);
        return JSON.parse(r.rawBody.toString()) as Body;
      });
      expect(received).toHaveLength(3);
      expect(received.some((b) => b.incident?.incident_updates[0]?.body === 'We found the cause and are rolling back.')).toBe(true);
      return received;
    }, 15_000);
    expect(bodies.every((b) => b.page.id === pageId)).toBe(true);
    expect(bodies.filter((b) => b.incident).map((b) => b.incident!.name)).toEqual(['Checkout is failing', 'Checkout is failing']);
    expect(bodies.filter((b) => b.component_update).map((b) => b.component_update!.new_status)).toEqual(['major_outage']);

    const mails = await eventually(() => {
      const notifications = smtp.messages.slice(1);
      expect(notifications).toHaveLength(3);
      expect(notifications.some((m) => m.parsed.text?.includes('We found the cause and are rolling back.'))).toBe(true);
      return notifications;
    }, 15_000);
    // Published (incident created), the component's change, the external update: each an email, nothing twice.
    expect(mails.map((m) => m.parsed.subject).sort()).toEqual(['[Acme E2E] Checkout is major outage', '[Acme E2E] Investigating: Checkout is failing', '[Acme E2E] Investigating: Checkout is failing'].sort());

    const mirrored = await eventually(() => {
      const found = [...statuspage.incidents.values()].filter((i) => i.name === 'Checkout is failing');
      expect(found).toHaveLength(1);
      expect(found[0]!.incident_updates.map((u) => u.body)).toContain('We found the cause and are rolling back.');
      return found[0]!;
    }, 20_000);
    expect(mirrored).toMatchObject({ impact_override: expect.any(String), metadata: { fireline: { id: expect.any(String) } } });
    expect([...statuspage.components.values()].map((c) => c.name)).toContain('Checkout');
  }, 60_000);
});
