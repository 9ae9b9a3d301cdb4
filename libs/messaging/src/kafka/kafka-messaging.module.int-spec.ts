import { TOPICS, type IntegrationEvent } from '@fireline/contracts';
import { Inject, Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createServer, type AddressInfo } from 'node:net';
import { KafkaTestBroker } from '../../../../test/kafka-broker/kafka-test-broker';
import { eventually } from '../../../../test/support/eventually';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/test-database';
import { MESSAGE_TRANSPORT, type MessageTransport } from '../message-transport';
import { CreateInboxAndDeadLetters1732000000100 } from '../messaging.migration';
import { KafkaMessagingModule } from './kafka-messaging.module';
import { anIntegrationEvent } from './testing/integration-event.factories';

jest.setTimeout(60_000);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Subscribes in `onModuleInit`, as the services' consumers do, before the transport starts. */
function consumerOf(db: () => TestDatabase, handled: IntegrationEvent[]) {
  @Injectable()
  class Consumer implements OnModuleInit {
    constructor(@Inject(MESSAGE_TRANSPORT) private readonly transport: MessageTransport) {}
    onModuleInit(): void {
      this.transport.subscribe({ topic: TOPICS.incidents, consumer: 'module-spec.consumer', pool: db().pool, handle: async (event) => void handled.push(event) });
    }
  }
  return Consumer;
}

describe(KafkaMessagingModule.name, () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('kafka_messaging_module', 2);
    const statements: string[] = [];
    await new CreateInboxAndDeadLetters1732000000100().up({ query: async (sql: string) => statements.push(sql) } as never);
    for (const sql of statements) await db.pool.query(sql);
  });

  afterAll(async () => {
    await db.drop();
  });

  it('boots without waiting for the cluster, reports not started until it has joined, then consumes', async () => {
    const port = await freePort();
    const handled: IntegrationEvent[] = [];
    @Module({
      imports: [KafkaMessagingModule.register({ clientId: 'module-spec', brokers: [`127.0.0.1:${port}`], topics: { numPartitions: 1, replicationFactor: 1 }, logLevel: 'nothing', consumer: { sessionTimeoutMs: 6_000, heartbeatIntervalMs: 100, maxWaitTimeMs: 100 } })],
      providers: [consumerOf(() => db, handled)],
    })
    class AppModule {}
    // Resolves (bootstrap hooks included) although nothing listens on the broker port yet.
    const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
    const transport = app.get<MessageTransport>(MESSAGE_TRANSPORT);
    const broker = new KafkaTestBroker({ port, log: () => undefined });
    try {
      expect(await transport.status()).toMatchObject({ up: false, problems: ['transport is not started'] });

      await broker.start();
      await eventually(async () => expect((await transport.status()).up).toBe(true), 20_000);
      const event = anIntegrationEvent({ streamId: 'incident-1', data: { seq: 1 } });
      await transport.publish(TOPICS.incidents, [event]);
      await eventually(() => expect(handled.map((e) => e.eventId)).toEqual([event.eventId]), 10_000);
    } finally {
      await app.close();
      await broker.stop();
    }
    expect(await transport.status()).toMatchObject({ up: false });
  });

  it('shuts down promptly while still retrying to reach the cluster', async () => {
    const port = await freePort();
    @Module({
      imports: [KafkaMessagingModule.register({ clientId: 'module-spec', brokers: [`127.0.0.1:${port}`], topics: { numPartitions: 1, replicationFactor: 1 }, logLevel: 'nothing' })],
      providers: [consumerOf(() => db, [])],
    })
    class AppModule {}
    const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // a failed attempt or two, now backing off
    const started = Date.now();
    await app.close();
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});
