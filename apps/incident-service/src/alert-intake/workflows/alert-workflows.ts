import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { DomainError } from '@fireline/errors';
import { EventStore, forEachConcurrently, serviceSubscriptionTiming, Subscription, type RecordedEvent, type SubscriptionHandler } from '@fireline/event-store';
import type { Pool } from 'pg';
import { DEFAULT_ALERT_INTAKE_CONFIG, type IncidentServiceConfig } from '../../config/incident-service.config';
import { ExecuteIncidentCommand } from '../../incidents/application/execute-incident.command';
import type { IncidentEvent } from '../../incidents/domain/incident.events';
import { incidentStreamId } from '../../incidents/application/incident-stream';
import { INCIDENT_EVENT_STORE, INCIDENT_PG_POOL } from '../../incident-service.tokens';
import { INCIDENT_SERVICE_CONFIG } from '../../incident-service.subscriptions';
import type { Integration } from '../integrations/domain/integration';
import { IntegrationRepository } from '../integrations/persistence/integration.repository';
import { ALERT_EVENT_TYPES, type AlertEvent } from '../domain/alert.events';
import { incidentIdOfAlert, isIncidentOpen, OPEN_INCIDENT_WHEN_ALERT_TRIGGERED, type VersionedAlertEvent } from './alert-incident';
import { AlertIncidentRepository, type IncarnationIncident } from './alert-incident.repository';
import { incidentCommandsForAlert } from './incident-commands-for-alert';

/** Alert streams whose events one page reacts to at once (`AlertWorkflows.react`). */
export const REACTIONS_IN_PARALLEL = 8;

/**
 * Runs the alert workflows (`incidentCommandsForAlert`: declare, attach, raise severity, summarise
 * membership, acknowledge, resolve) as one subscription on the event store: durable (its
 * checkpoint is in the database, so a restart resumes where it stopped), one instance at a time
 * (advisory lock), in global order per alert (see `react`). Incident commands go through the existing incident command path
 * (`ExecuteIncidentCommand` on the CommandBus) in their own transactions; a page that fails is
 * redelivered, and the derived command ids make the replayed commands append nothing new.
 *
 * Outcomes per event: success, or a `DomainError` other than a concurrency conflict (e.g. the
 * incident was resolved or closed by a human: `IllegalStateError`) — logged and acknowledged, never
 * retried forever. Anything else (database down, conflicts past the retries) fails the page, which
 * the subscription retries with backoff.
 */
@Injectable()
export class AlertWorkflows implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(AlertWorkflows.name);
  readonly openIncidents: Subscription;
  private readonly membershipNoteWindowMs: number;

  constructor(
    @Inject(INCIDENT_PG_POOL) pool: Pool,
    @Inject(INCIDENT_EVENT_STORE) private readonly store: EventStore,
    private readonly commands: CommandBus,
    private readonly integrations: IntegrationRepository,
    private readonly alertIncidents: AlertIncidentRepository,
    @Inject(INCIDENT_SERVICE_CONFIG) config: IncidentServiceConfig,
  ) {
    this.membershipNoteWindowMs = (config.alertIntake ?? DEFAULT_ALERT_INTAKE_CONFIG).membershipNoteWindowMs;
    const handler: SubscriptionHandler = {
      name: OPEN_INCIDENT_WHEN_ALERT_TRIGGERED,
      eventTypes: [...ALERT_EVENT_TYPES],
      handle: (events) => this.react(events),
    };
    this.openIncidents = new Subscription(pool, handler, {
      batchSize: 100,
      ...serviceSubscriptionTiming(config.projections),
      onError: (error: unknown) => this.logger.error(error instanceof Error ? error.stack : String(error)),
    });
  }

  onApplicationBootstrap(): void {
    this.openIncidents.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.openIncidents.stop();
  }

  /** Wakes the loop after an alert append instead of waiting for the poll interval. */
  notify(): void {
    this.openIncidents.notify();
  }

  /**
   * Reacts to a page of alert events: each alert stream's events in order, different streams (different
   * incidents: an alert's incarnations only ever reach its own incidents) up to
   * `REACTIONS_IN_PARALLEL` at once, so a storm of new alerts opens its incidents in parallel instead
   * of one round trip chain after another. A failure fails the page once the others have finished; the
   * page is then redelivered and the reactions that were done append nothing again (command ids derive
   * from the alert event).
   */
  private async react(events: RecordedEvent[]): Promise<void> {
    const integrations = new Map<string, Promise<Integration | null>>();
    const byStream = new Map<string, RecordedEvent[]>();
    for (const recorded of events) {
      const stream = byStream.get(recorded.streamId);
      if (stream) stream.push(recorded);
      else byStream.set(recorded.streamId, [recorded]);
    }
    await forEachConcurrently([...byStream.values()], REACTIONS_IN_PARALLEL, async (streamEvents) => {
      for (const recorded of streamEvents) await this.reactToOne(recorded, integrations);
    });
  }

  private async reactToOne(recorded: RecordedEvent, integrations: Map<string, Promise<Integration | null>>): Promise<void> {
    const event = { type: recorded.type, data: recorded.data } as AlertEvent;
    const { integrationId } = event.data;
    if (!integrations.has(integrationId)) integrations.set(integrationId, this.integrations.findAnyById(integrationId));
    const integration = await integrations.get(integrationId);
    if (!integration) {
      this.logger.warn(`Alert event ${recorded.eventId}: integration ${integrationId} does not exist; skipped`);
      return;
    }
    const target = await this.incidentOf(event, recorded.streamId);
    const needsHistory =
      event.type === 'AlertMemberResolved' || event.type === 'AlertResolved' || (event.type === 'AlertRetriggered' && event.data.fingerprint !== undefined);
    const commands = incidentCommandsForAlert(event, {
      eventId: recorded.eventId,
      correlationId: typeof recorded.metadata.correlationId === 'string' ? recorded.metadata.correlationId : recorded.eventId,
      integration,
      incidentId: target.incidentId,
      attached: target.attached,
      incidentEvents: await this.incidentEvents(target.incidentId),
      version: recorded.version,
      ...(needsHistory ? { alertHistory: await this.alertHistory(recorded.streamId) } : {}),
      membershipNoteWindowMs: this.membershipNoteWindowMs,
    });
    for (const command of commands) {
      try {
        await this.commands.execute(new ExecuteIncidentCommand(command));
      } catch (error: unknown) {
        if (!(error instanceof DomainError) || error.kind === 'concurrency') throw error;
        this.logger.warn(`${command.type} for alert event ${recorded.eventId} refused (${error.code}): acknowledged, not retried`);
      }
    }
  }

  /**
   * The incident of the event's incarnation, decided once when it opens (`alert_incidents`): the
   * previous incarnation's incident while that is still open (a human kept it open, or the integration
   * never resolves), else its own new one. Events of incarnations opened before the table existed use
   * their own incident.
   */
  private async incidentOf(event: AlertEvent, streamId: string): Promise<IncarnationIncident> {
    const { integrationId, dedupKey, incarnation } = event.data;
    const stored = await this.alertIncidents.find(streamId, incarnation);
    if (stored) return stored;
    const own = { incidentId: incidentIdOfAlert(integrationId, dedupKey, incarnation), attached: false };
    if (event.type !== 'AlertTriggered') return own;
    if (incarnation > 1) {
      const previous = (await this.alertIncidents.find(streamId, incarnation - 1)) ?? { incidentId: incidentIdOfAlert(integrationId, dedupKey, incarnation - 1) };
      if (isIncidentOpen(await this.incidentEvents(previous.incidentId))) {
        return this.alertIncidents.decide(streamId, incarnation, { incidentId: previous.incidentId, attached: true });
      }
    }
    return this.alertIncidents.decide(streamId, incarnation, own);
  }

  private async alertHistory(streamId: string): Promise<VersionedAlertEvent[]> {
    const { events } = await this.store.readStream(streamId);
    return events.map((e) => ({ version: e.version, event: { type: e.type, data: e.data } as AlertEvent }));
  }

  private async incidentEvents(incidentId: string): Promise<IncidentEvent[]> {
    const { events } = await this.store.readStream(incidentStreamId(incidentId));
    return events.map((e) => ({ type: e.type, data: e.data }) as IncidentEvent);
  }
}
