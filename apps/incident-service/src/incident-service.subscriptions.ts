import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { TOPICS } from '@fireline/contracts';
import { EventStore, projectionHandler, serviceSubscriptionTiming, Subscription } from '@fireline/event-store';
import { createRelayHandler, MESSAGE_TRANSPORT, type MessageTransport } from '@fireline/messaging';
import type { Pool } from 'pg';
import type { IncidentServiceConfig } from './config/incident-service.config';
import { INCIDENT_EVENT_STORE, INCIDENT_PG_POOL } from './incident-service.tokens';
import { INCIDENT_EVENT_TYPES } from './incidents/domain/incident.events';
import { mapIncidentEventsPage } from './incidents/messaging/incident-events.relay';
import { incidentSummaryProjection } from './incidents/projections/incident-summary.projection';

export const INCIDENT_SERVICE_CONFIG = Symbol('INCIDENT_SERVICE_CONFIG');

/** The relay publishing `fireline.incidents.v1`; its subscription is named `relay:<name>`. */
export const INCIDENT_RELAY_NAME = 'incident-service.incidents';

/**
 * The subscriptions incident-service runs on its event store: the `incident_summaries` projection and
 * the relay that publishes public incident events on `fireline.incidents.v1`. Started after the app has
 * booted (every consumer has subscribed), stopped on shutdown (waiting for the page in flight)
 * before the database pool closes.
 */
@Injectable()
export class IncidentSubscriptions implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(IncidentSubscriptions.name);
  readonly summary: Subscription;
  readonly relay: Subscription;
  /** What `alsoWake` registered. */
  private readonly followers: Array<() => void> = [];

  constructor(
    @Inject(INCIDENT_PG_POOL) pool: Pool,
    @Inject(INCIDENT_EVENT_STORE) store: EventStore,
    @Inject(MESSAGE_TRANSPORT) transport: MessageTransport,
    @Inject(INCIDENT_SERVICE_CONFIG) config: IncidentServiceConfig,
  ) {
    const options = {
      ...serviceSubscriptionTiming(config.projections),
      onError: (error: unknown) => this.logger.error(error instanceof Error ? error.stack : String(error)),
    };
    this.summary = new Subscription(pool, projectionHandler(incidentSummaryProjection), options);
    this.relay = new Subscription(
      pool,
      createRelayHandler({
        name: INCIDENT_RELAY_NAME,
        topic: TOPICS.incidents,
        transport,
        // The store also holds alert events: only incident events are published on this topic.
        eventTypes: INCIDENT_EVENT_TYPES,
        mapPage: (events, tx) => mapIncidentEventsPage(store, events, tx),
      }),
      { ...options, batchSize: 100 },
    );
  }

  onApplicationBootstrap(): void {
    this.summary.start();
    this.relay.start();
  }

  /** Module destroy runs before TypeORM's shutdown hook closes the pool these loops use. */
  async onModuleDestroy(): Promise<void> {
    await Promise.all([this.summary.stop(), this.relay.stop()]);
  }

  /**
   * Registers `wake` to be called with `notify()`: other features' subscriptions to incident events (the
   * status-page workflow) are woken by incident appends without `incidents/` knowing them.
   */
  alsoWake(wake: () => void): void {
    this.followers.push(wake);
  }

  /** Wakes both loops, and what `alsoWake` registered, after an append of incident events instead of waiting for the poll interval. */
  notify(): void {
    this.summary.notify();
    this.relay.notify();
    for (const wake of this.followers) wake();
  }
}
