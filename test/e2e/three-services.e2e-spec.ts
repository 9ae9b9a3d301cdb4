import { TOPICS } from '@fireline/contracts';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { issueKeyInDatabase, withKey } from '../support/test-credentials';
import { verifyFirelineSignature } from '../../apps/notification-service/src/notifications/channels/webhook-signature';
import { NotifySubscribersWhenIncidentEventReactor } from '../../apps/notification-service/src/notifications/reactors/notify-subscribers-when-incident-event.reactor';
import { INCIDENT_TIMELINE_CONSUMER } from '../../apps/postmortem-service/src/postmortems/messaging/incident-events.consumer';
import { KafkaTestBroker } from '../kafka-broker/kafka-test-broker';
import { eventually } from '../support/eventually';
import { startLocalHttpReceiver, type LocalHttpReceiver, type ReceivedRequest } from '../support/local-http-receiver';
import { freePort, ServiceProcess, stopAll, type FirelineService } from '../support/service-process';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { TEST_ENCRYPTION_ENV, TEST_OUTBOUND_ENV } from '../support/test-secrets';

jest.setTimeout(120_000);

const READY_PATH = '/health/ready';
/** Kafka's default group.min.session.timeout.ms, which the test broker enforces too. */
const SESSION_TIMEOUT_MS = 6_000;
/** Per-attempt HTTP timeout of the delivery worker. */
const DELIVERY_TIMEOUT_MS = 500;
/** How long a claim outlives a killed worker before another process resends it (default 2 × timeout + 10 s). */
const DELIVERY_LEASE_MS = 2_000;
const DELIVERY_CONCURRENCY = 4;

interface TimelineEntry {
  eventId: string;
  kind: string;
}

interface DeliveryRecord {
  id: string;
  ruleId: string;
  eventId: string;
  eventType: string;
  incidentId: string;
  status: string;
  attemptCount: number;
}

/** A webhook request as the receiver saw it: header and body ids. */
interface ReceivedDelivery {
  deliveryId: string;
  bodyDeliveryId: string;
  eventId: string;
  eventType: string;
  incidentId: string;
  request: ReceivedRequest;
}

/** `GET /health/ready` (libs/observability), the parts asserted here. */
interface ReadyBody {
  status: string;
  services: { name: string; relayBacklog: number; subscriptions: { name: string; behind: number }[]; deadLetters: { consumer: string; count: number }[] }[];
  transport: {
    transport: string;
    up: boolean;
    problems: string[];
    consumerLag: { groupId: string; topic: string; partition: number; lag: number }[];
    deadLetterTopics: { topic: string; messages: number }[];
    deadLetteredSinceStart: number;
  };
}

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a Prometheus text exposition (format 0.0.4); comments skipped. */
function parsePrometheus(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: \d+)?$/.exec(line);
      if (!match) throw new Error(`not a Prometheus sample: ${line}`);
      const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map(([, key, value]) => [key, value]));
      return { name: match[1], labels, value: Number(match[3]) };
    });
}

const groupId = (prefix: string, consumer: string) => `${prefix}${consumer}`;
const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

/**
 * incident-service, notification-service and postmortem-service as three OS processes started from
 * `dist/` (`node dist/apps/<service>/src/main.js`), configured by environment only, each with its own
 * database, joined by nothing but the Kafka test broker (TCP). notification-service and
 * postmortem-service are each killed with SIGKILL mid-stream and restarted with the same environment
 * (same consumer group).
 */
describe('three services as separate processes over Kafka (e2e)', () => {
  const testStartedAt = Date.now();
  const brokerLog: string[] = [];
  const broker = new KafkaTestBroker({ log: (line) => brokerLog.push(line) });
  const groupIdPrefix = `e2e-${randomUUID().slice(0, 8)}.`;
  const notifyGroup = groupId(groupIdPrefix, NotifySubscribersWhenIncidentEventReactor.consumer);
  const postmortemGroup = groupId(groupIdPrefix, INCIDENT_TIMELINE_CONSUMER);
  const databases: Partial<Record<FirelineService, TestDatabase>> = {};
  let incidentService: ServiceProcess | undefined;
  let notificationService: ServiceProcess | undefined;
  let postmortemService: ServiceProcess | undefined;
  let webhook: LocalHttpReceiver | undefined;
  /** Set by a test: the receiver SIGKILLs notification-service when it gets request number `at`. */
  let killOnRequest: { at: number; deliveryId?: string; receivedSoFar?: number } | null = null;
  let rule: { id: string; secret: string } | undefined;
  const incidentIds: string[] = [];
  const timings: Record<string, number | string> = {};

  /** An admin key issued into incident-service's database (as `npm run keys -- create` does), replicated over Kafka. */
  let adminKey = '';
  const incidents = () => withKey(incidentService!.baseUrl, adminKey);
  const notifications = () => withKey(notificationService!.baseUrl, adminKey);
  const postmortems = () => withKey(postmortemService!.baseUrl, adminKey);

  function kafkaEnv(clientId: string): Record<string, string> {
    return {
      MESSAGING_TRANSPORT: 'kafka',
      KAFKA_BROKERS: broker.bootstrapAddress,
      KAFKA_CLIENT_ID: clientId,
      KAFKA_GROUP_ID_PREFIX: groupIdPrefix,
      KAFKA_TOPIC_PARTITIONS: '3',
      KAFKA_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_SESSION_TIMEOUT_MS: String(SESSION_TIMEOUT_MS),
      KAFKA_HEARTBEAT_INTERVAL_MS: '300',
      KAFKA_REBALANCE_TIMEOUT_MS: String(SESSION_TIMEOUT_MS),
      KAFKA_MAX_WAIT_TIME_MS: '100',
      KAFKA_LOG_LEVEL: 'error',
    };
  }

  async function serviceProcess(service: FirelineService, env: Record<string, string>): Promise<ServiceProcess> {
    const port = await freePort();
    return new ServiceProcess({
      service,
      port,
      readyPath: READY_PATH,
      readyTimeoutMs: 30_000,
      env: { HOST: '127.0.0.1', PORT: String(port), DATABASE_MIGRATIONS_RUN: 'true', PROJECTION_POLL_INTERVAL_MS: '20', ...TEST_ENCRYPTION_ENV, ...kafkaEnv(service), ...env },
    });
  }

  /** The webhook requests, parsed; throws on one that is not a well-formed Fireline delivery. */
  function receivedDeliveries(): ReceivedDelivery[] {
    return webhook!.requests.map((received) => {
      const body = JSON.parse(received.rawBody.toString('utf8')) as { deliveryId: string; event: { eventId: string; type: string; data: { incidentId: string } } };
      return {
        deliveryId: String(received.headers['fireline-delivery-id']),
        bodyDeliveryId: body.deliveryId,
        eventId: body.event.eventId,
        eventType: body.event.type,
        incidentId: body.event.data.incidentId,
        request: received,
      };
    });
  }

  /** Every entry of the delivery log of `ruleId`, following `nextCursor`. */
  async function deliveryLog(ruleId: string): Promise<DeliveryRecord[]> {
    const all: DeliveryRecord[] = [];
    let cursor: string | null = null;
    do {
      const query: Record<string, string | number> = { ruleId, limit: 100, ...(cursor ? { cursor } : {}) };
      const page = await notifications().get('/v1/deliveries').query(query).expect(200);
      all.push(...(page.body.items as DeliveryRecord[]));
      cursor = page.body.nextCursor as string | null;
    } while (cursor);
    return all;
  }

  async function timelineOf(incidentId: string): Promise<TimelineEntry[]> {
    const response = await incidents().get(`/v1/incidents/${incidentId}/timeline`).expect(200);
    return response.body.items as TimelineEntry[];
  }

  /** Every incident event id of the incidents this file declared, from incident-service's timelines. */
  async function producedEventIds(ids: readonly string[] = incidentIds): Promise<string[]> {
    const timelines = await Promise.all(ids.map((id) => timelineOf(id)));
    return timelines.flat().map((entry) => entry.eventId);
  }

  async function declare(title: string, severity: 'SEV1' | 'SEV2' | 'SEV3', service: string): Promise<string> {
    const response = await incidents()
      .post('/v1/incidents')
      .set('idempotency-key', randomUUID())
      .send({ title, severity, services: [service], detectionSource: 'alert:e2e' });
    if (response.status !== 201) throw new Error(`declare → ${response.status} ${JSON.stringify(response.body)}`);
    incidentIds.push(response.body.id as string);
    return response.body.id as string;
  }

  type Step = readonly ['post' | 'put', string, object?];

  /** Runs the steps on one incident in order (each is one command, one event). */
  async function act(incidentId: string, steps: readonly Step[]): Promise<void> {
    for (const [method, path, body] of steps) {
      const call = method === 'put' ? incidents().put(`/v1/incidents/${incidentId}/${path}`) : incidents().post(`/v1/incidents/${incidentId}/${path}`);
      const response = await call.send(body ?? {});
      if (response.status !== 200 && response.status !== 201) throw new Error(`${path} on ${incidentId} → ${response.status} ${JSON.stringify(response.body)}`);
    }
  }

  const publishedIncidentEvents = () => sum(broker.highWatermarks(TOPICS.incidents));
  const committedBy = (group: string) => sum(broker.committedOffsets(group).filter((c) => c.topic === TOPICS.incidents).map((c) => c.offset));

  /** What a failing test should show: each child's output tail. */
  function processOutput(): string {
    return [incidentService, notificationService, postmortemService].map((p) => (p ? `=== ${p.name}\n${p.tail(4_000)}` : '')).join('\n');
  }

  beforeAll(async () => {
    try {
      await broker.start();
      const [incidentDb, notificationDb, postmortemDb] = await Promise.all([
        createTestDatabase('e2e_proc_incident', 2),
        createTestDatabase('e2e_proc_notification', 2),
        createTestDatabase('e2e_proc_postmortem', 2),
      ]);
      Object.assign(databases, { 'incident-service': incidentDb, 'notification-service': notificationDb, 'postmortem-service': postmortemDb });
      webhook = await startLocalHttpReceiver((received, n) => {
        if (killOnRequest && n === killOnRequest.at) {
          // Mid-send: the request has arrived, the answer not yet; the sender never records this attempt.
          killOnRequest.deliveryId = String(received.headers['fireline-delivery-id']);
          killOnRequest.receivedSoFar = n;
          notificationService?.killNow();
        }
        return { status: 200, body: 'ok' };
      });
      incidentService = await serviceProcess('incident-service', { INCIDENT_DATABASE_URL: incidentDb.url, INCIDENT_DATABASE_POOL_SIZE: '5' });
      notificationService = await serviceProcess('notification-service', {
        NOTIFICATION_DATABASE_URL: notificationDb.url,
        NOTIFICATION_DATABASE_POOL_SIZE: '5',
        NOTIFICATION_DELIVERY_MAX_ATTEMPTS: '5',
        NOTIFICATION_DELIVERY_BASE_DELAY_MS: '50',
        NOTIFICATION_DELIVERY_MAX_DELAY_MS: '500',
        NOTIFICATION_DELIVERY_TIMEOUT_MS: String(DELIVERY_TIMEOUT_MS),
        NOTIFICATION_DELIVERY_LEASE_MS: String(DELIVERY_LEASE_MS),
        NOTIFICATION_DELIVERY_POLL_INTERVAL_MS: '20',
        NOTIFICATION_DELIVERY_CONCURRENCY: String(DELIVERY_CONCURRENCY),
        ...TEST_OUTBOUND_ENV,
      });
      postmortemService = await serviceProcess('postmortem-service', { POSTMORTEM_DATABASE_URL: postmortemDb.url, POSTMORTEM_DATABASE_POOL_SIZE: '5' });
      const bootStartedAt = Date.now();
      await Promise.all([incidentService.start(), notificationService.start(), postmortemService.start()]);
      timings['boot: all three ready (parallel)'] = Date.now() - bootStartedAt;
      const issuedAt = Date.now();
      adminKey = (await issueKeyInDatabase(incidentDb.url)).key;
      await eventually(async () => {
        expect((await notifications().get('/v1/deliveries?limit=1')).status).toBe(200);
        expect((await postmortems().get('/v1/action-items?limit=1')).status).toBe(200);
      }, 30_000);
      timings['admin key: issued in the database → accepted by all three (Kafka)'] = Date.now() - issuedAt;
      for (const p of [incidentService, notificationService, postmortemService]) timings[`boot: ${p.name}`] = p.bootMs[0];
    } catch (error) {
      throw new Error(`${error instanceof Error ? error.message : String(error)}\n${processOutput()}`);
    }
  });

  afterAll(async () => {
    await Promise.allSettled(
      [notificationService, postmortemService, incidentService].map(async (service) => {
        if (!service?.running) return;
        const stoppingAt = Date.now();
        const exit = await service.stop();
        timings[`stop (SIGTERM): ${service.name}`] = `${Date.now() - stoppingAt} ms, exit ${exit?.signal ?? exit?.code}`;
      }),
    );
    await stopAll([notificationService, postmortemService, incidentService]);
    await webhook?.close();
    await broker.stop();
    await Promise.allSettled(Object.values(databases).map((db) => db.drop()));
    timings.total = Date.now() - testStartedAt;
    console.log(`three-services timings (ms):\n${Object.entries(timings).map(([k, v]) => `  ${k}: ${v}`).join('\n')}`);
  });

  it('delivers every incident event exactly once per rule when notification-service is killed -9 mid-stream and restarted', async () => {
    const created = await notifications()
      .post('/v1/notification-rules')
      .send({ name: 'all incidents', match: {}, channel: { type: 'webhook', url: webhook!.url } })
      .expect(201);
    rule = { id: created.body.id as string, secret: created.body.channel.secret as string };

    const declaredAt = Date.now();
    const incidentA = await declare('Checkout API 5xx', 'SEV1', 'checkout');
    await eventually(() => expect(receivedDeliveries().filter((d) => d.incidentId === incidentA && d.eventType === 'IncidentDeclared')).toHaveLength(1), 30_000);
    timings['first delivery after declare'] = Date.now() - declaredAt;

    // The burst: three more incidents and six commands on each of the four, 27 events.
    const before = webhook!.requests.length;
    const burstEvents = 3 + 4 * 6;
    killOnRequest = { at: before + Math.ceil(burstEvents / 3) };
    const lifecycle = (n: number): Step[] => [
      ['post', 'acknowledge'],
      ['put', 'roles/incident_commander', { assignee: `ic-${n}` }],
      ['post', 'status', { status: 'investigating' }],
      ['post', 'notes', { text: `first finding ${n}` }],
      ['post', 'updates', { audience: 'internal', message: `looking into it ${n}` }],
      ['post', 'notes', { text: `second finding ${n}` }],
    ];
    const burst = (async () => {
      const others = await Promise.all([declare('Payments timeouts', 'SEV2', 'payments'), declare('Search slow', 'SEV3', 'search'), declare('Login errors', 'SEV2', 'auth')]);
      await Promise.all([incidentA, ...others].map((id, n) => act(id, lifecycle(n))));
      return others;
    })();
    burst.catch(() => undefined); // awaited below; this only keeps a failure from being reported as unhandled meanwhile

    const exit = await eventually(async () => {
      expect(killOnRequest!.deliveryId).toBeDefined();
      return notificationService!.exited();
    }, 30_000);
    const killedAt = Date.now();
    expect(exit).toEqual({ code: null, signal: 'SIGKILL' });
    const [incidentB, incidentC, incidentD] = await burst;
    const receivedAtKill = killOnRequest!.receivedSoFar!;
    expect(receivedAtKill - before).toBeLessThan(burstEvents);

    // While it is down: twelve more commands and a fifth incident.
    await Promise.all(
      [incidentA, incidentB, incidentC, incidentD].map((id, n) =>
        act(id, [
          ['post', 'notes', { text: `while notifications are down ${n}` }],
          ['post', 'status', { status: 'identified', note: `cause found ${n}` }],
          ['post', 'updates', { audience: 'external', message: `fix in progress ${n}` }],
        ]),
      ),
    );
    const incidentE = await declare('Queue backlog', 'SEV3', 'queue');
    await act(incidentE, [['post', 'notes', { text: 'declared while notifications are down' }]]);
    // Requests the child had already written may still arrive after the kill: at most the other sends in flight.
    const arrivedAfterKill = webhook!.requests.length - receivedAtKill;
    expect(arrivedAfterKill).toBeLessThan(DELIVERY_CONCURRENCY);
    timings['notification: requests arriving after the kill (written before it)'] = arrivedAfterKill;
    const expected = await producedEventIds();
    expect(expected).toHaveLength(1 + burstEvents + 12 + 2);
    await eventually(() => expect(publishedIncidentEvents()).toBe(expected.length), 10_000);

    const restartedAt = Date.now();
    timings['notification: down (kill → restart)'] = restartedAt - killedAt;
    await notificationService!.start();
    timings['notification: restart → ready (includes group rejoin)'] = Date.now() - restartedAt;
    timings['notification: kill → ready'] = Date.now() - killedAt;
    await eventually(
      async () => {
        const log = await deliveryLog(rule!.id);
        expect(log.filter((d) => d.status === 'delivered')).toHaveLength(expected.length);
        expect(new Set(receivedDeliveries().map((d) => d.eventId)).size).toBe(expected.length);
      },
      45_000,
      100,
    );
    timings['notification: restart → caught up'] = Date.now() - restartedAt;
    timings['notification: kill → caught up'] = Date.now() - killedAt;

    const log = await deliveryLog(rule.id);
    expect(log.map((d) => d.eventId).sort()).toEqual([...expected].sort());
    const interrupted = log.find((d) => d.id === killOnRequest!.deliveryId);
    // Its first attempt reached us but was never recorded: the lease ran out and it was sent again.
    expect(interrupted).toMatchObject({ status: 'delivered', attemptCount: 2 });
    const received = receivedDeliveries();
    expect(received.filter((d) => d.deliveryId === killOnRequest!.deliveryId).length).toBeGreaterThanOrEqual(2);
    expect(new Set(received.map((d) => d.deliveryId))).toEqual(new Set(log.map((d) => d.id)));
    timings['notification: HTTP repeats (same delivery id)'] = received.length - new Set(received.map((d) => d.deliveryId)).size;
  });

  it('drafts exactly one postmortem per resolved incident, with no timeline entry lost or doubled, when postmortem-service is killed -9 mid-stream', async () => {
    const ids = await Promise.all([1, 2, 3, 4].map((n) => declare(`Database failover ${n}`, 'SEV2', 'orders-db')));
    await Promise.all(
      ids.map((id, n) =>
        act(id, [
          ['post', 'acknowledge'],
          ['post', 'status', { status: 'investigating' }],
          ['post', 'notes', { text: `replica lag ${n}` }],
        ]),
      ),
    );
    const [p1, p2, p3, p4] = ids;

    await act(p1, [['post', 'resolve', { summary: 'failed over to the replica' }]]);
    const p1Timeline = await timelineOf(p1);
    await eventually(async () => {
      const list = await postmortems().get('/v1/postmortems').query({ incidentId: p1 }).expect(200);
      expect(list.body.items).toHaveLength(1);
      const full = await postmortems().get(`/v1/postmortems/${list.body.items[0].id}`).expect(200);
      expect(full.body.timeline).toHaveLength(p1Timeline.length);
    }, 20_000);

    // Resolve three at once and kill as soon as postmortem-service has handled one of them (its inbox
    // shows it): the others are on the broker, fetched or being handled.
    const postmortemDb = databases['postmortem-service']!.pool;
    const resolvedHandled = async () => {
      const { rows } = await postmortemDb.query<{ n: number }>(`SELECT count(*)::int AS n FROM inbox WHERE consumer = $1 AND event_type = 'IncidentResolved'`, [INCIDENT_TIMELINE_CONSUMER]);
      return rows[0].n;
    };
    expect(await resolvedHandled()).toBe(1);
    const resolving = Promise.all([p2, p3, p4].map((id) => act(id, [['post', 'resolve', { summary: 'failed over' }]])));
    resolving.catch(() => undefined); // awaited below
    await eventually(async () => expect(await resolvedHandled()).toBeGreaterThan(1), 15_000, 2);
    const killedAt = Date.now();
    expect(await postmortemService!.kill()).toEqual({ code: null, signal: 'SIGKILL' });
    await resolving;
    timings['postmortem: of 3 IncidentResolved, handled before the kill'] = (await resolvedHandled()) - 1;

    // While it is down: p1 reopened and resolved again.
    await act(p1, [
      ['post', 'status', { status: 'investigating', note: 'lag is back' }],
      ['post', 'notes', { text: 'the replica was undersized' }],
      ['post', 'resolve', { summary: 'resized the replica' }],
    ]);
    const timelines = new Map(await Promise.all(ids.map(async (id) => [id, await timelineOf(id)] as const)));

    const restartedAt = Date.now();
    timings['postmortem: down (kill → restart)'] = restartedAt - killedAt;
    await postmortemService!.start();
    timings['postmortem: restart → ready (includes group rejoin)'] = Date.now() - restartedAt;
    timings['postmortem: kill → ready'] = Date.now() - killedAt;

    const drafts = await eventually(
      async () =>
        Promise.all(
          ids.map(async (id) => {
            const list = await postmortems().get('/v1/postmortems').query({ incidentId: id }).expect(200);
            expect(list.body.items).toHaveLength(1);
            const full = await postmortems().get(`/v1/postmortems/${list.body.items[0].id}`).expect(200);
            expect(full.body.timeline).toHaveLength(timelines.get(id)!.length);
            return full.body as { incidentId: string; status: string; version: number; timeline: { eventId: string; type: string }[] };
          }),
        ),
      30_000,
      100,
    );
    timings['postmortem: restart → caught up'] = Date.now() - restartedAt;
    timings['postmortem: kill → caught up'] = Date.now() - killedAt;

    for (const draft of drafts) {
      const eventIds = draft.timeline.map((entry) => entry.eventId);
      expect(new Set(eventIds).size).toBe(eventIds.length);
      expect([...eventIds].sort()).toEqual(timelines.get(draft.incidentId)!.map((entry) => entry.eventId).sort());
      expect(draft.status).toBe('draft');
    }
    // Drafted once, then extended once by the second resolution; the others drafted once.
    expect(drafts.map((draft) => draft.version)).toEqual([2, 1, 1, 1]);
    expect(drafts[0].timeline.filter((entry) => entry.type === 'IncidentResolved')).toHaveLength(2);
  });

  it('lost and duplicated nothing across both kills: delivery log, receiver, consumer offsets, dead letters, broker', async () => {
    const expected = await producedEventIds();
    const listed = await incidents().get('/v1/incidents').query({ limit: 100 }).expect(200);
    expect((listed.body.items as { id: string }[]).map((i) => i.id).sort()).toEqual([...incidentIds].sort());
    expect(publishedIncidentEvents()).toBe(expected.length);

    const log = await eventually(async () => {
      const entries = await deliveryLog(rule!.id);
      expect(entries.filter((d) => d.status === 'delivered')).toHaveLength(expected.length);
      return entries;
    }, 20_000);
    // Exactly one delivery record per (rule, event), each delivered.
    expect(log.map((d) => d.eventId).sort()).toEqual([...expected].sort());
    expect(new Set(log.map((d) => d.id)).size).toBe(log.length);

    // At least one HTTP request per event; a repeat carries the delivery id (and body) of the first.
    const received = receivedDeliveries();
    const byDeliveryId = new Map<string, ReceivedDelivery[]>();
    for (const d of received) byDeliveryId.set(d.deliveryId, [...(byDeliveryId.get(d.deliveryId) ?? []), d]);
    expect([...byDeliveryId.keys()].sort()).toEqual(log.map((d) => d.id).sort());
    expect(new Set(received.map((d) => d.eventId)).size).toBe(expected.length);
    for (const [deliveryId, requests] of byDeliveryId) {
      expect(new Set(requests.map((d) => d.request.rawBody.toString('utf8'))).size).toBe(1);
      expect(requests.every((d) => d.bodyDeliveryId === deliveryId)).toBe(true);
    }
    expect(received.filter((d) => !verifyFirelineSignature(rule!.secret, d.request.rawBody, d.request.headers, 300))).toEqual([]);
    timings['events produced'] = expected.length;
    timings['HTTP requests received'] = received.length;
    timings['HTTP repeats (same delivery id), whole run'] = received.length - byDeliveryId.size;

    // Both consumer groups committed everything; nothing was dead-lettered.
    await eventually(() => {
      expect(committedBy(notifyGroup)).toBe(expected.length);
      expect(committedBy(postmortemGroup)).toBe(expected.length);
    }, 10_000);
    for (const service of ['notification-service', 'postmortem-service'] as const) {
      const dead = await databases[service]!.pool.query('SELECT consumer, event_type, error FROM dead_letters');
      expect(dead.rows).toEqual([]);
    }
    expect(broker.group(notifyGroup)).toMatchObject({ state: 'Stable', memberIds: [expect.any(String)] });
    expect(broker.group(postmortemGroup)).toMatchObject({ state: 'Stable', memberIds: [expect.any(String)] });
    expect(broker.refusals).toEqual([]);
    expect(brokerLog).toEqual([]);

  });

  it('reports every service ready, with zero relay backlog, zero consumer lag and no dead letters, in /health/ready and /metrics', async () => {
    const consumerGroups: Partial<Record<FirelineService, string>> = { 'notification-service': notifyGroup, 'postmortem-service': postmortemGroup };
    for (const service of [incidentService!, notificationService!, postmortemService!]) {
      const http = () => request(service.baseUrl);
      const ready = await eventually(async () => {
        const response = await http().get(READY_PATH).expect(200);
        const body = response.body as ReadyBody;
        expect(body.services.map((s) => [s.name, s.relayBacklog, s.subscriptions.filter((sub) => sub.behind !== 0), s.deadLetters])).toEqual([[service.name, 0, [], []]]);
        expect(body.transport.consumerLag.filter((partition) => partition.lag !== 0)).toEqual([]);
        return body;
      }, 15_000);
      expect(ready).toMatchObject({ status: 'ok', transport: { transport: 'kafka', up: true, problems: [], deadLetteredSinceStart: 0 } });
      expect(ready.transport.deadLetterTopics.filter((dlq) => dlq.messages !== 0)).toEqual([]);
      const group = consumerGroups[service.name];
      const accessGroup = service.name === 'incident-service' ? undefined : `${groupIdPrefix}${service.name}.access`;
      expect(new Set(ready.transport.consumerLag.map((partition) => partition.groupId))).toEqual(new Set(group ? [group, accessGroup] : []));

      const metrics = parsePrometheus((await http().get('/metrics').expect(200)).text);
      const values = (name: string) => metrics.filter((m) => m.name === name);
      expect(values('fireline_ready').map((m) => m.value)).toEqual([1]);
      expect(values('fireline_transport_up')).toEqual([{ name: 'fireline_transport_up', labels: { transport: 'kafka' }, value: 1 }]);
      expect(values('fireline_kafka_dead_lettered_since_start').map((m) => m.value)).toEqual([0]);
      expect(values('fireline_dead_letters').filter((m) => m.value !== 0)).toEqual([]);
      expect(values('fireline_kafka_dlq_messages').filter((m) => m.value !== 0)).toEqual([]);
      expect(values('fireline_relay_backlog_events').filter((m) => m.value !== 0)).toEqual([]);
      expect(values('fireline_subscription_lag_events').filter((m) => m.value !== 0)).toEqual([]);
      const lag = values('fireline_kafka_consumer_lag_messages');
      expect(lag.map((m) => m.labels.group).every((g) => g === group || g === accessGroup)).toBe(true);
      expect(lag.filter((m) => m.value !== 0)).toEqual([]);
      if (group) {
        expect(lag.filter((m) => m.labels.group === group).map((m) => `${m.labels.topic}/${m.labels.partition}`).sort()).toEqual([0, 1, 2].map((p) => `${TOPICS.incidents}/${p}`));
        expect(lag.filter((m) => m.labels.group === accessGroup).map((m) => `${m.labels.topic}/${m.labels.partition}`).sort()).toEqual([0, 1, 2].map((p) => `${TOPICS.access}/${p}`));
      }
    }
    const deliveries = parsePrometheus((await request(notificationService!.baseUrl).get('/metrics').expect(200)).text).filter((m) => m.name === 'fireline_notification_deliveries');
    expect(deliveries.filter((m) => m.value !== 0).map((m) => [m.labels.status, m.value])).toEqual([['delivered', (await producedEventIds()).length]]);
  });
});
