import { ConfigError, parseEnvironment } from '@fireline/config';
import { messagingConfigSchema, type MessagingConfig } from './messaging.config';

/** The config, or the `KEY: problem` lines of the error a service would throw at boot. */
function parseMessagingConfig(env: NodeJS.ProcessEnv, serviceName: string): { config?: MessagingConfig; problems: readonly string[] } {
  try {
    return { config: parseEnvironment(serviceName, env, { messaging: messagingConfigSchema(serviceName) }).messaging, problems: [] };
  } catch (error) {
    if (error instanceof ConfigError) return { problems: error.problems };
    throw error;
  }
}

describe(messagingConfigSchema.name, () => {
  it('defaults to the in-process transport', () => {
    expect(parseMessagingConfig({}, 'incident-service')).toEqual({ config: { transport: 'in-process' }, problems: [] });
  });

  it('parses the Kafka keys, defaulting the client id to the service name', () => {
    const parsed = parseMessagingConfig({ MESSAGING_TRANSPORT: 'kafka', KAFKA_BROKERS: 'kafka-0:9092, kafka-1:9092', KAFKA_TOPIC_PARTITIONS: '6' }, 'notification-service');
    expect(parsed.problems).toEqual([]);
    expect(parsed.config).toMatchObject({
      transport: 'kafka',
      kafka: { clientId: 'notification-service', brokers: ['kafka-0:9092', 'kafka-1:9092'], topics: { numPartitions: 6, replicationFactor: 1 } },
    });
  });

  it('names every bad key at once', () => {
    const parsed = parseMessagingConfig({ MESSAGING_TRANSPORT: 'kafka', KAFKA_TOPIC_PARTITIONS: '0', KAFKA_TOPIC_REPLICATION_FACTOR: 'three' }, 'postmortem-service');
    expect(parsed.config).toBeUndefined();
    const text = parsed.problems.join('\n');
    expect(text).toContain('KAFKA_BROKERS');
    expect(text).toContain('KAFKA_TOPIC_PARTITIONS');
    expect(text).toContain('KAFKA_TOPIC_REPLICATION_FACTOR');
  });

  it('rejects a broker without a port and an unknown transport', () => {
    expect(parseMessagingConfig({ MESSAGING_TRANSPORT: 'kafka', KAFKA_BROKERS: 'kafka-0' }, 's').problems.join('\n')).toContain('KAFKA_BROKERS');
    expect(parseMessagingConfig({ MESSAGING_TRANSPORT: 'rabbitmq' }, 's').problems.join('\n')).toContain('MESSAGING_TRANSPORT');
  });

  it('treats empty values as unset, as a blank ConfigMap key', () => {
    expect(parseMessagingConfig({ MESSAGING_TRANSPORT: '', KAFKA_BROKERS: '' }, 's')).toEqual({ config: { transport: 'in-process' }, problems: [] });
  });
});
