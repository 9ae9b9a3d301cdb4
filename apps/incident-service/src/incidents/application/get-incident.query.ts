import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { EventStore } from '@fireline/event-store';
import { cursorCodec, cursorKey, type Page } from '@fireline/http';
import { incidentAsOf } from '../domain/incident-as-of';
import type { IncidentEvent } from '../domain/incident.events';
import { incidentNotFound } from '../domain/incident.errors';
import type { Incident } from '../domain/incident.state';
import { toTimelineEntry, type IncidentTimelineEntry } from '../domain/incident-timeline';
import { incidentStreamId } from './incident-stream';
import { INCIDENT_EVENT_STORE } from '../../incident-service.tokens';

/** An incident replayed from its stream; `version` is the number of events folded (the `ETag`). */
export interface IncidentView {
  incident: Incident;
  version: number;
}

/**
 * The incident from its event stream (always current, unlike the list read model). With `asOf`,
 * only events whose time (`at`, from the command clock) is at or before it are folded.
 * @throws NotFoundError `INCIDENT.NOT_FOUND` when there is no such incident (at that time).
 */
export class GetIncidentQuery extends Query<IncidentView> {
  constructor(
    readonly incidentId: string,
    readonly asOf?: Date,
  ) {
    super();
  }
}

/**
 * One page of the incident's timeline: an entry per stored event, oldest first, `limit` per page;
 * `cursor` is a previous page's `nextCursor` (the stream version it ended at).
 */
export class GetIncidentTimelineQuery extends Query<Page<IncidentTimelineEntry>> {
  constructor(
    readonly incidentId: string,
    readonly page: { limit: number; cursor?: string },
  ) {
    super();
  }
}

/** Cursor of a timeline: the stream version of the page's last entry. */
const TIMELINE_CURSOR = cursorCodec('incident-timeline', cursorKey.version());

/** Replays the incident stream (optionally up to `asOf`). @throws NotFoundError `INCIDENT.NOT_FOUND`. */
@QueryHandler(GetIncidentQuery)
export class GetIncidentHandler implements IQueryHandler<GetIncidentQuery, IncidentView> {
  constructor(@Inject(INCIDENT_EVENT_STORE) private readonly store: EventStore) {}

  async execute({ incidentId, asOf }: GetIncidentQuery): Promise<IncidentView> {
    const { events } = await this.store.readStream(incidentStreamId(incidentId));
    const domainEvents = events.map((e) => ({ type: e.type, data: e.data }) as IncidentEvent);
    const cutoff = asOf ?? new Date(8.64e15);
    const state = incidentAsOf(domainEvents, cutoff);
    if (state.status === 'none') throw incidentNotFound(incidentId);
    // incidentAsOf folds up to the first event later than the cutoff; the ETag counts the same events.
    const firstLater = domainEvents.findIndex((e) => Date.parse(e.data.at) > cutoff.getTime());
    const version = firstLater === -1 ? domainEvents.length : firstLater;
    return { incident: state, version };
  }
}

/**
 * Reads one page of the stream (versions after the cursor's, `limit` of them) and maps each event to
 * a timeline entry. @throws NotFoundError `INCIDENT.NOT_FOUND`; ValidationError `REQUEST.INVALID_CURSOR`.
 */
@QueryHandler(GetIncidentTimelineQuery)
export class GetIncidentTimelineHandler implements IQueryHandler<GetIncidentTimelineQuery, Page<IncidentTimelineEntry>> {
  constructor(@Inject(INCIDENT_EVENT_STORE) private readonly store: EventStore) {}

  async execute({ incidentId, page }: GetIncidentTimelineQuery): Promise<Page<IncidentTimelineEntry>> {
    const after = page.cursor === undefined ? 0 : TIMELINE_CURSOR.decode(page.cursor);
    const { events, currentVersion } = await this.store.readStream(incidentStreamId(incidentId), { fromVersion: after + 1, toVersion: after + page.limit });
    if (currentVersion === 0) throw incidentNotFound(incidentId);
    const last = events.at(-1);
    return {
      items: events.map((e) => toTimelineEntry({ type: e.type, data: e.data } as IncidentEvent, { eventId: e.eventId, version: e.version })),
      nextCursor: last !== undefined && last.version < currentVersion ? TIMELINE_CURSOR.encode(last.version) : null,
    };
  }
}
