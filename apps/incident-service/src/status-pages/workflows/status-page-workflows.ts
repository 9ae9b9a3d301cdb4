import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { DomainError } from '@fireline/errors';
import { EventStore, serviceSubscriptionTiming, Subscription, type RecordedEvent } from '@fireline/event-store';
import type { Pool, PoolClient } from 'pg';
import type { IncidentServiceConfig } from '../../config/incident-service.config';
import { INCIDENT_EVENT_TYPES, type IncidentEvent } from '../../incidents/domain/incident.events';
import { incidentStreamId } from '../../incidents/application/incident-stream';
import { INCIDENT_EVENT_STORE, INCIDENT_PG_POOL } from '../../incident-service.tokens';
import { INCIDENT_SERVICE_CONFIG, IncidentSubscriptions } from '../../incident-service.subscriptions';
import { ExecuteStatusPageCommand } from '../application/execute-status-page.command';
import { publicIncidentFacts } from '../domain/public-incident-facts';
import { syncCommandFor, UPDATE_STATUS_PAGE_WHEN_INCIDENT_CHANGED, type SyncTrigger } from './update-status-page-when-incident-changed.workflow';

/**
 * Runs `update-status-page-when-incident-changed` as a durable subscription over the one event store
 * (incident events and the pages' `IncidentPublished` / `IncidentUnpublished`), in global order:
 * - a publication records the (incident, page) link in `status_page_incident_links` — in the page's
 *   transaction, together with the checkpoint — and syncs that page;
 * - any event of a linked incident syncs every page it is published on, once per batch, with the facts
 *   of the incident's whole stream (so a fact that raced the publication is caught up either way).
 * The sync commands run through the page command path in their own transactions; a failed batch is
 * redelivered and their derived command ids make it append nothing twice. A `DomainError` (e.g. the
 * page refuses) is logged and acknowledged, never retried forever.
 */
@Injectable()
export class StatusPageWorkflows implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(StatusPageWorkflows.name);
  readonly updatePages: Subscription;

  constructor(
    @Inject(INCIDENT_PG_POOL) pool: Pool,
    @Inject(INCIDENT_EVENT_STORE) private readonly store: EventStore,
    private readonly commands: CommandBus,
    @Inject(INCIDENT_SERVICE_CONFIG) config: IncidentServiceConfig,
    incidentSubscriptions: IncidentSubscriptions,
  ) {
    this.updatePages = new Subscription(
      pool,
      { name: UPDATE_STATUS_PAGE_WHEN_INCIDENT_CHANGED, eventTypes: [...INCIDENT_EVENT_TYPES, 'IncidentPublished', 'IncidentUnpublished'], handle: (events, tx) => this.react(events, tx) },
      { batchSize: 100, ...serviceSubscriptionTiming(config.projections), onError: (error: unknown) => this.logger.error(error instanceof Error ? error.stack : String(error)) },
    );
    // Woken by incident appends; publications wake it through `notify()` (ExecuteStatusPageCommandHandler).
    incidentSubscriptions.alsoWake(() => this.updatePages.notify());
  }

  onApplicationBootstrap(): void {
    this.updatePages.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.updatePages.stop();
  }

  /** Wakes the loop after a status page's `IncidentPublished` / `IncidentUnpublished` was appended. */
  notify(): void {
    this.updatePages.notify();
  }

  private async react(events: RecordedEvent[], tx: PoolClient): Promise<void> {
    // (incident, page) -> the last trigger in this batch.
    const syncs = new Map<string, { incidentId: string; pageId: string; trigger: SyncTrigger }>();
    const trigger = (recorded: RecordedEvent): SyncTrigger => ({
      eventId: recorded.eventId,
      correlationId: typeof recorded.metadata.correlationId === 'string' ? recorded.metadata.correlationId : recorded.eventId,
      at: (recorded.data as { at: string }).at,
    });
    for (const recorded of events) {
      if (recorded.type === 'IncidentPublished' || recorded.type === 'IncidentUnpublished') {
        const { incidentId, pageId } = recorded.data as { incidentId: string; pageId: string };
        if (recorded.type === 'IncidentUnpublished') {
          await tx.query('DELETE FROM status_page_incident_links WHERE incident_id = $1 AND page_id = $2', [incidentId, pageId]);
          syncs.delete(`${incidentId}|${pageId}`);
          continue;
        }
        await tx.query('INSERT INTO status_page_incident_links (incident_id, page_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [incidentId, pageId]);
        syncs.set(`${incidentId}|${pageId}`, { incidentId, pageId, trigger: trigger(recorded) });
        continue;
      }
      const { incidentId } = recorded.data as IncidentEvent['data'];
      const links = await tx.query<{ page_id: string }>('SELECT page_id FROM status_page_incident_links WHERE incident_id = $1', [incidentId]);
      for (const { page_id: pageId } of links.rows) syncs.set(`${incidentId}|${pageId}`, { incidentId, pageId, trigger: trigger(recorded) });
    }
    const factsByIncident = new Map<string, ReturnType<typeof publicIncidentFacts>>();
    for (const { incidentId, pageId, trigger: cause } of syncs.values()) {
      if (!factsByIncident.has(incidentId)) {
        const { events: stream } = await this.store.readStream(incidentStreamId(incidentId));
        factsByIncident.set(incidentId, publicIncidentFacts(stream.map((e) => ({ type: e.type, data: e.data }) as IncidentEvent)));
      }
      const facts = factsByIncident.get(incidentId);
      if (!facts) continue;
      try {
        await this.commands.execute(new ExecuteStatusPageCommand(syncCommandFor(pageId, facts, cause)));
      } catch (error: unknown) {
        if (!(error instanceof DomainError) || error.kind === 'concurrency') throw error;
        this.logger.warn(`Syncing incident ${incidentId} to page ${pageId} refused (${error.code}): acknowledged, not retried`);
      }
    }
  }
}
