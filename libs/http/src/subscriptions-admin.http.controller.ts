import { RequireScopes } from '@fireline/auth';
import { Controller, Get, HttpCode, Inject, Param, Post, UseInterceptors, type Type } from '@nestjs/common';
import { ApiConflictResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IllegalStateError, NotFoundError } from '@fireline/errors';
import { projectionSubscriptionName, rebuildProjection, RebuildInProgressError, subscriptionStatuses, type Projection, type SubscriptionStatus } from '@fireline/event-store';
import type { Pool } from 'pg';
import { IdempotencyInterceptorFor } from './idempotency.interceptor';

/** What a service exposes to operators: its projections (rebuildable) and its other subscriptions (relays). */
export interface SubscriptionsAdminOptions {
  /** Route prefix, e.g. `v1/admin/incident-service` (unique per service: the platform mounts several). */
  path: string;
  /** Injection token of the service's `pg.Pool`. */
  poolToken: string | symbol;
  projections: readonly Projection[];
  /**
   * Names of the service's other subscriptions; the prefix gives the kind:
   * `relay:incident-service.incidents`, `workflow:open-incident-when-alert-triggered`.
   */
  otherSubscriptions: readonly string[];
}

export interface SubscriptionStatusView {
  name: string;
  kind: 'projection' | 'relay' | 'workflow';
  checkpoint: { transactionId: string; globalPosition: string };
  /** Events not yet handled (lag). */
  behind: number;
  updatedAt: string | null;
}

/**
 * Operations endpoints of one event-sourced service:
 * - `GET <path>/subscriptions`: each projection and relay with its checkpoint and lag in events;
 * - `POST <path>/projections/{name}/rebuild`: rebuilds the read model from position zero into a shadow
 *   table and swaps it in atomically (readers never see a half-built table; see `rebuildProjection`).
 *   Safe to repeat. 404 `PROJECTION.NOT_FOUND` for an unknown name; 409 `PROJECTION.REBUILD_IN_PROGRESS`
 *   while a rebuild of it runs (here or in another instance).
 * POSTs honour `Idempotency-Key` (the service's database needs `CreateIdempotencyKeys1732000000200`).
 * Both need scope `admin`.
 */
export function SubscriptionsAdminControllerFor(options: SubscriptionsAdminOptions): Type<unknown> {
  const byName = new Map(options.projections.map((projection) => [projection.name, projection]));
  const kinds = new Map<string, SubscriptionStatusView['kind']>([
    ...options.projections.map((p) => [projectionSubscriptionName(p), 'projection'] as const),
    ...options.otherSubscriptions.map((name) => [name, name.startsWith('workflow:') ? 'workflow' : 'relay'] as const),
  ]);

  @ApiTags('operations')
  @Controller(options.path)
  @UseInterceptors(IdempotencyInterceptorFor(options.poolToken))
  class SubscriptionsAdminController {
    constructor(@Inject(options.poolToken) private readonly pool: Pool) {}

    @Get('subscriptions')
    @RequireScopes('admin')
    @ApiOperation({ summary: 'Projections, relays and workflows: checkpoint and lag (events behind)' })
    async list(): Promise<{ items: SubscriptionStatusView[] }> {
      const statuses = await subscriptionStatuses(this.pool, [...kinds.keys()]);
      return { items: statuses.map((status: SubscriptionStatus) => ({ ...toView(status), kind: kinds.get(status.name) ?? 'relay' })) };
    }

    @Post('projections/:name/rebuild')
    @HttpCode(200)
    @RequireScopes('admin')
    @ApiOperation({ summary: 'Rebuild a read model from the event store and swap it in atomically' })
    @ApiConflictResponse({ description: 'PROJECTION.REBUILD_IN_PROGRESS: a rebuild of it is running (here or in another instance)' })
    async rebuild(@Param('name') name: string): Promise<{ name: string; eventsApplied: number }> {
      const projection = byName.get(name);
      if (!projection) {
        throw new NotFoundError('PROJECTION.NOT_FOUND', `No projection named ${name}; known: ${[...byName.keys()].join(', ')}`);
      }
      try {
        const { eventsApplied } = await rebuildProjection(this.pool, projection);
        return { name, eventsApplied };
      } catch (error: unknown) {
        if (error instanceof RebuildInProgressError) {
          throw new IllegalStateError('PROJECTION.REBUILD_IN_PROGRESS', `${error.message}; try again when it has finished`, { projection: name });
        }
        throw error;
      }
    }
  }
  return SubscriptionsAdminController;
}

function toView(status: SubscriptionStatus): Omit<SubscriptionStatusView, 'kind'> {
  return { name: status.name, checkpoint: status.checkpoint, behind: status.behind, updatedAt: status.updatedAt?.toISOString() ?? null };
}
