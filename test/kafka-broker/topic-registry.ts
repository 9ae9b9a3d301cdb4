import { PartitionLog } from './partition-log';

export interface Topic {
  readonly name: string;
  readonly partitions: readonly PartitionLog[];
}

const LEGAL_TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

/** In-memory topics. No auto-creation: unknown topics stay unknown until CreateTopics. */
export class TopicRegistry {
  private readonly topics = new Map<string, Topic>();

  static isLegalName(name: string): boolean {
    return LEGAL_TOPIC_NAME.test(name) && name !== '.' && name !== '..';
  }

  create(name: string, numPartitions: number): Topic {
    if (this.topics.has(name)) throw new Error(`topic ${name} already exists`);
    const topic: Topic = { name, partitions: Array.from({ length: numPartitions }, () => new PartitionLog()) };
    this.topics.set(name, topic);
    return topic;
  }

  has(name: string): boolean {
    return this.topics.has(name);
  }

  get(name: string): Topic | undefined {
    return this.topics.get(name);
  }

  partition(topic: string, partition: number): PartitionLog | undefined {
    return this.topics.get(topic)?.partitions[partition];
  }

  all(): Topic[] {
    return [...this.topics.values()];
  }
}
