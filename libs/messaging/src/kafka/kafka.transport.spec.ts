import { TOPICS } from '@fireline/contracts';
import type { Pool } from 'pg';
import { KafkaTransport, type KafkaTransportOptions } from './kafka.transport';

const validOptions = (overrides: Partial<KafkaTransportOptions> = {}): KafkaTransportOptions => ({
  clientId: 'notification-service',
  brokers: ['kafka-0.kafka:9092'],
  topics: { numPartitions: 6, replicationFactor: 3 },
  ...overrides,
});

describe(KafkaTransport.name, () => {
  it('rejects invalid options naming every bad key', () => {
    expect(
      () =>
        new KafkaTransport(
          validOptions({
            clientId: '',
            brokers: ['no-port'],
            topics: { numPartitions: 0, replicationFactor: 1.5 },
            consumerRetry: { maxAttempts: 0, baseDelayMs: 10, maxDelayMs: 10 },
          }),
        ),
    ).toThrow(
      'Invalid KafkaTransportOptions: clientId must be a non-empty string; brokers must be a non-empty list of host:port; ' +
        'topics.numPartitions must be a positive integer; topics.replicationFactor must be a positive integer; ' +
        'consumerRetry needs maxAttempts >= 1 and non-negative delays',
    );
  });

  it('rejects a second subscription of one consumer to one topic', () => {
    const transport = new KafkaTransport(validOptions());
    const registration = {
      topic: TOPICS.incidents,
      consumer: 'notification-service.notify',
      pool: {} as Pool,
      handle: async () => undefined,
    };
    transport.subscribe(registration);
    transport.subscribe({ ...registration, topic: TOPICS.postmortems });
    expect(() => transport.subscribe(registration)).toThrow(
      'Consumer notification-service.notify is already subscribed to fireline.incidents.v1',
    );
  });

  it('refuses to publish before start', async () => {
    await expect(new KafkaTransport(validOptions()).publish(TOPICS.incidents, [])).rejects.toThrow('KafkaTransport is not started');
  });
});
