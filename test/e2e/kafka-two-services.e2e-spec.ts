import type { DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { TOPICS } from '@fireline/contracts';
import { configureHttpApp, createFastifyAdapter, SERVICE_BODY_LIMIT_BYTES } from '@fireline/http';
import type { MessagingConfig } from '@fireline/messaging';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { AppModule as IncidentServiceAppModule } from '../../apps/incident-service/src/app.module';
import { AppModule as NotificationServiceAppModule } from '../../apps/notification-service/src/app.module';
import { verifyFirelineSignature } from '../../apps/notification-service/src/notifications/channels/webhook-signature';
import { NotifySubscribersWhenIncidentEventReactor } from '../../apps/notification-service/src/notifications/reactors/notify-subscribers-when-incident-event.reactor';
import { KafkaTestBroker } from '../kafka-broker/kafka-test-broker';
import { eventually } from '../support/eventually';
import { startLocalHttpReceiver, type LocalHttpReceiver } from '../support/local-http-receiver';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { TEST_DELIVERY_CONFIG } from '../support/test-delivery-config';
import { TEST_ENCRYPTION_KEYS, TEST_OUTBOUND_POLICY } from '../support/test-secrets';
import { issueKeyIn, revokeKeyIn, TEST_AUTH_CONFIG, withKey, type AuthedAgent } from '../support/test-credentials';

jest.setTimeout(90_000);

/**
 * incident-service and notification-service as two Nest apps in this process, sharing nothing but a
 * Kafka broker (the in-memory test broker): each has its own database and its own `KafkaTransport`.
 */
describe('incident-service and notification-service over Kafka (e2e)', () => {
  let broker: KafkaTestBroker;
  const brokerLog: string[] = [];
  let incidentDb: TestDatabase;
  let notificationDb: TestDatabase;
  let incidentApp: NestFastifyApplication | undefined;
  let notificationApp: NestFastifyApplication | undefined;
  let webhook: LocalHttpReceiver;
  /** incident-service's admin key: issued there, replicated to notification-service over Kafka. */
  let adminKey = '';
  const incidents = (): AuthedAgent => withKey(incidentApp!.getHttpServer(), adminKey);
  const notifications = (): AuthedAgent => withKey(notificationApp!.getHttpServer(), adminKey);

  /** What `MESSAGING_TRANSPORT=kafka` and `KAFKA_BROKERS` give, with timings short enough for a test. */
  const kafka = (clientId: string): MessagingConfig => ({
    transport: 'kafka',
    kafka: {
      clientId,
      brokers: [broker.bootstrapAddress],
      topics: { numPartitions: 3, replicationFactor: 1 },
      logLevel: 'error',
      consumer: { sessionTimeoutMs: 6_000, rebalanceTimeoutMs: 6_000, heartbeatIntervalMs: 100, maxWaitTimeMs: 100 },
      consumerRetry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 50 },
      shutdownTimeoutMs: 5_000,
    },
  });

  async function boot(module: DynamicModule): Promise<NestFastifyApplication> {
    const app = await NestFactory.create<NestFastifyApplication>(module, createFastifyAdapter({ bodyLimitBytes: SERVICE_BODY_LIMIT_BYTES }), { logger: ['error'] });
    configureHttpApp(app);
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    return app;
  }

  const bootNotificationApp = () =>
    boot(
      NotificationServiceAppModule.register({
        service: {
          database: { url: notificationDb.url, poolSize: 5, migrationsRun: true },
          delivery: { ...TEST_DELIVERY_CONFIG, concurrency: 2 },
          outbound: TEST_OUTBOUND_POLICY,
          encryption: TEST_ENCRYPTION_KEYS,
        },
        messaging: kafka('notification-service'),
        auth: TEST_AUTH_CONFIG,
      }),
    );

  beforeAll(async () => {
    broker = new KafkaTestBroker({ log: (line) => brokerLog.push(line) });
    await broker.start();
    [incidentDb, notificationDb] = await Promise.all([createTestDatabase('e2e_kafka_incident', 2), createTestDatabase('e2e_kafka_notification', 2)]);
    webhook = await startLocalHttpReceiver();
    incidentApp = await boot(
      IncidentServiceAppModule.register({
        service: { database: { url: incidentDb.url, poolSize: 5, migrationsRun: true }, projections: { pollIntervalMs: 20 }, encryption: TEST_ENCRYPTION_KEYS },
        messaging: kafka('incident-service'),
        auth: TEST_AUTH_CONFIG,
      }),
    );
    notificationApp = await bootNotificationApp();
    adminKey = (await issueKeyIn(incidentApp)).key;
    await eventually(async () => expect((await notifications().get('/v1/deliveries?limit=1')).status).toBe(200), 30_000);
  });

  afterAll(async () => {
    await notificationApp?.close();
    await incidentApp?.close();
    await webhook?.close();
    await broker?.stop();
    await Promise.allSettled([incidentDb?.drop(), notificationDb?.drop()]);
  });

  const declare = (service: string, title: string) =>
    incidents().post('/v1/incidents').send({ title, severity: 'SEV2', services: [service] }).expect(201);

  const requestsAbout = (incidentId: string) => webhook.requests.filter((received) => received.rawBody.toString('utf8').includes(incidentId));

  const publishedIncidentEvents = () => broker.highWatermarks(TOPICS.incidents).reduce((sum, high) => sum + high, 0);

  it('delivers an incident declared on one service through Kafka, and a restarted consumer resumes from its committed offset', async () => {
    const service = `payments-${randomUUID().slice(0, 8)}`;
    const rule = await notifications()
      .post('/v1/notification-rules')
      .send({ name: 'on-call', match: { services: [service] }, channel: { type: 'webhook', url: webhook.url } })
      .expect(201);
    const secret = rule.body.channel.secret as string;

    const first = (await declare(service, 'Payments API 5xx')).body.id as string;
    await eventually(() => expect(requestsAbout(first)).toHaveLength(1), 30_000);
    expect(webhook.requests).toHaveLength(1);
    expect(verifyFirelineSignature(secret, webhook.requests[0]!.rawBody, webhook.requests[0]!.headers, 300)).toBe(true);
    await eventually(
      () => expect(broker.committedOffsets(NotifySubscribersWhenIncidentEventReactor.consumer).reduce((sum, c) => sum + c.offset, 0)).toBe(publishedIncidentEvents()),
      10_000,
    );

    await notificationApp!.close();
    notificationApp = undefined;
    const second = (await declare(service, 'Payments API 5xx again')).body.id as string;
    await eventually(() => expect(publishedIncidentEvents()).toBe(2), 15_000);
    expect(webhook.requests).toHaveLength(1);

    notificationApp = await bootNotificationApp();
    await eventually(() => expect(requestsAbout(second)).toHaveLength(1), 30_000);
    expect(verifyFirelineSignature(secret, webhook.requests[1]!.rawBody, webhook.requests[1]!.headers, 300)).toBe(true);
    const deliveries = await notifications().get('/v1/deliveries').query({ ruleId: rule.body.id }).expect(200);
    expect(deliveries.body.items).toHaveLength(2);
    expect(requestsAbout(first)).toHaveLength(1);
    expect(webhook.requests).toHaveLength(2);
    expect(broker.refusals).toEqual([]);
    expect(brokerLog).toEqual([]);
  });

  it('reports Kafka consumer lag, relay backlog and dead-letter topics in /health/ready and /metrics', async () => {
    const incidentStatus = await eventually(async () => {
      const ready = await request(incidentApp!.getHttpServer()).get('/health/ready').expect(200);
      expect(ready.body.services[0].relayBacklog).toBe(0);
      return ready.body as { transport: { transport: string; up: boolean } };
    }, 10_000);
    expect(incidentStatus.transport).toMatchObject({ transport: 'kafka', up: true });

    const group = NotifySubscribersWhenIncidentEventReactor.consumer;
    const notificationStatus = await eventually(async () => {
      const ready = await request(notificationApp!.getHttpServer()).get('/health/ready').expect(200);
      const lag = ready.body.transport.consumerLag as { groupId: string; lag: number; highWatermark: number }[];
      expect(lag.length).toBeGreaterThan(0);
      const incidentLag = lag.filter((partition) => partition.groupId === group);
      expect(incidentLag.length).toBeGreaterThan(0);
      expect(lag.every((partition) => partition.lag === 0)).toBe(true);
      return ready.body as { transport: { deadLetterTopics: { topic: string; messages: number }[] } };
    }, 10_000);
    expect(notificationStatus.transport.deadLetterTopics).toEqual(
      expect.arrayContaining([
        { topic: `${TOPICS.incidents}.dlq`, messages: 0 },
        { topic: `${TOPICS.access}.dlq`, messages: 0 },
      ]),
    );

    const metrics = (await request(notificationApp!.getHttpServer()).get('/metrics').expect(200)).text;
    expect(metrics).toMatch(/^fireline_transport_up\{transport="kafka"\} 1$/m);
    expect(metrics).toMatch(new RegExp(`^fireline_kafka_consumer_lag_messages\\{group="${group}",topic="${TOPICS.incidents}",partition="0"\\} 0$`, 'm'));
    expect(metrics).toMatch(/^fireline_kafka_dlq_messages\{topic="fireline.incidents.v1.dlq"\} 0$/m);
    expect(metrics).toMatch(/^fireline_notification_deliveries\{service="notification-service",status="delivered"\} 2$/m);
  });

  it('replicates a key to notification-service over Kafka, and its revocation: refused by incident-service at once, by notification-service after the relay', async () => {
    const { key, keyId } = await issueKeyIn(incidentApp!, { role: 'viewer', name: 'replicated' });
    const issuedAt = Date.now();
    await eventually(async () => expect((await withKey(notificationApp!.getHttpServer(), key).get('/v1/deliveries?limit=1')).status).toBe(200), 30_000);
    const replicatedMs = Date.now() - issuedAt;

    await revokeKeyIn(incidentApp!, keyId);
    const revokedAt = Date.now();
    const owner = await withKey(incidentApp!.getHttpServer(), key).get('/v1/incidents?limit=1');
    expect(owner.status).toBe(401);
    expect(owner.body.code).toBe('AUTH.KEY_REVOKED');
    await eventually(async () => expect((await withKey(notificationApp!.getHttpServer(), key).get('/v1/deliveries?limit=1')).body.code).toBe('AUTH.KEY_REVOKED'), 30_000, 5);
    const revocationLagMs = Date.now() - revokedAt;
    process.stdout.write(`Kafka: key accepted by notification-service ${replicatedMs} ms after its issue; revocation effective there after ${revocationLagMs} ms (incident-service: at once)\n`);
  });
});
