import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { ObservedService } from './observed-service';
import type { ProcessStatus } from './service-status';

/**
 * The Prometheus metrics of one process (prom-client, one `Registry` per app so that several apps in
 * one test process do not collide). Values are read at scrape time from `ProcessStatus`:
 *
 * | metric | labels | meaning |
 * | --- | --- | --- |
 * | `fireline_ready` | | 1 when `/health/ready` answers 200 |
 * | `fireline_database_up` | service | 1 when the service's database answers |
 * | `fireline_transport_up` | transport | 1 when the message transport is up |
 * | `fireline_subscription_lag_events` | service, subscription, kind | events a projection/relay/workflow has not handled |
 * | `fireline_relay_backlog_events` | service | events in the store not yet published (sum over relays) |
 * | `fireline_dead_letters` | service, consumer | messages parked in the service's `dead_letters` table |
 * | `fireline_kafka_consumer_lag_messages` | group, topic, partition | high watermark − committed offset |
 * | `fireline_kafka_dlq_messages` | topic | messages in a subscribed topic's `.dlq` |
 * | `fireline_kafka_dead_lettered_since_start` | | messages this instance copied to a `.dlq` |
 * | `fireline_<gauge>` | service, gauge label | each `ServiceGauge` |
 *
 * plus prom-client's default `process_*` and `nodejs_*` metrics.
 */
export class ProcessMetrics {
  readonly registry = new Registry();
  private readonly ready = this.gauge('fireline_ready', 'Whether /health/ready answers 200 (1) or 503 (0).', []);
  private readonly databaseUp = this.gauge('fireline_database_up', "Whether the service's database answers (1) or not (0).", ['service']);
  private readonly transportUp = this.gauge('fireline_transport_up', 'Whether the message transport is up (1) or not (0).', ['transport']);
  private readonly subscriptionLag = this.gauge('fireline_subscription_lag_events', 'Events a projection, relay or workflow has not handled yet.', ['service', 'subscription', 'kind']);
  private readonly relayBacklog = this.gauge('fireline_relay_backlog_events', 'Events in the event store not yet published to the transport (relay backlog).', ['service']);
  private readonly deadLetters = this.gauge('fireline_dead_letters', "Messages parked in the service's dead_letters table.", ['service', 'consumer']);
  private readonly consumerLag = this.gauge('fireline_kafka_consumer_lag_messages', 'Kafka consumer lag: high watermark minus committed offset.', ['group', 'topic', 'partition']);
  private readonly dlqMessages = this.gauge('fireline_kafka_dlq_messages', "Messages in a subscribed topic's dead-letter topic (<topic>.dlq).", ['topic']);
  private readonly deadLetteredSinceStart = this.gauge('fireline_kafka_dead_lettered_since_start', 'Messages this instance copied to a .dlq topic since the transport started.', []);
  private readonly serviceGauges = new Map<string, { gauge: Gauge; label: string }>();

  constructor(services: readonly ObservedService[]) {
    collectDefaultMetrics({ register: this.registry });
    for (const gauge of services.flatMap((service) => service.gauges ?? [])) {
      if (!this.serviceGauges.has(gauge.name)) this.serviceGauges.set(gauge.name, { gauge: this.gauge(`fireline_${gauge.name}`, gauge.help, ['service', gauge.label]), label: gauge.label });
    }
  }

  /** Sets every gauge from `status` and renders the registry in the Prometheus text format (0.0.4). */
  async render(status: ProcessStatus): Promise<string> {
    for (const metric of [this.databaseUp, this.transportUp, this.subscriptionLag, this.relayBacklog, this.deadLetters, this.consumerLag, this.dlqMessages])
      metric.reset();
    for (const { gauge } of this.serviceGauges.values()) gauge.reset();
    this.ready.set(status.ready ? 1 : 0);
    this.transportUp.set({ transport: status.transport.transport }, status.transport.up ? 1 : 0);
    this.deadLetteredSinceStart.set(status.transport.deadLetteredSinceStart);
    for (const lag of status.transport.consumerLag) this.consumerLag.set({ group: lag.groupId, topic: lag.topic, partition: String(lag.partition) }, lag.lag);
    for (const dlq of status.transport.deadLetterTopics) this.dlqMessages.set({ topic: dlq.topic }, dlq.messages);
    for (const service of status.services) {
      this.databaseUp.set({ service: service.name }, service.database.up ? 1 : 0);
      if (!service.database.up) continue;
      if (service.subscriptions.some((s) => s.kind === 'relay')) this.relayBacklog.set({ service: service.name }, service.relayBacklog);
      for (const s of service.subscriptions) this.subscriptionLag.set({ service: service.name, subscription: s.name, kind: s.kind }, s.behind);
      for (const d of service.deadLetters) this.deadLetters.set({ service: service.name, consumer: d.consumer }, d.count);
      for (const [name, values] of Object.entries(service.gauges)) {
        const found = this.serviceGauges.get(name);
        if (found) for (const [value, count] of Object.entries(values)) found.gauge.set({ service: service.name, [found.label]: value }, count);
      }
    }
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private gauge(name: string, help: string, labelNames: string[]): Gauge {
    return new Gauge({ name, help, labelNames, registers: [this.registry] });
  }
}
