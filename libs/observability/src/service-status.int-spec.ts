import { EventStore } from '@fireline/event-store';
import { InProcessTransport, CreateInboxAndDeadLetters1732000000100, type MessageTransport, type TransportStatus } from '@fireline/messaging';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { Pool } from 'pg';
import { createEventStoreDatabase, newStreamId } from '../../event-store/src/testing/event-store.testing';
import type { TestDatabase } from '../../../test/support/test-database';
import type { ObservedService } from './observed-service';
import { ProcessMetrics } from './process-metrics';
import { readProcessStatus } from './service-status';

const RELAY = 'relay:spec.things';
const PROJECTION = 'projection:spec.things';

async function createMessagingTables(pool: Pool): Promise<void> {
  const statements: string[] = [];
  await new CreateInboxAndDeadLetters1732000000100().up({ query: async (sql: string) => statements.push(sql) } as never);
  for (const sql of statements) await pool.query(sql);
}

describe(readProcessStatus.name, () => {
  let database: TestDatabase;
  const service = (overrides: Partial<ObservedService> = {}): ObservedService => ({ name: 'spec-service', poolToken: 'unused', subscriptions: [PROJECTION, RELAY], ...overrides });

  beforeAll(async () => {
    database = await createEventStoreDatabase('observability', 4);
    await createMessagingTables(database.pool);
  });

  afterAll(async () => {
    await database.drop();
  });

  it('reports the relay backlog, each subscription behind, and parked messages per consumer; ready when database and transport are up', async () => {
    await new EventStore(database.pool).appendToStream(newStreamId(), [1, 2, 3].map((n) => ({ type: 'ThingHappened', data: { n } })), { streamType: 'thing', expectedVersion: 'no_stream' });
    await database.pool.query(
      `INSERT INTO dead_letters (consumer, topic, event_id, event_type, envelope, error, attempts)
       VALUES ('spec.reactor', 'fireline.incidents.v1', gen_random_uuid(), 'IncidentDeclared', '{}', 'ValidationError: no', 1),
              ('spec.reactor', 'fireline.incidents.v1', gen_random_uuid(), 'IncidentDeclared', '{}', 'ValidationError: no', 1)`,
    );
    const transport = new InProcessTransport();

    const status = await readProcessStatus([{ service: service(), pool: database.pool }], transport);

    expect(status.ready).toBe(true);
    expect(status.services).toEqual([
      {
        name: 'spec-service',
        database: { up: true },
        subscriptions: [
          { name: PROJECTION, kind: 'projection', behind: 3 },
          { name: RELAY, kind: 'relay', behind: 3 },
        ],
        relayBacklog: 3,
        deadLetters: [{ consumer: 'spec.reactor', count: 2 }],
        gauges: {},
      },
    ]);

    const metrics = await new ProcessMetrics([service()]).render(status);
    expect(metrics).toMatch(/^fireline_ready 1$/m);
    expect(metrics).toMatch(/^fireline_relay_backlog_events\{service="spec-service"\} 3$/m);
    expect(metrics).toMatch(/^fireline_subscription_lag_events\{service="spec-service",subscription="projection:spec.things",kind="projection"\} 3$/m);
    expect(metrics).toMatch(/^fireline_dead_letters\{service="spec-service",consumer="spec.reactor"\} 2$/m);
  });

  it('is not ready, within the time limit, when a database does not answer; the other service is still reported', async () => {
    // A server that accepts connections and never answers: a hung database.
    const connections = new Set<Socket>();
    const silent = createServer((socket) => void connections.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    const unreachable = new Pool({ connectionString: `postgres://nobody:x@127.0.0.1:${port}/none`, connectionTimeoutMillis: 60_000 });
    unreachable.on('error', () => undefined);
    try {
      const started = Date.now();
      const status = await readProcessStatus(
        [
          { service: service({ name: 'lost-service' }), pool: unreachable },
          { service: service(), pool: database.pool },
        ],
        new InProcessTransport(),
        300,
      );
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(status.ready).toBe(false);
      expect(status.services.map((s) => [s.name, s.database.up])).toEqual([
        ['lost-service', false],
        ['spec-service', true],
      ]);
      expect(status.services[0].database.error).toBe('no answer within 300 ms');
      expect(await new ProcessMetrics([service()]).render(status)).toMatch(/^fireline_database_up\{service="lost-service"\} 0$/m);
    } finally {
      for (const socket of connections) socket.destroy();
      await unreachable.end();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('is not ready when the transport is down or its status hangs, and reports why', async () => {
    const stopped = new InProcessTransport();
    await stopped.stop();
    const down = await readProcessStatus([{ service: service(), pool: database.pool }], stopped);
    expect(down.ready).toBe(false);
    expect(down.transport).toMatchObject({ up: false, problems: ['transport is stopped'] });

    const hanging: MessageTransport = { ...new InProcessTransport(), status: () => new Promise<TransportStatus>(() => undefined) } as unknown as MessageTransport;
    const hung = await readProcessStatus([{ service: service(), pool: database.pool }], hanging, 200);
    expect(hung.ready).toBe(false);
    expect(hung.transport.problems).toEqual(['no answer within 200 ms']);
  });

  it('reads service gauges from the service database', async () => {
    const withGauge = service({
      gauges: [{ name: 'things', help: 'Things by kind.', label: 'kind', read: async (pool) => ({ big: Number((await pool.query<{ n: string }>('SELECT count(*)::text AS n FROM events')).rows[0].n) }) }],
    });
    const status = await readProcessStatus([{ service: withGauge, pool: database.pool }], new InProcessTransport());
    expect(status.services[0].gauges).toEqual({ things: { big: 3 } });
    expect(await new ProcessMetrics([withGauge]).render(status)).toMatch(/^fireline_things\{service="spec-service",kind="big"\} 3$/m);
  });
});
