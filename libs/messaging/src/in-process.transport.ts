import type { IntegrationEvent, TopicName } from '@fireline/contracts';
import { consumeOnce, DEFAULT_CONSUME_RETRY_POLICY, type ConsumeRetryPolicy } from './consume';
import type { ConsumerRegistration, MessageTransport, TransportStatus } from './message-transport';

/**
 * The embedded default transport: every service runs in one process and `publish` hands each event
 * straight to the topic's consumers. Per consumer, events are delivered in publish order; consumers
 * of one topic run side by side. `publish` resolves when every consumer has committed (or
 * dead-lettered) every event, so the publishing relay advances its checkpoint only after that: a crash
 * in between redelivers, and the consumers' inboxes drop the repeats.
 */
export class InProcessTransport implements MessageTransport {
  private readonly consumers = new Map<TopicName, ConsumerRegistration[]>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private stopped = false;

  constructor(private readonly retryPolicy: ConsumeRetryPolicy = DEFAULT_CONSUME_RETRY_POLICY) {}

  subscribe(registration: ConsumerRegistration): void {
    const list = this.consumers.get(registration.topic) ?? [];
    if (list.some((r) => r.consumer === registration.consumer)) {
      throw new Error(`Consumer ${registration.consumer} is already subscribed to ${registration.topic}`);
    }
    this.consumers.set(registration.topic, [...list, registration]);
  }

  async start(): Promise<void> {
    this.stopped = false;
  }

  /** @throws Error after `stop()`: the relay keeps its checkpoint and republishes on next start. */
  async publish(topic: TopicName, events: IntegrationEvent[]): Promise<void> {
    if (this.stopped) throw new Error('InProcessTransport is stopped');
    const registrations = this.consumers.get(topic) ?? [];
    const delivery = Promise.all(
      registrations.map(async (registration) => {
        for (const event of events) await consumeOnce(registration, event, this.retryPolicy, { stopping: () => this.stopped });
      }),
    );
    this.inFlight.add(delivery);
    try {
      await delivery;
    } finally {
      this.inFlight.delete(delivery);
    }
  }

  /** Up unless stopped; no lag (publish waits for every consumer) and no `.dlq` topics (parked messages are in `dead_letters`). */
  async status(): Promise<TransportStatus> {
    return {
      transport: 'in-process',
      up: !this.stopped,
      problems: this.stopped ? ['transport is stopped'] : [],
      consumerLag: [],
      deadLetterTopics: [],
      deadLetteredSinceStart: 0,
    };
  }

  /** Refuses new publishes and waits for deliveries in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled([...this.inFlight]);
  }
}
