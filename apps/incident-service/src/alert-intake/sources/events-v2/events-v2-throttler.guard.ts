import { Inject, Injectable, type ExecutionContext, type Provider } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ThrottlerGuard } from '@nestjs/throttler';
import { EventsV2ThrottlerStorage } from './events-v2-throttler.storage';
import { DEFAULT_ALERTS_CONFIG, type IncidentServiceConfig } from '../../../config/incident-service.config';
import { credentialHashFor } from '../../integrations/domain/integration-credentials';
import { INCIDENT_SERVICE_CONFIG } from '../../../incident-service.subscriptions';

/** The throttler's in-memory counters (one store per incident-service module, shared by its guard instances). */
export const EVENTS_V2_THROTTLER_STORAGE = Symbol('EVENTS_V2_THROTTLER_STORAGE');

/** The storage, one per incident-service module (`EventsV2ThrottlerStorage`: O(1) per request). */
export const EVENTS_V2_THROTTLER_STORAGE_PROVIDER: Provider = { provide: EVENTS_V2_THROTTLER_STORAGE, useClass: EventsV2ThrottlerStorage };

/** The window of `ALERTS_RATE_LIMIT_PER_MINUTE`. */
export const EVENTS_V2_RATE_WINDOW_MS = 60_000;

/**
 * Who a delivery counts against: the routing key of the parsed body (hashed, so no credential sits in
 * memory as a map key), else the client address (a body without a routing key is refused anyway, but
 * must not be free to flood).
 */
export function eventsV2TrackerOf(request: { body?: unknown; ip?: string }): string {
  const body = request.body;
  const routingKey = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as { routing_key?: unknown }).routing_key : undefined;
  if (typeof routingKey === 'string' && routingKey !== '') return `routing-key:${credentialHashFor(body as object, routingKey)}`;
  return `ip:${request.ip ?? 'unknown'}`;
}

/**
 * Rate limit of `POST /v2/enqueue`, like PagerDuty's per-integration-key limit on its Events API
 * (a PagerDuty answer on their community forum: "Events - 120/min (enforced per-integration-key)";
 * Events API v2 answers 429 when exceeded). `@nestjs/throttler`'s guard with the routing key as the
 * tracker, `ALERTS_RATE_LIMIT_PER_MINUTE` per 60 s (default 6000), fixed window then blocked until it
 * ends (counted in `EventsV2ThrottlerStorage`); `Retry-After` is set. A throttled delivery is refused before the controller runs, so it is not
 * recorded in `alert_intake` at all: the ledger is what a flood would otherwise fill, and the sender
 * knows it must retry (429 is retryable for every Events API client). The 429 body is made
 * PagerDuty-shaped by `EventsV2ReplyShapeHook`.
 *
 * Scope: counters are in memory, per instance (N instances allow N × the limit). Used only through
 * `@UseGuards` on the route, not as a global guard, and without importing `ThrottlerModule`, which is
 * `@Global()` and would leak into the platform's other services.
 */
@Injectable()
export class EventsV2ThrottlerGuard extends ThrottlerGuard {
  constructor(@Inject(INCIDENT_SERVICE_CONFIG) config: IncidentServiceConfig, @Inject(EVENTS_V2_THROTTLER_STORAGE) storage: EventsV2ThrottlerStorage, reflector: Reflector) {
    const limit = (config.alerts ?? DEFAULT_ALERTS_CONFIG).rateLimitPerMinute;
    super({ throttlers: [{ ttl: EVENTS_V2_RATE_WINDOW_MS, limit }] }, storage, reflector);
  }

  protected override getTracker(request: Record<string, unknown>): Promise<string> {
    return Promise.resolve(eventsV2TrackerOf(request as { body?: unknown; ip?: string }));
  }

  /**
   * The counter's key: the throttler's name and the tracker (already a hash, or an address). The base
   * class hashes class, handler, name and tracker with sha256 on every request; this guard serves one
   * route, so the tracker alone is unique.
   */
  protected override generateKey(_context: ExecutionContext, tracker: string, throttlerName: string): string {
    return `${throttlerName}:${tracker}`;
  }
}
