import {
  INCIDENT_INTEGRATION_EVENT_TYPES_V1,
  TOPICS,
  type IncidentIntegrationEventV1,
  type IntegrationEvent,
} from '@fireline/contracts';
import { ValidationError } from '@fireline/errors';
import type { ConsumerRegistration } from '@fireline/messaging';
import { Inject, Injectable } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import { POSTMORTEM_PG_POOL } from '../application/postmortem.tokens';
import { toTimelineEntryRow } from '../workflows/incident-timeline-entry.mapper';
import { IncidentTimelineRepository } from '../workflows/incident-timeline.repository';
import { DraftPostmortemWhenIncidentResolvedWorkflow } from '../workflows/draft-postmortem-when-incident-resolved.workflow';

/** Consumer-group name of the incident events consumer (stable across deploys: it keys the inbox). */
export const INCIDENT_TIMELINE_CONSUMER = 'postmortem-service.incident-timeline';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const KNOWN_TYPES = new Set<string>(INCIDENT_INTEGRATION_EVENT_TYPES_V1);

function isIncidentEventV1(event: IntegrationEvent): event is IncidentIntegrationEventV1 {
  return event.version === 1 && KNOWN_TYPES.has(event.type);
}

/** A malformed message fails the same way on every attempt: a DomainError sends it straight to dead letters. */
function assertWellFormed(event: IncidentIntegrationEventV1): void {
  const data = event.data as Partial<IncidentIntegrationEventV1['data']> | undefined;
  const problems: { field: string; message: string }[] = [];
  if (typeof data?.incidentId !== 'string' || !UUID.test(data.incidentId)) problems.push({ field: 'data.incidentId', message: 'must be a UUID' });
  if (typeof data?.actor !== 'string') problems.push({ field: 'data.actor', message: 'must be a string' });
  if (typeof data?.incident !== 'object' || data.incident === null) problems.push({ field: 'data.incident', message: 'must be an object' });
  if (Number.isNaN(Date.parse(event.occurredAt))) problems.push({ field: 'occurredAt', message: 'must be an ISO-8601 time' });
  if (problems.length > 0) {
    throw new ValidationError('INCIDENT_EVENT.MALFORMED', `Incident event ${event.eventId} (${event.type}) is malformed`, problems);
  }
}

/**
 * Consumes `fireline.incidents.v1`: records each incident event as a timeline entry and, on
 * `IncidentResolved`, runs draft-postmortem-when-incident-resolved, all in the inbox transaction the
 * messaging lib opens (so a redelivery has no second effect). Unknown types and versions are acknowledged.
 */
@Injectable()
export class IncidentEventsConsumer {
  constructor(
    @Inject(POSTMORTEM_PG_POOL) private readonly pool: Pool,
    private readonly timeline: IncidentTimelineRepository,
    private readonly draftPostmortem: DraftPostmortemWhenIncidentResolvedWorkflow,
  ) {}

  registration(): ConsumerRegistration {
    return { topic: TOPICS.incidents, consumer: INCIDENT_TIMELINE_CONSUMER, pool: this.pool, handle: (event, tx) => this.handle(event, tx) };
  }

  async handle(event: IntegrationEvent, tx: PoolClient): Promise<void> {
    if (!isIncidentEventV1(event)) return;
    assertWellFormed(event);
    await this.timeline.record(tx, toTimelineEntryRow(event));
    if (event.type === 'IncidentResolved') await this.draftPostmortem.handle(event, tx);
  }
}
