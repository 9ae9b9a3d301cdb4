import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { TOPICS } from '@fireline/contracts';
import { EventStore, projectionHandler, serviceSubscriptionTiming, Subscription } from '@fireline/event-store';
import { createRelayHandler, MESSAGE_TRANSPORT, type MessageTransport } from '@fireline/messaging';
import type { Pool } from 'pg';
import { DEFAULT_STATUS_PAGES_CONFIG, type IncidentServiceConfig } from '../../config/incident-service.config';
import { INCIDENT_EVENT_STORE, INCIDENT_PG_POOL } from '../../incident-service.tokens';
import { INCIDENT_SERVICE_CONFIG } from '../../incident-service.subscriptions';
import { STATUS_PAGE_EVENT_TYPES } from '../domain/status-page.events';
import { mapStatusPageEventsPage } from '../messaging/status-page-events.relay';
import { maintenanceTimersProjection } from './maintenance-timers.projection';
import { statusPageViewProjection } from './status-page-view.projection';

/** The relay publishing `fireline.status-pages.v1`; its subscription is `relay:<name>`. */
export const STATUS_PAGE_RELAY_NAME = 'incident-service.status-pages';

/**
 * The status pages' subscriptions on incident-service's event store: the `status_page_views` read model,
 * the maintenance timers table, and the relay publishing public status-page events. Started after boot,
 * stopped before the pool closes.
 */
@Injectable()
export class StatusPageSubscriptions implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(StatusPageSubscriptions.name);
  readonly views: Subscription;
  readonly timers: Subscription;
  readonly relay: Subscription;

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
    const baseUrl = (config.statusPages ?? DEFAULT_STATUS_PAGES_CONFIG).publicBaseUrl;
    this.views = new Subscription(pool, projectionHandler(statusPageViewProjection), options);
    this.timers = new Subscription(pool, projectionHandler(maintenanceTimersProjection), options);
    this.relay = new Subscription(
      pool,
      createRelayHandler({
        name: STATUS_PAGE_RELAY_NAME,
        topic: TOPICS.statusPages,
        transport,
        eventTypes: STATUS_PAGE_EVENT_TYPES,
        mapPage: (events, tx) => mapStatusPageEventsPage(store, events, tx, baseUrl),
      }),
      { ...options, batchSize: 100 },
    );
  }

  onApplicationBootstrap(): void {
    this.views.start();
    this.timers.start();
    this.relay.start();
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all([this.views.stop(), this.timers.stop(), this.relay.stop()]);
  }

  /** Wakes the loops after an append. */
  notify(): void {
    this.views.notify();
    this.timers.notify();
    this.relay.notify();
  }
}
