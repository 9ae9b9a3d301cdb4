import { TOPICS } from '@fireline/contracts';
import { projectionHandler, serviceSubscriptionTiming, Subscription } from '@fireline/event-store';
import { createRelayHandler, MESSAGE_TRANSPORT, type MessageTransport } from '@fireline/messaging';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Pool } from 'pg';
import { INCIDENT_PG_POOL } from '../../incident-service.tokens';
import type { ApiKeyPolicy } from '../application/api-keys';
import { API_KEY_EVENT_TYPES } from '../domain/api-key.events';
import { toAccessIntegrationEvent } from '../messaging/access-integration-event.mapper';
import { apiKeysProjection } from './api-keys.projection';

/**
 * The access feature's settings: key lifetimes, how often its idle subscriptions poll (ms) and how long
 * they linger under sustained appends (ms, `SubscriptionOptions.lingerMs`; `DEFAULT_SERVICE_LINGER_MS` when left out).
 */
export interface AccessConfig {
  apiKeys: ApiKeyPolicy;
  pollIntervalMs: number;
  lingerMs?: number;
}

export const ACCESS_CONFIG = Symbol('ACCESS_CONFIG');

/** The relay publishing `fireline.access.v1`; its subscription is named `relay:<name>`. */
export const ACCESS_RELAY_NAME = 'incident-service.access';

/**
 * incident-service's access subscriptions: the `api_keys` projection and the relay that publishes
 * `ApiKeyIssuedV1` / `ApiKeyRevokedV1` on `fireline.access.v1` for the other services' replicas.
 * Both are woken after every key command (`notify`), so a revocation reaches the other services
 * after one relay round trip, not a poll interval.
 */
@Injectable()
export class AccessSubscriptions implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(AccessSubscriptions.name);
  readonly apiKeys: Subscription;
  readonly relay: Subscription;

  constructor(@Inject(INCIDENT_PG_POOL) pool: Pool, @Inject(MESSAGE_TRANSPORT) transport: MessageTransport, @Inject(ACCESS_CONFIG) config: AccessConfig) {
    const options = { ...serviceSubscriptionTiming(config), onError: (error: unknown) => this.logger.error(error instanceof Error ? error.stack : String(error)) };
    this.apiKeys = new Subscription(pool, projectionHandler(apiKeysProjection), options);
    this.relay = new Subscription(
      pool,
      createRelayHandler({ name: ACCESS_RELAY_NAME, topic: TOPICS.access, transport, eventTypes: API_KEY_EVENT_TYPES, map: toAccessIntegrationEvent }),
      { ...options, batchSize: 100 },
    );
  }

  onApplicationBootstrap(): void {
    this.apiKeys.start();
    this.relay.start();
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all([this.apiKeys.stop(), this.relay.stop()]);
  }

  notify(): void {
    this.apiKeys.notify();
    this.relay.notify();
  }
}
