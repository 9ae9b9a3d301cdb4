import { createServer, type Server, type Socket } from 'node:net';
import type { ApiHandler } from './api-handler';
import { apiVersionsHandler } from './api-versions.handler';
import { AppendNotifier } from './append-notifier';
import { BrokerConnection, type RefusedRequest } from './broker-connection';
import type { BrokerState } from './broker-state';
import { createTopicsHandler } from './create-topics.handler';
import { fetchHandler } from './fetch.handler';
import { findCoordinatorHandler } from './find-coordinator.handler';
import { GroupCoordinator, type GroupState } from './group-coordinator';
import { heartbeatHandler } from './heartbeat.handler';
import { initProducerIdHandler } from './init-producer-id.handler';
import { joinGroupHandler } from './join-group.handler';
import { leaveGroupHandler } from './leave-group.handler';
import { listOffsetsHandler } from './list-offsets.handler';
import { metadataHandler } from './metadata.handler';
import { offsetCommitHandler } from './offset-commit.handler';
import { offsetFetchHandler } from './offset-fetch.handler';
import type { StoredRecord } from './partition-log';
import { produceHandler } from './produce.handler';
import { ProducerRegistry } from './producer-registry';
import { syncGroupHandler } from './sync-group.handler';
import { TopicRegistry } from './topic-registry';

export type { RefusedRequest } from './broker-connection';
export type { StoredRecord } from './partition-log';

export interface KafkaTestBrokerOptions {
  /** Interface to listen on and to advertise. Default 127.0.0.1. */
  readonly host?: string;
  /** Default 0: an ephemeral port. */
  readonly port?: number;
  /** Kafka's group.min.session.timeout.ms (default 6000) and group.max.session.timeout.ms (default 1800000). */
  readonly minSessionTimeoutMs?: number;
  readonly maxSessionTimeoutMs?: number;
  /** Where refusals are reported as they happen. Default: stderr. */
  readonly log?: (line: string) => void;
}

const HANDLERS: readonly ApiHandler[] = [
  produceHandler,
  fetchHandler,
  listOffsetsHandler,
  metadataHandler,
  offsetCommitHandler,
  offsetFetchHandler,
  findCoordinatorHandler,
  joinGroupHandler,
  heartbeatHandler,
  leaveGroupHandler,
  syncGroupHandler,
  apiVersionsHandler,
  createTopicsHandler,
  initProducerIdHandler,
];

const SESSION_CHECK_INTERVAL_MS = 100;

/**
 * A single-node, in-memory Kafka broker speaking enough of the wire protocol for kafkajs 2.2.4 — a test
 * utility only, never imported by production code. Node id 0 leads every partition and coordinates every
 * group. Implemented APIs and versions are exactly what ApiVersions advertises (see `supportedApis`);
 * anything else is logged, recorded in `refusals` and answered by closing the connection (ApiVersions
 * itself answers UNSUPPORTED_VERSION, as Kafka does). Not implemented: transactions, static membership,
 * fetch sessions, topic configs, retention, replication, SASL/TLS.
 */
export class KafkaTestBroker {
  private readonly topicRegistry = new TopicRegistry();
  private readonly groupCoordinator: GroupCoordinator;
  private readonly handlers = new Map(HANDLERS.map((h) => [h.apiKey, h]));
  private readonly connections = new Set<BrokerConnection>();
  private readonly refusedRequests: RefusedRequest[] = [];
  private readonly state: BrokerState;
  private readonly log: (line: string) => void;
  private server: Server | null = null;
  private sessionTimer: NodeJS.Timeout | null = null;
  private address: { host: string; port: number } | null = null;

  constructor(private readonly options: KafkaTestBrokerOptions = {}) {
    this.groupCoordinator = new GroupCoordinator({
      minSessionTimeoutMs: options.minSessionTimeoutMs ?? 6_000,
      maxSessionTimeoutMs: options.maxSessionTimeoutMs ?? 1_800_000,
      now: () => Date.now(),
    });
    this.log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
    this.state = {
      nodeId: 0,
      clusterId: 'kafka-test-broker',
      advertisedAddress: () => {
        if (!this.address) throw new Error('KafkaTestBroker is not started');
        return this.address;
      },
      supportedApis: HANDLERS.map(({ apiKey, minVersion, maxVersion }) => ({ apiKey, minVersion, maxVersion })).sort((a, b) => a.apiKey - b.apiKey),
      topics: this.topicRegistry,
      groups: this.groupCoordinator,
      producers: new ProducerRegistry(),
      appends: new AppendNotifier(),
    };
  }

  /** Listens and resolves with the address clients should bootstrap from. */
  async start(): Promise<{ host: string; port: number }> {
    if (this.server) throw new Error('KafkaTestBroker already started');
    const host = this.options.host ?? '127.0.0.1';
    const server = createServer((socket) => this.accept(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 0, host, () => resolve());
    });
    const bound = server.address();
    if (bound === null || typeof bound === 'string') throw new Error('KafkaTestBroker: unexpected server address');
    this.address = { host, port: bound.port };
    this.sessionTimer = setInterval(() => this.groupCoordinator.expireSessions(), SESSION_CHECK_INTERVAL_MS);
    this.sessionTimer.unref();
    return this.address;
  }

  /** Closes every connection (parked long polls and joins end with them) and the listener. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    if (this.sessionTimer) clearInterval(this.sessionTimer);
    this.sessionTimer = null;
    this.groupCoordinator.close();
    for (const connection of this.connections) connection.destroy();
    this.connections.clear();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** `host:port` for kafkajs's `brokers` option. */
  get bootstrapAddress(): string {
    return `${this.state.advertisedAddress().host}:${this.state.advertisedAddress().port}`;
  }

  /** API keys with the version range each implements — exactly what ApiVersions advertises. */
  get supportedApis(): readonly { apiKey: number; minVersion: number; maxVersion: number }[] {
    return this.state.supportedApis;
  }

  /** Requests refused so far, oldest first. */
  get refusals(): readonly RefusedRequest[] {
    return this.refusedRequests;
  }

  topicNames(): string[] {
    return this.topicRegistry.all().map((t) => t.name).sort();
  }

  /** High watermark of each partition of `topic`, by partition index. */
  highWatermarks(topic: string): number[] {
    const found = this.topicRegistry.get(topic);
    if (!found) throw new Error(`unknown topic ${topic}`);
    return found.partitions.map((p) => p.highWatermark);
  }

  /** Decoded records of one partition, in offset order. */
  async records(topic: string, partition: number): Promise<StoredRecord[]> {
    const log = this.topicRegistry.partition(topic, partition);
    if (!log) throw new Error(`unknown partition ${topic}-${partition}`);
    return log.records();
  }

  /** Committed offsets of a group, sorted by topic then partition. */
  committedOffsets(groupId: string): { topic: string; partition: number; offset: number; metadata: string | null }[] {
    return this.groupCoordinator.committedOffsets(groupId).sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
  }

  group(groupId: string): { state: GroupState; generationId: number; leaderId: string | null; memberIds: string[] } | undefined {
    return this.groupCoordinator.describe(groupId);
  }

  private accept(socket: Socket): void {
    socket.setNoDelay(true);
    const connection = new BrokerConnection(socket, {
      state: this.state,
      handlers: this.handlers,
      refuse: (refusal) => {
        this.refusedRequests.push(refusal);
        this.log(`[KafkaTestBroker] refused request (${refusal.action}): ${refusal.reason} [client ${refusal.clientId ?? '-'}]`);
      },
    });
    this.connections.add(connection);
    socket.on('close', () => this.connections.delete(connection));
  }
}
