import { createServiceTestApp } from '../../../../test/support/nest-test-app';
import { api, publishKeyTo, withKey } from '../../../../test/support/test-credentials';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import { TOPICS, type IncidentIntegrationEventV1, type SeverityV1 } from '@fireline/contracts';
import { SERVICE_BODY_LIMIT_BYTES } from '@fireline/http';
import { MESSAGE_TRANSPORT, type MessageTransport } from '@fireline/messaging';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/test-database';
import type { NotificationServiceConfig } from '../config/notification-service.config';
import { NotificationServiceModule } from '../notification-service.module';
import { renderDeliveryPayload } from './channels/outbound-request';
import type { SlackMessage } from './channels/slack.channel';
import { verifyFirelineSignature } from './channels/webhook-signature';
import type { DeliveryPageView, DeliveryView } from './projections/delivery.view';
import type { NotificationRuleView } from './projections/notification-rule.view';
import { eventually } from '../../../../test/support/eventually';
import { anIncidentDeclared, anIncidentNoteAdded, anIncidentStatusChanged } from './testing/incident-event.factory';
import { startLocalHttpReceiver, type LocalHttpReceiver, type Responder } from '../../../../test/support/local-http-receiver';
import { TEST_DELIVERY_CONFIG } from '../../../../test/support/test-delivery-config';
import { TEST_ENCRYPTION_KEYS, TEST_OUTBOUND_POLICY } from '../../../../test/support/test-secrets';

const MAX_ATTEMPTS = 3;

function testConfig(url: string): NotificationServiceConfig {
  return {
    database: { url, poolSize: 10, migrationsRun: true },
    outbound: TEST_OUTBOUND_POLICY,
    encryption: TEST_ENCRYPTION_KEYS,
    delivery: {
      ...TEST_DELIVERY_CONFIG,
      maxAttempts: MAX_ATTEMPTS,
      // These tests count attempts against failing receivers; the breaker has its own (channels/delivery-worker.int-spec.ts).
      circuitBreaker: { failureThreshold: 1_000, halfOpenAfterMs: 1_000 },
    },
  };
}

describe(NotificationServiceModule.name, () => {
  let db: TestDatabase;
  let app: NestFastifyApplication;
  let transport: MessageTransport;
  const receivers: LocalHttpReceiver[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('notification_int');
    app = await createServiceTestApp(NotificationServiceModule.register(testConfig(db.url)), SERVICE_BODY_LIMIT_BYTES);
    transport = app.get<MessageTransport>(MESSAGE_TRANSPORT);
  });

  afterAll(async () => {
    await app?.close();
    await Promise.allSettled(receivers.map((r) => r.close()));
    await db?.drop();
  });

  const http = () => api(app);

  async function receiver(respond?: Responder): Promise<LocalHttpReceiver> {
    const r = await startLocalHttpReceiver(respond);
    receivers.push(r);
    return r;
  }

  /** A service name no other test uses, so that rules of other tests never match this test's events. */
  const aService = () => `svc-${randomUUID()}`;

  async function createWebhookRule(url: string, service: string, extra: Record<string, unknown> = {}): Promise<NotificationRuleView> {
    const response = await http()
      .post('/v1/notification-rules')
      .send({ name: 'on-call webhook', match: { services: [service] }, channel: { type: 'webhook', url }, ...extra })
      .expect(201);
    return response.body as NotificationRuleView;
  }

  async function publish(...events: IncidentIntegrationEventV1[]): Promise<void> {
    await transport.publish(TOPICS.incidents, events);
  }

  async function deliveriesOf(ruleId: string): Promise<DeliveryView[]> {
    const response = await http().get('/v1/deliveries').query({ ruleId }).expect(200);
    return (response.body as DeliveryPageView).items;
  }

  async function deliveredOnce(ruleId: string, status: DeliveryView['status']): Promise<DeliveryView> {
    return eventually(async () => {
      const items = await deliveriesOf(ruleId);
      expect(items).toHaveLength(1);
      expect(items[0].status).toBe(status);
      return items[0];
    });
  }

  describe('notification rules API', () => {
    it('returns a generated webhook secret once and only a preview afterwards', async () => {
      const created = await createWebhookRule('https://hooks.example.com/fireline', aService());

      expect(created.channel).toMatchObject({ type: 'webhook', url: 'https://hooks.example.com/fireline' });
      const secret = (created.channel as { secret?: string }).secret;
      expect(secret).toMatch(/^whsec_[0-9a-f]{64}$/);
      expect(created.channel).toMatchObject({ secretPreview: `…${secret!.slice(-4)}` });
      expect(created.enabled).toBe(true);

      const fetched = (await http().get(`/v1/notification-rules/${created.id}`).expect(200)).body as NotificationRuleView;
      expect(fetched.channel).toEqual({ type: 'webhook', url: 'https://hooks.example.com/fireline', secretPreview: `…${secret!.slice(-4)}` });
      const listed = (await http().get('/v1/notification-rules').expect(200)).body as { items: NotificationRuleView[] };
      expect(JSON.stringify(listed)).not.toContain(secret);
      expect(listed.items.map((r) => r.id)).toContain(created.id);
    });

    it('keeps a client-given secret without echoing it', async () => {
      const response = await http()
        .post('/v1/notification-rules')
        .send({ name: 'own secret', match: { services: [aService()] }, channel: { type: 'webhook', url: 'http://127.0.0.1:9/x', secret: 'my-own-secret-of-16+chars' } })
        .expect(201);
      expect(response.body.channel).toEqual({ type: 'webhook', url: 'http://127.0.0.1:9/x', secretPreview: '…hars' });
    });

    it('updates, disables and deletes a rule', async () => {
      const created = await createWebhookRule('https://hooks.example.com/a', aService());
      const patched = (
        await http()
          .patch(`/v1/notification-rules/${created.id}`)
          .send({ name: 'renamed', enabled: false, match: { severities: ['SEV1'] }, channel: { type: 'slack', webhookUrl: 'https://hooks.slack.com/services/T0/B0/abcdefghijklmnopqrstuvwx' } })
          .expect(200)
      ).body as NotificationRuleView;
      expect(patched).toMatchObject({
        name: 'renamed',
        enabled: false,
        match: { severities: ['SEV1'], services: [], eventTypes: [] },
        // The URL is the credential: reads show its token masked.
        channel: { type: 'slack', webhookUrl: 'https://hooks.slack.com/services/T0/B0/…uvwx' },
      });

      await http().delete(`/v1/notification-rules/${created.id}`).expect(204);
      await http().get(`/v1/notification-rules/${created.id}`).expect(404);
      await http().delete(`/v1/notification-rules/${created.id}`).expect(404);
      const listed = (await http().get('/v1/notification-rules').expect(200)).body as { items: NotificationRuleView[] };
      expect(listed.items.map((r) => r.id)).not.toContain(created.id);
    });

    it.each([
      ['a missing name and channel', {}, ['name', 'channel']],
      ['a non-http URL', { name: 'x', channel: { type: 'webhook', url: 'ftp://example.com/hook' } }, ['channel.url']],
      ['an unknown channel type', { name: 'x', channel: { type: 'email', to: 'a@b.c' } }, ['channel.type', 'channel.to']],
      ['a Slack channel without webhookUrl', { name: 'x', channel: { type: 'slack', url: 'https://x.example' } }, ['channel.webhookUrl', 'channel.url']],
      ['an unknown severity', { name: 'x', match: { severities: ['SEV0'] }, channel: { type: 'slack', webhookUrl: 'https://x.example' } }, ['match.severities']],
      ['an unknown event type', { name: 'x', match: { eventTypes: ['IncidentExploded'] }, channel: { type: 'slack', webhookUrl: 'https://x.example' } }, ['match.eventTypes']],
      ['an unknown event kind', { name: 'x', match: { kinds: ['chatter'] }, channel: { type: 'slack', webhookUrl: 'https://x.example' } }, ['match.kinds']],
      ['a short secret', { name: 'x', channel: { type: 'webhook', url: 'https://x.example', secret: 'short' } }, ['channel.secret']],
      ['an unknown field', { name: 'x', colour: 'red', channel: { type: 'slack', webhookUrl: 'https://x.example' } }, ['colour']],
      ['a non-object channel', { name: 'x', channel: 'slack' }, ['channel']],
    ])('rejects %s with 400 problem+json naming the fields', async (_case, body, fields) => {
      const response = await http().post('/v1/notification-rules').send(body).expect(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body).toMatchObject({ status: 400, code: 'REQUEST.INVALID' });
      const named = (response.body.errors as { field: string }[]).map((e) => e.field);
      for (const field of fields) expect(named).toContain(field);
    });

    it('rejects malformed JSON, bad ids and bad patches with 4xx problem+json, never 500', async () => {
      const malformed = await http().post('/v1/notification-rules').set('content-type', 'application/json').send('{"name":');
      expect(malformed.status).toBe(400);
      expect(malformed.headers['content-type']).toMatch(/^application\/problem\+json/);

      const badId = await http().get('/v1/notification-rules/not-a-uuid').expect(400);
      expect(badId.body).toMatchObject({ code: 'REQUEST.INVALID_ID' });

      const missing = await http().get(`/v1/notification-rules/${randomUUID()}`).expect(404);
      expect(missing.body).toMatchObject({ code: 'NOTIFICATION_RULE.NOT_FOUND' });

      const created = await createWebhookRule('https://hooks.example.com/b', aService());
      const badPatch = await http().patch(`/v1/notification-rules/${created.id}`).send({ enabled: 'yes', channel: { type: 'webhook', url: 'javascript:alert(1)' } }).expect(400);
      expect((badPatch.body.errors as { field: string }[]).map((e) => e.field)).toEqual(expect.arrayContaining(['enabled', 'channel.url']));

      await http().get('/v1/deliveries').query({ status: 'lost', limit: '0' }).expect(400);
      const badCursor = await http().get('/v1/deliveries').query({ cursor: 'bm9wZQ' }).expect(400);
      expect(badCursor.body).toMatchObject({ code: 'REQUEST.INVALID_CURSOR' });
      await http().get(`/v1/deliveries/${randomUUID()}`).expect(404);
      await http().post(`/v1/deliveries/${randomUUID()}/retry`).expect(404);
    });
  });

  describe('webhook deliveries', () => {
    it('delivers one signed webhook per rule and event, even when the event is published again', async () => {
      const hook = await receiver();
      const service = aService();
      const rule = await createWebhookRule(hook.url, service);
      const secret = (rule.channel as { secret: string }).secret;
      const event = anIncidentDeclared({ severity: 'SEV1', services: [service] });

      await publish(event);
      await publish(event);

      const delivery = await deliveredOnce(rule.id, 'delivered');
      expect(hook.requests).toHaveLength(1);
      const [received] = hook.requests;
      expect(received.method).toBe('POST');
      expect(received.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(received.headers['fireline-delivery-id']).toBe(delivery.id);
      expect(received.headers['fireline-timestamp']).toMatch(/^\d+$/);
      expect(verifyFirelineSignature(secret, received.rawBody, received.headers, 300)).toBe(true);
      expect(verifyFirelineSignature(secret, Buffer.concat([received.rawBody, Buffer.from(' ')]), received.headers, 300)).toBe(false);
      expect(JSON.parse(received.rawBody.toString('utf8'))).toEqual({ deliveryId: delivery.id, event });

      expect(delivery).toMatchObject({ eventId: event.eventId, incidentId: event.data.incidentId, eventType: 'IncidentDeclared', attemptCount: 1, lastError: null });
      expect(delivery.attempts).toEqual([expect.objectContaining({ attemptNo: 1, httpStatus: 200, error: null, responseExcerpt: 'ok' })]);

      const detail = (await http().get(`/v1/deliveries/${delivery.id}`).expect(200)).body as DeliveryView;
      expect(detail.payload).toEqual({ deliveryId: delivery.id, event });
    });

    it('retries failures with the same delivery id and delivers on attempt 3', async () => {
      const hook = await receiver((_req, n) => (n <= 2 ? { status: n === 1 ? 503 : 500, body: 'busy' } : { status: 204 }));
      const service = aService();
      const rule = await createWebhookRule(hook.url, service);

      await publish(anIncidentDeclared({ services: [service] }));

      const delivery = await deliveredOnce(rule.id, 'delivered');
      expect(delivery.attemptCount).toBe(3);
      expect(delivery.attempts.map((a) => [a.attemptNo, a.httpStatus, a.error])).toEqual([
        [3, 204, null],
        [2, 500, 'HTTP 500'],
        [1, 503, 'HTTP 503'],
      ]);
      expect(delivery.attempts[1].responseExcerpt).toBe('busy');
      expect(new Set(hook.requests.map((r) => r.headers['fireline-delivery-id']))).toEqual(new Set([delivery.id]));
      expect(new Set(hook.requests.map((r) => r.rawBody.toString('hex'))).size).toBe(1);
    });

    it('honours Retry-After on 429', async () => {
      const hook = await receiver((_req, n) => (n === 1 ? { status: 429, headers: { 'retry-after': '0' } } : { status: 200 }));
      const service = aService();
      const rule = await createWebhookRule(hook.url, service);

      await publish(anIncidentDeclared({ services: [service] }));

      const delivery = await deliveredOnce(rule.id, 'delivered');
      expect(delivery.attempts.map((a) => a.httpStatus)).toEqual([200, 429]);
    });

    it('dead-letters after maxAttempts against an always-failing receiver, and a manual retry re-queues it', async () => {
      let healthy = false;
      const hook = await receiver(() => (healthy ? { status: 200 } : { status: 500, body: 'boom' }));
      const service = aService();
      const rule = await createWebhookRule(hook.url, service);

      await publish(anIncidentDeclared({ services: [service] }));

      const dead = await deliveredOnce(rule.id, 'dead_lettered');
      expect(dead.attemptCount).toBe(MAX_ATTEMPTS);
      expect(dead.attempts).toHaveLength(MAX_ATTEMPTS);
      expect(dead.lastError).toBe(`HTTP 500 (gave up after ${MAX_ATTEMPTS} attempts)`);
      expect(dead.deadLetteredAt).not.toBeNull();
      expect(hook.requests).toHaveLength(MAX_ATTEMPTS);
      const listed = (await http().get('/v1/deliveries').query({ status: 'dead_lettered', ruleId: rule.id }).expect(200)).body as DeliveryPageView;
      expect(listed.items.map((d) => d.id)).toEqual([dead.id]);

      healthy = true;
      const first = await http().post(`/v1/deliveries/${dead.id}/retry`).expect(202);
      expect(['pending', 'sending', 'delivered']).toContain(first.body.status);
      await http().post(`/v1/deliveries/${dead.id}/retry`).expect((res) => expect([202, 409]).toContain(res.status));

      const delivered = await deliveredOnce(rule.id, 'delivered');
      expect(delivered.attemptCount).toBe(MAX_ATTEMPTS + 1);
      expect(delivered.attempts[0]).toMatchObject({ attemptNo: MAX_ATTEMPTS + 1, httpStatus: 200 });
      expect(hook.requests).toHaveLength(MAX_ATTEMPTS + 1);

      const again = await http().post(`/v1/deliveries/${dead.id}/retry`).expect(409);
      expect(again.body).toMatchObject({ code: 'DELIVERY.ALREADY_DELIVERED' });
    });

    it('dead-letters at once when the receiver answers 400', async () => {
      const hook = await receiver(() => ({ status: 400, body: '{"error":"unknown payload"}' }));
      const service = aService();
      const rule = await createWebhookRule(hook.url, service);

      await publish(anIncidentDeclared({ services: [service] }));

      const dead = await deliveredOnce(rule.id, 'dead_lettered');
      expect(dead.attemptCount).toBe(1);
      expect(dead.attempts).toEqual([expect.objectContaining({ attemptNo: 1, httpStatus: 400, responseExcerpt: '{"error":"unknown payload"}' })]);
      expect(dead.lastError).toBe('HTTP 400 (permanent failure, not retried)');
      expect(hook.requests).toHaveLength(1);
    });

    it('records network errors and keeps retrying them', async () => {
      const gone = await receiver();
      await gone.close();
      const service = aService();
      const rule = await createWebhookRule(gone.url, service);

      await publish(anIncidentDeclared({ services: [service] }));

      const dead = await deliveredOnce(rule.id, 'dead_lettered');
      expect(dead.attempts).toHaveLength(MAX_ATTEMPTS);
      expect(dead.attempts[0].httpStatus).toBeNull();
      expect(dead.attempts[0].error).toMatch(/^network error: .*ECONNREFUSED/);
    });

    it('re-queues a delivery whose sending lease expired (a worker crashed mid-send)', async () => {
      const hook = await receiver();
      const service = aService();
      const rule = await createWebhookRule(hook.url, service);
      const event = anIncidentDeclared({ services: [service] });
      const id = randomUUID();
      await db.pool.query(
        `INSERT INTO deliveries (id, rule_id, event_id, event_type, incident_id, channel_type, target_url, target_origin, payload, status, attempt_count, next_attempt_at, lease_expires_at)
         VALUES ($1, $2, $3, $4, $5, 'webhook', $6, $7, $8, 'sending', 1, now(), now() - interval '1 second')`,
        [id, rule.id, event.eventId, event.type, event.data.incidentId, hook.url, new URL(hook.url).origin, renderDeliveryPayload('webhook', id, event)],
      );

      const delivery = await deliveredOnce(rule.id, 'delivered');
      expect(delivery.id).toBe(id);
      expect(delivery.attemptCount).toBe(2);
      expect(delivery.attempts.map((a) => a.attemptNo)).toEqual([2]);
      expect(hook.requests[0].headers['fireline-delivery-id']).toBe(id);
    });
  });

  describe('bulk retry of a rule’s dead letters', () => {
    interface DeadLetterRetry {
      ruleId: string;
      requeued: number;
      deliveryIds: string[];
      remaining: number;
    }

    const retryDeadLetters = (ruleId: string, query: Record<string, unknown> = {}) => http().post(`/v1/notification-rules/${ruleId}/dead-letters/retry`).query(query);

    /** A rule whose receiver fails until `recover()`, with `n` events' deliveries dead-lettered (oldest first). */
    async function ruleWithDeadLetters(n: number) {
      let healthy = false;
      const hook = await receiver(() => (healthy ? { status: 200 } : { status: 503 }));
      const service = aService();
      const rule = await createWebhookRule(hook.url, service);
      await publish(...Array.from({ length: n }, () => anIncidentDeclared({ services: [service] })));
      const dead = await eventually(async () => {
        const items = await deliveriesOf(rule.id);
        expect(items.map((d) => d.status)).toEqual(Array(n).fill('dead_lettered'));
        return items.reverse();
      });
      return { rule, hook, dead, recover: () => (healthy = true) };
    }

    it('re-queues dead letters oldest first, a bounded number per call, each once under its own delivery id', async () => {
      const { rule, hook, dead, recover } = await ruleWithDeadLetters(3);
      const other = await ruleWithDeadLetters(1);
      recover();

      const first = (await retryDeadLetters(rule.id, { limit: 2 }).expect(202)).body as DeadLetterRetry;
      expect(first).toEqual({ ruleId: rule.id, requeued: 2, deliveryIds: [dead[0].id, dead[1].id], remaining: 1 });
      const second = (await retryDeadLetters(rule.id).expect(202)).body as DeadLetterRetry;
      expect(second).toEqual({ ruleId: rule.id, requeued: 1, deliveryIds: [dead[2].id], remaining: 0 });
      const repeat = (await retryDeadLetters(rule.id).expect(202)).body as DeadLetterRetry;
      expect(repeat).toEqual({ ruleId: rule.id, requeued: 0, deliveryIds: [], remaining: 0 });

      await eventually(async () => expect((await deliveriesOf(rule.id)).map((d) => d.status)).toEqual(['delivered', 'delivered', 'delivered']));
      const delivered = await deliveriesOf(rule.id);
      // A new round of attempts after the first round's three.
      expect(delivered.map((d) => d.attemptCount)).toEqual([MAX_ATTEMPTS + 1, MAX_ATTEMPTS + 1, MAX_ATTEMPTS + 1]);
      const accepted = hook.requests.slice(-3).map((r) => r.headers['fireline-delivery-id']);
      expect(new Set(accepted)).toEqual(new Set(dead.map((d) => d.id)));
      expect(hook.requests).toHaveLength(3 * (MAX_ATTEMPTS + 1));
      // Another rule's dead letters are left alone.
      expect((await deliveriesOf(other.rule.id)).map((d) => d.status)).toEqual(['dead_lettered']);
    });

    it('re-queues each dead letter once when two bulk retries race', async () => {
      const { rule, dead, recover } = await ruleWithDeadLetters(4);
      recover();
      const [a, b] = (await Promise.all([retryDeadLetters(rule.id).expect(202), retryDeadLetters(rule.id).expect(202)])).map((r) => r.body as DeadLetterRetry);
      expect([...a.deliveryIds, ...b.deliveryIds].sort()).toEqual(dead.map((d) => d.id).sort());
      await eventually(async () => expect((await deliveriesOf(rule.id)).every((d) => d.status === 'delivered' && d.attemptCount === MAX_ATTEMPTS + 1)).toBe(true));
    });

    it('answers 404 for an unknown or deleted rule and 400 for a bad limit, as problem+json', async () => {
      const unknown = await retryDeadLetters(randomUUID()).expect(404);
      expect(unknown.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(unknown.body).toMatchObject({ code: 'NOTIFICATION_RULE.NOT_FOUND' });

      const deleted = await createWebhookRule('https://hooks.example.com/deleted', aService());
      await http().delete(`/v1/notification-rules/${deleted.id}`).expect(204);
      await retryDeadLetters(deleted.id).expect(404);

      const rule = await createWebhookRule('https://hooks.example.com/limits', aService());
      for (const limit of ['0', '1001', 'all', '1.5']) {
        const bad = await retryDeadLetters(rule.id, { limit }).expect(400);
        expect(bad.body).toMatchObject({ code: 'REQUEST.INVALID' });
        expect((bad.body.errors as { field: string }[]).map((e) => e.field)).toContain('limit');
      }
      await http().post('/v1/notification-rules/not-a-uuid/dead-letters/retry').expect(400);
    });
  });

  describe('rule matching', () => {
    it('queues nothing for a rule whose severity filter does not match', async () => {
      const hook = await receiver();
      const service = aService();
      const rule = await createWebhookRule(hook.url, service, { match: { services: [service], severities: ['SEV1'] satisfies SeverityV1[] } });

      await publish(anIncidentDeclared({ severity: 'SEV3', services: [service] }));

      // publish resolves once the consumer has committed, so the queue is final here.
      expect(await deliveriesOf(rule.id)).toEqual([]);
      const { rows } = await db.pool.query('SELECT count(*)::int AS n FROM inbox WHERE consumer = $1', ['notification-service.notify']);
      expect(rows[0].n).toBeGreaterThan(0);
    });

    it('queues nothing for disabled or deleted rules and filters on event type', async () => {
      const hook = await receiver();
      const service = aService();
      const disabled = await createWebhookRule(hook.url, service, { enabled: false });
      const deleted = await createWebhookRule(hook.url, service);
      await http().delete(`/v1/notification-rules/${deleted.id}`).expect(204);
      const declaredOnly = await createWebhookRule(hook.url, service, { match: { services: [service], eventTypes: ['IncidentDeclared'] } });

      await publish(anIncidentStatusChanged({ services: [service] }));

      expect(await deliveriesOf(disabled.id)).toEqual([]);
      expect(await deliveriesOf(deleted.id)).toEqual([]);
      expect(await deliveriesOf(declaredOnly.id)).toEqual([]);
    });

    it('lets a rule leave out alert churn by event kind, and still notifies people\'s notes', async () => {
      const hook = await receiver();
      const service = aService();
      const lifecycleOnly = await createWebhookRule(hook.url, service, { match: { services: [service], kinds: ['lifecycle'] } });
      const everything = await createWebhookRule(hook.url, service);
      expect(lifecycleOnly).toMatchObject({ match: { kinds: ['lifecycle'] } });

      await publish(anIncidentNoteAdded({ services: [service] }, 'alert_churn'));
      await publish(anIncidentNoteAdded({ services: [service] }));

      expect((await deliveriesOf(lifecycleOnly.id)).map((d) => d.eventType)).toEqual(['IncidentNoteAdded']);
      expect(await deliveriesOf(everything.id)).toHaveLength(2);
    });

    it('acknowledges events it does not understand', async () => {
      const service = aService();
      const event = { ...anIncidentDeclared({ services: [service] }), type: 'IncidentTeleported' } as unknown as IncidentIntegrationEventV1;
      await publish(event);
      const { rows } = await db.pool.query('SELECT count(*)::int AS n FROM dead_letters WHERE event_id = $1', [event.eventId]);
      expect(rows[0].n).toBe(0);
    });
  });

  describe('Slack deliveries', () => {
    it('posts a { text, blocks } incoming-webhook body', async () => {
      const slack = await startLocalHttpReceiver(() => ({ status: 200, body: 'ok' }), '/services/T000/B000/XXXX');
      receivers.push(slack);
      const service = aService();
      const rule = (
        await http()
          .post('/v1/notification-rules')
          .send({ name: '#incidents', match: { services: [service] }, channel: { type: 'slack', webhookUrl: slack.url } })
          .expect(201)
      ).body as NotificationRuleView;
      expect(rule.channel).toEqual({ type: 'slack', webhookUrl: slack.url });

      await publish(anIncidentDeclared({ title: 'Payments <down> & out', severity: 'SEV1', status: 'investigating', services: [service] }));

      await deliveredOnce(rule.id, 'delivered');
      expect(slack.requests).toHaveLength(1);
      const [received] = slack.requests;
      expect(received.path).toBe('/services/T000/B000/XXXX');
      expect(received.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(received.headers['fireline-signature']).toBeUndefined();
      const body = JSON.parse(received.rawBody.toString('utf8')) as SlackMessage;
      expect(body.text).toBe(`:red_circle: [SEV1] Incident declared: Payments &lt;down&gt; &amp; out (status: investigating; services: ${service})`);
      expect(body.blocks.map((b) => b.type)).toEqual(['section', 'section', 'context']);
      expect(body.blocks[0]).toMatchObject({ type: 'section', text: { type: 'mrkdwn', text: expect.stringContaining('*SEV1 · Incident declared*') } });
    });
  });

  describe('delivery log', () => {
    it('shows the receiver’s response excerpt only to notifications:admin; a reader gets status and timing', async () => {
      const hook = await receiver(() => ({ status: 500, body: 'internal: db password is hunter2' }));
      const service = aService();
      const rule = await createWebhookRule(hook.url, service);
      await publish(anIncidentDeclared({ services: [service] }));
      const dead = await deliveredOnce(rule.id, 'dead_lettered');
      expect(dead.attempts[0]!.responseExcerpt).toBe('internal: db password is hunter2');

      const reader = withKey(app.getHttpServer(), (await publishKeyTo(app, { role: 'viewer' })).key);
      for (const answer of [await reader.get(`/v1/deliveries/${dead.id}`), (await reader.get('/v1/deliveries').query({ ruleId: rule.id })).body.items[0]]) {
        const attempts = ('body' in answer ? answer.body : answer).attempts as Record<string, unknown>[];
        expect(attempts).toHaveLength(MAX_ATTEMPTS);
        for (const attempt of attempts) {
          expect(attempt).not.toHaveProperty('responseExcerpt');
          expect(attempt).toMatchObject({ httpStatus: 500, error: expect.stringMatching(/^HTTP 500/), durationMs: expect.any(Number), startedAt: expect.any(String) });
        }
      }
      expect(JSON.stringify((await reader.get(`/v1/deliveries/${dead.id}`)).body)).not.toContain('hunter2');
    });

    it('lists an incident’s deliveries newest first, one page at a time', async () => {
      const hook = await receiver();
      const service = aService();
      const rule = await createWebhookRule(hook.url, service);
      const declared = anIncidentDeclared({ services: [service] });
      const incident = declared.data.incident;
      const changed = [anIncidentStatusChanged({ ...incident, status: 'identified' }), anIncidentStatusChanged({ ...incident, status: 'mitigating' })];
      await publish(declared, ...changed);

      const first = (await http().get('/v1/deliveries').query({ incidentId: incident.id, limit: 2 }).expect(200)).body as DeliveryPageView;
      expect(first.items.map((d) => d.eventId)).toEqual([changed[1].eventId, changed[0].eventId]);
      expect(first.nextCursor).toEqual(expect.any(String));
      const second = (await http().get('/v1/deliveries').query({ incidentId: incident.id, limit: 2, cursor: first.nextCursor }).expect(200)).body as DeliveryPageView;
      expect(second.items.map((d) => d.eventId)).toEqual([declared.eventId]);
      expect(second.nextCursor).toBeNull();
      expect(new Set([...first.items, ...second.items].map((d) => d.ruleId))).toEqual(new Set([rule.id]));

      await eventually(async () => expect(hook.requests).toHaveLength(3));
    });
  });
});
