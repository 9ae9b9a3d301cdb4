import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { DomainError } from '@fireline/errors';
import { EventStore, serviceSubscriptionTiming, Subscription, type RecordedEvent } from '@fireline/event-store';
import type { Pool } from 'pg';
import type { IncidentServiceConfig } from '../../config/incident-service.config';
import { INCIDENT_EVENT_STORE, INCIDENT_PG_POOL } from '../../incident-service.tokens';
import { INCIDENT_SERVICE_CONFIG } from '../../incident-service.subscriptions';
import { ExecuteIncidentCommand } from '../application/execute-incident.command';
import { incidentStreamId } from '../application/incident-stream';
import type { IncidentEvent, IncidentResolved } from '../domain/incident.events';
import { CLOSE_INCIDENT_WHEN_POSTMORTEM_NOT_REQUIRED, closeIncidentWhenPostmortemNotRequired } from './close-incident-when-postmortem-not-required.workflow';

/**
 * Runs close-incident-when-postmortem-not-required as a subscription on incident-service's event store
 * (`IncidentResolved` only): durable checkpoint, one instance at a time, in global order; woken by the
 * command path after a resolution (`ExecuteIncidentCommandHandler`), else polled. The close goes
 * through the shared command path (`ExecuteIncidentCommand`) with the stream version it decided on as
 * the expected version, so a reopen that lands in between fails the append (`ConcurrencyError`), the page
 * is redelivered and decided again. Refusals (`DomainError` other than a conflict, e.g. closed by hand
 * meanwhile) are logged and acknowledged.
 */
@Injectable()
export class IncidentWorkflows implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(IncidentWorkflows.name);
  readonly closeWhenPostmortemNotRequired: Subscription;

  constructor(
    @Inject(INCIDENT_PG_POOL) pool: Pool,
    @Inject(INCIDENT_EVENT_STORE) private readonly store: EventStore,
    private readonly commands: CommandBus,
    @Inject(INCIDENT_SERVICE_CONFIG) config: IncidentServiceConfig,
  ) {
    this.closeWhenPostmortemNotRequired = new Subscription(
      pool,
      { name: CLOSE_INCIDENT_WHEN_POSTMORTEM_NOT_REQUIRED, eventTypes: ['IncidentResolved'], handle: (events) => this.react(events) },
      {
        batchSize: 100,
        ...serviceSubscriptionTiming(config.projections),
        onError: (error: unknown) => this.logger.error(error instanceof Error ? error.stack : String(error)),
      },
    );
  }

  onApplicationBootstrap(): void {
    this.closeWhenPostmortemNotRequired.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.closeWhenPostmortemNotRequired.stop();
  }

  private async react(events: RecordedEvent[]): Promise<void> {
    for (const recorded of events) {
      const event = { type: recorded.type, data: recorded.data } as IncidentResolved;
      if (event.data.postmortem?.required !== false) continue;
      const { events: stream, currentVersion } = await this.store.readStream(incidentStreamId(event.data.incidentId));
      const command = closeIncidentWhenPostmortemNotRequired(
        { eventId: recorded.eventId, event, correlationId: recorded.metadata.correlationId ?? recorded.eventId },
        stream.map((e) => ({ eventId: e.eventId, event: { type: e.type, data: e.data } as IncidentEvent })),
      );
      if (command === null) continue;
      try {
        await this.commands.execute(new ExecuteIncidentCommand(command, currentVersion));
        this.logger.log(`Incident ${event.data.incidentId} closed: ${command.data.reason?.text ?? ''}`);
      } catch (error: unknown) {
        if (!(error instanceof DomainError) || error.kind === 'concurrency') throw error;
        this.logger.warn(`CloseIncident for resolution ${recorded.eventId} refused (${error.code}): acknowledged, not retried`);
      }
    }
  }
}
