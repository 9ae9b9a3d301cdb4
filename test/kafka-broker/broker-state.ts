import type { AppendNotifier } from './append-notifier';
import type { GroupCoordinator } from './group-coordinator';
import type { ProducerRegistry } from './producer-registry';
import type { TopicRegistry } from './topic-registry';

export interface SupportedApi {
  readonly apiKey: number;
  readonly minVersion: number;
  readonly maxVersion: number;
}

/** The broker-wide state handlers read and change. */
export interface BrokerState {
  readonly nodeId: number;
  readonly clusterId: string;
  /** The host/port clients were given by start(); advertised in Metadata and FindCoordinator. */
  advertisedAddress(): { host: string; port: number };
  readonly supportedApis: readonly SupportedApi[];
  readonly topics: TopicRegistry;
  readonly groups: GroupCoordinator;
  readonly producers: ProducerRegistry;
  readonly appends: AppendNotifier;
}
