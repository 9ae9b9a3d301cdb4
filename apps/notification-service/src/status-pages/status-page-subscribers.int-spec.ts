import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { TOPICS, type StatusPageIntegrationEventV1 } from '@fireline/contracts';
import { SERVICE_BODY_LIMIT_BYTES } from '@fireline/http';
import { MESSAGE_TRANSPORT, type MessageTransport } from '@fireline/messaging';
import { createServiceTestApp } from '../../../../test/support/nest-test-app';
import { api } from '../../../../test/support/test-credentials';
import { eventually } from '../../../../test/support/eventually';
import { startLocalHttpReceiver, type LocalHttpReceiver, type Responder } from '../../../../test/support/local-http-receiver';
import { startLocalSmtpServer, type LocalSmtpServer, type RecipientResponder } from '../../../../test/support/local-smtp-server';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/test-database';
import { TEST_DELIVERY_CONFIG } from '../../../../test/support/test-delivery-config';
import { TEST_ENCRYPTION_KEYS, TEST_OUTBOUND_POLICY } from '../../../../test/support/test-secrets';
import type { NotificationServiceConfig } from '../config/notification-service.config';
import { DEFAULT_STATUS_PAGE_NOTIFICATIONS_CONFIG } from '../config/status-page-notifications.config';
import { NotificationServiceModule } from '../notification-service.module';
import { verifyFirelineSignature } from '../notifications/channels/webhook-signature';
import type { DeliveryPageView, DeliveryView } from '../notifications/projections/delivery.view';
import { STATUSPAGE_WEBHOOK_DOCUMENTATION } from './domain/statuspage-webhook-body';
import type { SubscriberPageView, SubscriberView } from './projections/subscriber.view';
import {
  aComponentStatusChanged,
  aMaintenanceScheduled,
  aPublishedIncident,
  aStatusPage,
  aStatusPageChanged,
  aStatusPageIncidentPublished,
  aStatusPageIncidentResolved,
} from './testing/status-page-event.factory';

const PUBLIC_URL = 'https://status.example.com';
const QUARANTINE_AFTER = 2;

function testConfig(url: string, smtp: LocalSmtpServer | null, maxPerIpPerHour = 1_000): NotificationServiceConfig {
  return {
    database: { url, poolSize: 10, migrationsRun: true },
    outbound: TEST_OUTBOUND_POLICY,
    encryption: TEST_ENCRYPTION_KEYS,
    // The breaker has its own tests; here receivers fail on purpose and every attempt must be made.
    delivery: { ...TEST_DELIVERY_CONFIG, circuitBreaker: { failureThreshold: 1_000, halfOpenAfterMs: 1_000 } },
    statusPages: {
      ...DEFAULT_STATUS_PAGE_NOTIFICATIONS_CONFIG,
      publicBaseUrl: PUBLIC_URL,
      subscribe: { ...DEFAULT_STATUS_PAGE_NOTIFICATIONS_CONFIG.subscribe, maxPerIpPerHour, maxPerAddressPerHour: 2, maxPendingPerPage: 3 },
      quarantineAfterDeadLetters: QUARANTINE_AFTER,
    },
    smtp:
      smtp === null
        ? null
        : { host: smtp.host, port: smtp.port, secure: false, auth: null, from: 'Acme Status <status@acme.example>', requireTls: false, tlsRejectUnauthorized: true, timeoutMs: 5_000 },
  };
}

async function startApp(config: NotificationServiceConfig): Promise<NestFastifyApplication> {
  return createServiceTestApp(NotificationServiceModule.register(config), SERVICE_BODY_LIMIT_BYTES);
}

/** The path and query of a link in an email (`https://status.example.com/status/…` -> `/status/…`). */
function pathOf(link: string): string {
  const url = new URL(link);
  expect(url.origin).toBe(PUBLIC_URL);
  return `${url.pathname}${url.search}`;
}

/** A header's value as sent (unfolded), or undefined. */
function headerOf(mail: { parsed: { headerLines: readonly { key: string; line: string }[] } }, name: string): string | undefined {
  const line = mail.parsed.headerLines.find((h) => h.key === name.toLowerCase())?.line;
  return line?.replace(/\r?\n\s+/g, ' ').replace(/^[^:]+:\s*/, '');
}

describe('status-page subscribers (notification-service)', () => {
  let db: TestDatabase;
  let app: NestFastifyApplication;
  let transport: MessageTransport;
  let smtp: LocalSmtpServer;
  let refuseRecipient: RecipientResponder = () => null;
  const receivers: LocalHttpReceiver[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('status_page_subscribers_int');
    smtp = await startLocalSmtpServer((address, n) => refuseRecipient(address, n));
    app = await startApp(testConfig(db.url, smtp));
    transport = app.get<MessageTransport>(MESSAGE_TRANSPORT);
  });

  afterAll(async () => {
    await app?.close();
    await smtp?.close();
    await Promise.allSettled(receivers.map((r) => r.close()));
    await db?.drop();
  });

  /** The management API, as admin. */
  const http = () => api(app);
  /** The public routes, with no credentials at all. */
  const anonymous = () => request(app.getHttpServer());

  async function receiver(respond?: Responder): Promise<LocalHttpReceiver> {
    const r = await startLocalHttpReceiver(respond);
    receivers.push(r);
    return r;
  }

  async function publish(...events: StatusPageIntegrationEventV1[]): Promise<void> {
    await transport.publish(TOPICS.statusPages, events);
  }

  /** A page notification-service has heard of (its `StatusPageChanged` consumed). */
  async function knownPage() {
    const page = aStatusPage();
    await publish(aStatusPageChanged(page));
    await eventually(async () => {
      await http().get(`/v1/status-pages/${page.id}/subscribers`).expect(200);
    });
    return page;
  }

  async function addWebhook(pageId: string, url: string, componentIds?: string[]): Promise<SubscriberView> {
    return (await http().post(`/v1/status-pages/${pageId}/subscribers`).send({ url, componentIds }).expect(201)).body as SubscriberView;
  }

  async function deliveriesOf(subscriberId: string): Promise<DeliveryView[]> {
    return ((await http().get('/v1/deliveries').query({ subscriberId }).expect(200)).body as DeliveryPageView).items;
  }

  const mailsTo = (address: string) => smtp.messages.filter((m) => m.to.includes(address));

  describe('webhook subscribers', () => {
    it('posts a Statuspage-shaped body signed with the subscriber secret, which is shown once', async () => {
      const hook = await receiver();
      const page = await knownPage();
      const subscriber = await addWebhook(page.id, hook.url);
      const secret = subscriber.webhook!.secret!;
      expect(secret).toMatch(/^whsec_[0-9a-f]{64}$/);
      const fetched = (await http().get(`/v1/status-pages/${page.id}/subscribers/${subscriber.id}`).expect(200)).body as SubscriberView;
      expect(fetched.webhook).toEqual({ url: hook.url, secretPreview: `…${secret.slice(-4)}` });
      expect(fetched).toMatchObject({ status: 'active', quarantined: false, channel: 'webhook', componentIds: [] });

      const incident = aPublishedIncident(page, [page.components[0]!]);
      await publish(aStatusPageIncidentPublished(page, incident));

      const sent = await eventually(() => {
        expect(hook.requests).toHaveLength(1);
        return hook.requests[0]!;
      });
      expect(verifyFirelineSignature(secret, sent.rawBody, sent.headers, 300)).toBe(true);
      const body = JSON.parse(sent.rawBody.toString('utf8'));
      expect(body.meta).toMatchObject({ documentation: STATUSPAGE_WEBHOOK_DOCUMENTATION });
      expect(body.meta.unsubscribe).toMatch(new RegExp(`^${PUBLIC_URL}/status/${page.slug}/subscriptions/unsubscribe\\?id=${subscriber.id}&token=[A-Za-z0-9_-]{43}$`));
      expect(body.page).toEqual({ id: page.id, status_indicator: 'none', status_description: 'All Systems Operational' });
      expect(body.incident).toMatchObject({
        id: incident.id,
        name: 'Elevated API errors',
        status: 'investigating',
        impact: 'major',
        page_id: page.id,
        incident_updates: [expect.objectContaining({ status: 'investigating', incident_id: incident.id, body: incident.updates[0]!.body })],
        components: [expect.objectContaining({ id: page.components[0]!.id, name: 'API', status: 'major_outage' })],
      });
      // The delivery log shows the subscriber's delivery, its unsubscribe token masked.
      const [logged] = await deliveriesOf(subscriber.id);
      const detail = (await http().get(`/v1/deliveries/${logged!.id}`).expect(200)).body as DeliveryView & { payload: { meta: { unsubscribe: string } } };
      expect(detail).toMatchObject({ subscriberId: subscriber.id, statusPageId: page.id, ruleId: null, status: 'delivered', channelType: 'webhook' });
      expect(detail.payload.meta.unsubscribe).toMatch(/token=…[A-Za-z0-9_-]{4}$/);
      expect(JSON.stringify(detail)).not.toContain(body.meta.unsubscribe.split('token=')[1]);
    });

    it('notifies a per-component subscriber only of what concerns its components; page-wide ones of everything', async () => {
      const [apiHook, dbHook, pageHook] = await Promise.all([receiver(), receiver(), receiver()]);
      const page = await knownPage();
      const [api, database] = page.components;
      await addWebhook(page.id, apiHook.url, [api!.id]);
      await addWebhook(page.id, dbHook.url, [database!.id]);
      await addWebhook(page.id, pageHook.url);

      await publish(aStatusPageIncidentPublished(page, aPublishedIncident(page, [api!])), aComponentStatusChanged(page, database!, 'degraded_performance'));

      await eventually(() => {
        expect(pageHook.requests).toHaveLength(2);
        expect(apiHook.requests).toHaveLength(1);
        expect(dbHook.requests).toHaveLength(1);
      });
      expect(JSON.parse(apiHook.requests[0]!.rawBody.toString()).incident).toBeDefined();
      const componentBody = JSON.parse(dbHook.requests[0]!.rawBody.toString());
      expect(componentBody.component_update).toMatchObject({ old_status: 'operational', new_status: 'degraded_performance', component_id: database!.id });
      expect(componentBody.component).toMatchObject({ id: database!.id, name: 'Database', status: 'degraded_performance', page_id: page.id });
      expect(componentBody.incident).toBeUndefined();
    });

    it('queues one delivery per subscriber when the same event is delivered again', async () => {
      const hook = await receiver();
      const page = await knownPage();
      const subscriber = await addWebhook(page.id, hook.url);
      const event = aMaintenanceScheduled(page, [page.components[1]!]);
      await publish(event);
      await publish(event);
      await eventually(() => expect(hook.requests).toHaveLength(1));
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await deliveriesOf(subscriber.id)).toHaveLength(1);
      expect(JSON.parse(hook.requests[0]!.rawBody.toString()).incident).toMatchObject({ impact: 'maintenance', scheduled_for: '2026-03-02T01:00:00.000Z', scheduled_until: '2026-03-02T02:00:00.000Z' });
    });

    it('refuses a webhook URL the outbound policy forbids, and components the page does not have', async () => {
      const page = await knownPage();
      const refused = await http().post(`/v1/status-pages/${page.id}/subscribers`).send({ url: 'http://169.254.169.254/latest/meta-data' }).expect(400);
      expect(refused.body).toMatchObject({ code: 'STATUS_PAGE_SUBSCRIBER.TARGET_NOT_ALLOWED', errors: [expect.objectContaining({ field: 'url' })] });
      const unknown = await http()
        .post(`/v1/status-pages/${page.id}/subscribers`)
        .send({ url: 'http://127.0.0.1:9/hook', componentIds: ['00000000-0000-4000-8000-000000000000'] })
        .expect(400);
      expect(unknown.body).toMatchObject({ code: 'STATUS_PAGE_SUBSCRIPTION.UNKNOWN_COMPONENT', errors: [{ field: 'componentIds.0' }] });
      const list = (await http().get(`/v1/status-pages/${page.id}/subscribers`).expect(200)).body as SubscriberPageView;
      expect(list.items).toEqual([]);
      await http().get(`/v1/status-pages/00000000-0000-4000-8000-000000000000/subscribers`).expect(404);
    });

    it('quarantines a subscriber after consecutive dead letters, sends it nothing new, and unquarantines it', async () => {
      let failing = true;
      const hook = await receiver(() => (failing ? { status: 500, body: 'down' } : { status: 200, body: 'ok' }));
      const page = await knownPage();
      const subscriber = await addWebhook(page.id, hook.url);
      const [api, database] = page.components;

      await publish(aComponentStatusChanged(page, api!, 'partial_outage'));
      await eventually(async () => expect((await deliveriesOf(subscriber.id)).map((d) => d.status)).toEqual(['dead_lettered']));
      const afterOne = (await http().get(`/v1/status-pages/${page.id}/subscribers/${subscriber.id}`).expect(200)).body as SubscriberView;
      expect(afterOne).toMatchObject({ quarantined: false, consecutiveDeadLetters: 1 });

      await publish(aComponentStatusChanged(page, database!, 'partial_outage'));
      const quarantined = await eventually(async () => {
        const s = (await http().get(`/v1/status-pages/${page.id}/subscribers/${subscriber.id}`).expect(200)).body as SubscriberView;
        expect(s.quarantined).toBe(true);
        return s;
      });
      expect(quarantined).toMatchObject({ consecutiveDeadLetters: QUARANTINE_AFTER, quarantineReason: expect.stringContaining('HTTP 500') });
      const listed = (await http().get(`/v1/status-pages/${page.id}/subscribers`).query({ quarantined: true }).expect(200)).body as SubscriberPageView;
      expect(listed.items.map((s) => s.id)).toEqual([subscriber.id]);

      // Quarantined: a new event queues nothing for it.
      const attemptsBefore = hook.requests.length;
      await publish(aComponentStatusChanged(page, api!, 'major_outage'));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await deliveriesOf(subscriber.id)).toHaveLength(2);
      expect(hook.requests).toHaveLength(attemptsBefore);

      failing = false;
      const lifted = (await http().post(`/v1/status-pages/${page.id}/subscribers/${subscriber.id}/unquarantine`).query({ retryDeadLetters: 'true' }).expect(200)).body as {
        subscriber: SubscriberView;
        requeuedDeliveryIds: string[];
      };
      expect(lifted.subscriber).toMatchObject({ quarantined: false, consecutiveDeadLetters: 0 });
      expect(lifted.requeuedDeliveryIds).toHaveLength(2);
      await eventually(async () => expect((await deliveriesOf(subscriber.id)).map((d) => d.status)).toEqual(['delivered', 'delivered']));
      await publish(aComponentStatusChanged(page, api!, 'operational'));
      await eventually(async () => expect(await deliveriesOf(subscriber.id)).toHaveLength(3));
    });

    it('drops queued deliveries of a subscriber removed meanwhile, and a removal is safe to repeat', async () => {
      const hook = await receiver();
      const page = await knownPage();
      const subscriber = await addWebhook(page.id, hook.url);
      await http().delete(`/v1/status-pages/${page.id}/subscribers/${subscriber.id}`).expect(204);
      await http().delete(`/v1/status-pages/${page.id}/subscribers/${subscriber.id}`).expect(204);
      await publish(aStatusPageIncidentPublished(page, aPublishedIncident(page, [])));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(hook.requests).toHaveLength(0);
      expect(((await http().get(`/v1/status-pages/${page.id}/subscribers/${subscriber.id}`).expect(200)).body as SubscriberView).status).toBe('unsubscribed');
    });
  });

  describe('email subscribers (real SMTP server)', () => {
    it('requires the double opt-in before any notification, then mails them with a working one-click unsubscribe', async () => {
      const page = await knownPage();
      const address = `reader-${page.slug}@example.com`;
      const answer = await anonymous().post(`/status/${page.slug}/subscriptions`).send({ email: address }).expect(202);
      expect(answer.body).toEqual({ status: 'confirmation_sent', message: expect.any(String) });

      const confirmation = await eventually(() => {
        expect(mailsTo(address)).toHaveLength(1);
        return mailsTo(address)[0]!;
      });
      expect(confirmation.parsed.subject).toBe('[Acme Cloud] Confirm your subscription');
      expect(headerOf(confirmation, 'List-Unsubscribe')).toBeUndefined();
      const confirmLink = /(https:\/\/status\.example\.com\/status\/[^\s]+\/subscriptions\/confirm\?token=[A-Za-z0-9_-]{43})/.exec(confirmation.parsed.text ?? '')![1]!;
      expect(confirmation.parsed.html).toContain(`href="${confirmLink}"`);

      // Not confirmed yet: an incident reaches no one at this address.
      await publish(aStatusPageIncidentPublished(page, aPublishedIncident(page, [])));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(mailsTo(address)).toHaveLength(1);

      // The GET only shows a button (link scanners confirm nothing); the POST confirms, once.
      const shown = await anonymous().get(pathOf(confirmLink)).set('accept', 'text/html').expect(200);
      expect(shown.text).toContain('<form method="post"');
      await anonymous().post(pathOf(confirmLink)).expect(200, { status: 'active' });
      const again = await anonymous().post(pathOf(confirmLink)).expect(404);
      expect(again.body.code).toBe('STATUS_PAGE_SUBSCRIPTION.LINK_INVALID');

      const incident = aPublishedIncident(page, [page.components[0]!]);
      await publish(aStatusPageIncidentPublished(page, incident), aStatusPageIncidentResolved(page, incident));
      const [created, resolved] = await eventually(() => {
        expect(mailsTo(address)).toHaveLength(3);
        return mailsTo(address).slice(1);
      });
      expect(created!.parsed.subject).toBe('[Acme Cloud] Investigating: Elevated API errors');
      expect(resolved!.parsed.subject).toBe('[Acme Cloud] Resolved: Elevated API errors');
      expect(created!.parsed.from?.value).toEqual([{ name: 'Acme Status', address: 'status@acme.example' }]);
      expect(created!.parsed.messageId).toMatch(/^<[0-9a-f-]{36}@acme\.example>$/);
      expect(headerOf(created!, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
      const unsubscribe = /^<(https:[^>]+)>$/.exec(headerOf(created!, 'List-Unsubscribe') ?? '')![1]!;
      expect(unsubscribe).toMatch(/\/subscriptions\/unsubscribe\?id=[0-9a-f-]{36}&token=[A-Za-z0-9_-]{43}$/);
      expect(created!.parsed.text).toContain('We are looking into errors <b>on</b> the API & "checkout".');
      expect(created!.parsed.text).toContain(`Unsubscribe: ${unsubscribe}`);
      expect(created!.parsed.html).toContain('We are looking into errors &lt;b&gt;on&lt;/b&gt; the API &amp; &quot;checkout&quot;.');
      expect(created!.parsed.html).not.toContain('<b>on</b>');
      expect(created!.parsed.html).toContain(`href="${unsubscribe.replace(/&/g, '&amp;')}"`);

      // RFC 8058 one-click: the mail client POSTs the form body to the List-Unsubscribe URL.
      await anonymous().get(pathOf(unsubscribe)).set('accept', 'text/html').expect(200).expect(/<form method="post"/);
      await anonymous().post(pathOf(unsubscribe)).type('form').send('List-Unsubscribe=One-Click').expect(200, { status: 'unsubscribed' });
      await anonymous().post(pathOf(unsubscribe)).type('form').send('List-Unsubscribe=One-Click').expect(200);
      await publish(aComponentStatusChanged(page, page.components[1]!, 'major_outage'));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(mailsTo(address)).toHaveLength(3);
      expect(await db.pool.query('SELECT 1 FROM dead_letters')).toMatchObject({ rowCount: 0 });
      // A wrong token unsubscribes nothing and says nothing about the subscriber.
      const forged = pathOf(unsubscribe).replace(/token=[^&]+$/, `token=${'A'.repeat(43)}`);
      expect((await anonymous().post(forged).expect(404)).body.code).toBe('STATUS_PAGE_SUBSCRIPTION.LINK_INVALID');
      // Several round trips through the SMTP server and waits for what must not arrive.
    }, 15_000);

    it('answers the same whatever is known of the address, and mails an address at most its hourly limit', async () => {
      const page = await knownPage();
      const address = `twice-${page.slug}@example.com`;
      const answers = [];
      for (let i = 0; i < 4; i += 1) answers.push((await anonymous().post(`/status/${page.slug}/subscriptions`).send({ email: address.toUpperCase() }).expect(202)).body);
      expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
      await eventually(() => expect(mailsTo(address)).toHaveLength(2));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(mailsTo(address)).toHaveLength(2);
      const pending = (await http().get(`/v1/status-pages/${page.id}/subscribers`).query({ status: 'pending' }).expect(200)).body as SubscriberPageView;
      expect(pending.items.map((s) => s.email)).toEqual([address]);
    });

    it('bounds the unconfirmed subscriptions of a page (429), and refuses components the page does not have', async () => {
      const page = await knownPage();
      for (let i = 0; i < 3; i += 1) await anonymous().post(`/status/${page.slug}/subscriptions`).send({ email: `p${i}-${page.slug}@example.com` }).expect(202);
      const full = await anonymous().post(`/status/${page.slug}/subscriptions`).send({ email: `p4-${page.slug}@example.com` }).expect(429);
      expect(full.body.code).toBe('STATUS_PAGE_SUBSCRIPTION.TOO_MANY_PENDING');
      expect(Number(full.headers['retry-after'])).toBeGreaterThan(0);
      const bad = await anonymous()
        .post(`/status/${page.slug}/subscriptions`)
        .send({ email: `c-${page.slug}@example.com`, componentIds: ['00000000-0000-4000-8000-000000000000'] })
        .expect(400);
      expect(bad.body.code).toBe('STATUS_PAGE_SUBSCRIPTION.UNKNOWN_COMPONENT');
      await anonymous().post('/status/no-such-page/subscriptions').send({ email: 'a@example.com' }).expect(404);
    });

    it('refuses header injection in the address, malformed tokens and foreign form posts, storing and sending nothing', async () => {
      const page = await knownPage();
      const injected = await anonymous().post(`/status/${page.slug}/subscriptions`).send({ email: 'a@example.com\r\nBcc: victim@example.com' }).expect(400);
      expect(injected.body).toMatchObject({ code: 'REQUEST.INVALID', errors: [expect.objectContaining({ field: 'email' })] });
      const named = await anonymous().post(`/status/${page.slug}/subscriptions`).send({ email: 'Eve <eve@example.com>' }).expect(400);
      expect(named.body.errors).toEqual([expect.objectContaining({ field: 'email' })]);
      const tooMany = await anonymous()
        .post(`/status/${page.slug}/subscriptions`)
        .send({ email: `many-${page.slug}@example.com`, componentIds: Array.from({ length: 101 }, () => '00000000-0000-4000-8000-000000000000') })
        .expect(400);
      expect(tooMany.body.errors).toEqual([expect.objectContaining({ field: 'componentIds' })]);
      expect((await anonymous().post(`/status/${page.slug}/subscriptions/confirm?token=short`).expect(400)).body.errors).toEqual([expect.objectContaining({ field: 'token' })]);
      expect((await anonymous().get(`/status/${page.slug}/subscriptions/unsubscribe?id=x&token=${'A'.repeat(43)}`).expect(400)).body.errors).toEqual([expect.objectContaining({ field: 'id' })]);
      // Form bodies only where mail clients and HTML forms post: the subscribe route takes JSON only.
      await anonymous().post(`/status/${page.slug}/subscriptions`).type('form').send(`email=form-${page.slug}@example.com`).expect(415);
      const stored = await db.pool.query('SELECT 1 FROM status_page_subscribers WHERE page_id = $1', [page.id]);
      expect(stored.rowCount).toBe(0);
      await new Promise((resolve) => setTimeout(resolve, 200));
      // (Earlier tests' mails may still be arriving: only this page's addresses count.)
      expect(smtp.messages.filter((m) => m.to.some((to) => to.includes(page.slug) || to.includes('victim')))).toEqual([]);
    });

    it('records the SMTP reply: 5yz dead-letters at once, 4yz is retried', async () => {
      const page = await knownPage();
      const rejected = `rejected-${page.slug}@example.com`;
      const greylisted = `greylisted-${page.slug}@example.com`;
      let greylist = 1;
      refuseRecipient = (address) => {
        if (address === rejected) return { code: 550, message: 'No such user here' };
        if (address === greylisted && greylist-- > 0) return { code: 451, message: 'Greylisted, try again later' };
        return null;
      };
      try {
        await anonymous().post(`/status/${page.slug}/subscriptions`).send({ email: rejected }).expect(202);
        await anonymous().post(`/status/${page.slug}/subscriptions`).send({ email: greylisted }).expect(202);
        const subscribers = (await http().get(`/v1/status-pages/${page.id}/subscribers`).expect(200)).body as SubscriberPageView;
        const byEmail = new Map(subscribers.items.map((s) => [s.email, s.id]));
        const [dead] = await eventually(async () => {
          const items = await deliveriesOf(byEmail.get(rejected)!);
          expect(items.map((d) => d.status)).toEqual(['dead_lettered']);
          return items;
        });
        expect(dead!.attempts).toEqual([expect.objectContaining({ smtpReplyCode: 550, httpStatus: null })]);
        const [retried] = await eventually(async () => {
          const items = await deliveriesOf(byEmail.get(greylisted)!);
          expect(items.map((d) => d.status)).toEqual(['delivered']);
          return items;
        });
        expect(retried!.attempts.map((a) => a.smtpReplyCode)).toEqual([250, 451]);
        expect(mailsTo(greylisted)).toHaveLength(1);
      } finally {
        refuseRecipient = () => null;
      }
    });
  });

  describe('without an SMTP server', () => {
    let plainDb: TestDatabase;
    let plain: NestFastifyApplication;

    beforeAll(async () => {
      plainDb = await createTestDatabase('status_page_subscribers_no_smtp_int');
      plain = await startApp(testConfig(plainDb.url, null, 2));
    });

    afterAll(async () => {
      await plain?.close();
      await plainDb?.drop();
    });

    it('refuses email subscriptions clearly (409), and limits requests per client address (429 with Retry-After)', async () => {
      const page = aStatusPage();
      await plain.get<MessageTransport>(MESSAGE_TRANSPORT).publish(TOPICS.statusPages, [aStatusPageChanged(page)]);
      const subscribe = () => request(plain.getHttpServer()).post(`/status/${page.slug}/subscriptions`).send({ email: 'someone@example.com' });
      await eventually(async () => {
        await api(plain).get(`/v1/status-pages/${page.id}/subscribers`).expect(200);
      });
      const first = await subscribe();
      expect(first.status).toBe(409);
      expect(first.body).toMatchObject({ code: 'STATUS_PAGE_SUBSCRIPTION.EMAIL_DISABLED', detail: expect.stringContaining('SMTP_URL') });
      expect((await subscribe()).status).toBe(409);
      const limited = await subscribe();
      expect(limited.status).toBe(429);
      expect(limited.body.code).toBe('REQUEST.TOO_MANY_REQUESTS');
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    });
  });
});
