import { blankAsUnset, environmentKeysOf, integerKey } from '@fireline/config';
import { z } from 'zod';
import type { KafkaTransportOptions } from './kafka/kafka.transport';

/**
 * Which transport a standalone service uses. `in-process` (the default) keeps events in the process;
 * `kafka` carries them between separately deployed services. `kafka` holds every `KafkaTransportOptions`
 * but `publishTopics`, which the service itself knows.
 */
export type MessagingConfig = { transport: 'in-process' } | { transport: 'kafka'; kafka: Omit<KafkaTransportOptions, 'publishTopics'> };

const TRANSPORTS = ['in-process', 'kafka'] as const;


const BROKER = /^[^:\s,]+:\d{1,5}$/;

const messagingKeys = (serviceName: string) =>
  z.object({
    MESSAGING_TRANSPORT: blankAsUnset(z.enum(TRANSPORTS).default('in-process')),
    KAFKA_BROKERS: blankAsUnset(
      z
        .string()
        .transform((value) => value.split(',').map((broker) => broker.trim()).filter((broker) => broker !== ''))
        .refine((brokers) => brokers.length > 0 && brokers.every((broker) => BROKER.test(broker)), 'must be a comma-separated list of host:port')
        .optional(),
    ),
    KAFKA_CLIENT_ID: blankAsUnset(z.string().min(1).default(serviceName)),
    KAFKA_GROUP_ID_PREFIX: blankAsUnset(z.string().regex(/^[A-Za-z0-9._-]*$/, 'may hold only letters, digits, ".", "_" and "-"').default('')),
    KAFKA_TOPIC_PARTITIONS: integerKey(1, 10_000, 3),
    KAFKA_TOPIC_REPLICATION_FACTOR: integerKey(1, 100, 1),
    KAFKA_SESSION_TIMEOUT_MS: integerKey(1, 3_600_000, 30_000),
    KAFKA_HEARTBEAT_INTERVAL_MS: integerKey(1, 3_600_000, 3_000),
    KAFKA_REBALANCE_TIMEOUT_MS: integerKey(1, 3_600_000, 60_000),
    KAFKA_MAX_WAIT_TIME_MS: integerKey(1, 60_000, 5_000),
    KAFKA_LOG_LEVEL: blankAsUnset(z.enum(['nothing', 'error', 'warn', 'info', 'debug']).default('warn')),
  });

/** Every environment key `messagingConfigSchema` reads. */
export const MESSAGING_ENV_KEYS: readonly string[] = environmentKeysOf(messagingKeys(''));

/**
 * The messaging keys of a standalone service's environment (names as in the k8s ConfigMap):
 * `MESSAGING_TRANSPORT` (`in-process` | `kafka`, default `in-process`), `KAFKA_BROKERS` (comma-separated
 * `host:port`, required when `kafka`), `KAFKA_CLIENT_ID` (default `serviceName`), `KAFKA_GROUP_ID_PREFIX` (''),
 * `KAFKA_TOPIC_PARTITIONS` (3), `KAFKA_TOPIC_REPLICATION_FACTOR` (1), `KAFKA_SESSION_TIMEOUT_MS` (30000),
 * `KAFKA_HEARTBEAT_INTERVAL_MS` (3000), `KAFKA_REBALANCE_TIMEOUT_MS` (60000), `KAFKA_MAX_WAIT_TIME_MS` (5000),
 * `KAFKA_LOG_LEVEL` (`warn`). Parses to `MessagingConfig`; services parse it together with their
 * own keys (`parseEnvironment`) so that one error names every bad key.
 */
export function messagingConfigSchema(serviceName: string) {
  return messagingKeys(serviceName)
    // `when`: checked even when other keys are invalid, so that one error names every bad key.
    .refine((env) => env.MESSAGING_TRANSPORT !== 'kafka' || env.KAFKA_BROKERS !== undefined, {
      path: ['KAFKA_BROKERS'],
      message: 'is required when MESSAGING_TRANSPORT is kafka',
      when: () => true,
    })
    .refine((env) => env.KAFKA_HEARTBEAT_INTERVAL_MS < env.KAFKA_SESSION_TIMEOUT_MS, {
      path: ['KAFKA_HEARTBEAT_INTERVAL_MS'],
      message: 'must be less than KAFKA_SESSION_TIMEOUT_MS',
    })
    .transform((env): MessagingConfig => {
      if (env.MESSAGING_TRANSPORT === 'in-process') return { transport: 'in-process' };
      return {
        transport: 'kafka',
        kafka: {
          clientId: env.KAFKA_CLIENT_ID,
          brokers: env.KAFKA_BROKERS ?? [],
          groupIdPrefix: env.KAFKA_GROUP_ID_PREFIX,
          topics: { numPartitions: env.KAFKA_TOPIC_PARTITIONS, replicationFactor: env.KAFKA_TOPIC_REPLICATION_FACTOR },
          logLevel: env.KAFKA_LOG_LEVEL,
          consumer: {
            sessionTimeoutMs: env.KAFKA_SESSION_TIMEOUT_MS,
            heartbeatIntervalMs: env.KAFKA_HEARTBEAT_INTERVAL_MS,
            rebalanceTimeoutMs: env.KAFKA_REBALANCE_TIMEOUT_MS,
            maxWaitTimeMs: env.KAFKA_MAX_WAIT_TIME_MS,
          },
        },
      };
    });
}
