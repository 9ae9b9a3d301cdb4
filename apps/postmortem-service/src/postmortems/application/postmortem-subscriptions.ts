import { TOPICS } from '@fireline/contracts';
import { projectionHandler, serviceSubscriptionTiming, Subscription, type SubscriptionHandler } from '@fireline/event-store';
import { createRelayHandler, MESSAGE_TRANSPORT, type MessageTransport } from '@fireline/messaging';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Pool } from 'pg';
import { RELAYED_POSTMORTEM_EVENT_TYPES, toPostmortemIntegrationEvent } from '../messaging/postmortem-integration-event.mapper';
import { actionItemsProjection } from '../projections/action-items.projection';
import { postmortemSummaryProjection } from '../projections/postmortem-summary.projection';
import type { PostmortemServiceConfig } from '../../config/postmortem-service.config';
import { POSTMORTEM_PG_POOL, POSTMORTEM_SERVICE_CONFIG } from './postmortem.tokens';

/** Name of the relay publishing `fireline.postmortems.v1` (its subscription is `relay:<name>`). */
export const POSTMORTEM_RELAY_NAME = 'postmortem-service.postmortems-v1';

/**
 * The service's event-store subscriptions: the two read-model projections and the relay that
 * publishes the public postmortem events. Started at application bootstrap, stopped on shutdown.
 */
@Injectable()
export class PostmortemSubscriptions {
  private readonly logger = new Logger(PostmortemSubscriptions.name);
  private readonly subscriptions: Subscription[];

  constructor(
    @Inject(POSTMORTEM_PG_POOL) pool: Pool,
    @Inject(MESSAGE_TRANSPORT) transport: MessageTransport,
    @Inject(POSTMORTEM_SERVICE_CONFIG) config: PostmortemServiceConfig,
  ) {
    const relay: SubscriptionHandler = createRelayHandler({
      name: POSTMORTEM_RELAY_NAME,
      topic: TOPICS.postmortems,
      transport,
      eventTypes: RELAYED_POSTMORTEM_EVENT_TYPES,
      map: toPostmortemIntegrationEvent,
    });
    const onError = (error: unknown): void => this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    this.subscriptions = [projectionHandler(postmortemSummaryProjection), projectionHandler(actionItemsProjection), relay].map(
      (handler) => new Subscription(pool, handler, {
        onError,
        ...serviceSubscriptionTiming(config.projections ?? { pollIntervalMs: 100 }),
      }),
    );
  }

  start(): void {
    for (const subscription of this.subscriptions) subscription.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.subscriptions.map((subscription) => subscription.stop()));
  }

  /** Wakes every loop now (after an append), instead of after its poll interval. */
  notify(): void {
    for (const subscription of this.subscriptions) subscription.notify();
  }
}
