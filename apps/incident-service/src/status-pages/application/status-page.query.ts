import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { EventStore } from '@fireline/event-store';
import { cursorCodec, cursorKey, toPage } from '@fireline/http';
import type { Pool } from 'pg';
import { z } from 'zod';
import type { IncidentEvent } from '../../incidents/domain/incident.events';
import { incidentNotFound } from '../../incidents/domain/incident.errors';
import { incidentStreamId } from '../../incidents/application/incident-stream';
import { INCIDENT_EVENT_STORE, INCIDENT_PG_POOL } from '../../incident-service.tokens';
import { publicIncidentFacts, type IncidentFacts } from '../domain/public-incident-facts';
import { statusPageNotFound } from '../domain/status-page.errors';
import { foldStatusPageView, type StatusPageView } from '../domain/status-page-view';
import type { StatusPageEvent } from '../domain/status-page.events';
import { statusPageStreamId } from '../status-page-stream';

/** A page replayed from its stream (always current); `version` is its stream version (the `ETag`). */
export interface StatusPageDetails {
  version: number;
  page: StatusPageView;
}

/** The page from its events. @throws NotFoundError `STATUS_PAGE.NOT_FOUND`. */
export class GetStatusPageQuery extends Query<StatusPageDetails> {
  constructor(readonly pageId: string) {
    super();
  }
}

@QueryHandler(GetStatusPageQuery)
export class GetStatusPageHandler implements IQueryHandler<GetStatusPageQuery, StatusPageDetails> {
  constructor(@Inject(INCIDENT_EVENT_STORE) private readonly store: EventStore) {}

  async execute({ pageId }: GetStatusPageQuery): Promise<StatusPageDetails> {
    const { events, currentVersion } = await this.store.readStream(statusPageStreamId(pageId));
    const page = foldStatusPageView(events.map((e) => ({ type: e.type, data: e.data }) as StatusPageEvent));
    if (page === null) throw statusPageNotFound(pageId);
    return { version: currentVersion, page };
  }
}

/** The public facts of an incident, read from its stream. @throws NotFoundError `INCIDENT.NOT_FOUND`. */
export class GetIncidentFactsQuery extends Query<IncidentFacts> {
  constructor(readonly incidentId: string) {
    super();
  }
}

@QueryHandler(GetIncidentFactsQuery)
export class GetIncidentFactsHandler implements IQueryHandler<GetIncidentFactsQuery, IncidentFacts> {
  constructor(@Inject(INCIDENT_EVENT_STORE) private readonly store: EventStore) {}

  async execute({ incidentId }: GetIncidentFactsQuery): Promise<IncidentFacts> {
    const { events } = await this.store.readStream(incidentStreamId(incidentId));
    const facts = publicIncidentFacts(events.map((e) => ({ type: e.type, data: e.data }) as IncidentEvent));
    if (facts === null) throw incidentNotFound(incidentId);
    return facts;
  }
}

/** One row of the page list. */
export interface StatusPageListItem {
  id: string;
  slug: string;
  name: string;
  createdAt: string;
  updatedAt: string;
  url: string;
}

export interface StatusPageList {
  items: StatusPageListItem[];
  nextCursor: string | null;
}

const STATUS_PAGE_CURSOR = cursorCodec('status-pages', z.tuple([cursorKey.timestamp(), cursorKey.uuid()]));

/** Pages from the read model, oldest first, cursor-paginated. @throws ValidationError `REQUEST.INVALID_CURSOR`. */
export class ListStatusPagesQuery extends Query<StatusPageList> {
  constructor(
    readonly limit: number,
    readonly cursor: string | undefined,
  ) {
    super();
  }
}

@QueryHandler(ListStatusPagesQuery)
export class ListStatusPagesHandler implements IQueryHandler<ListStatusPagesQuery, StatusPageList> {
  constructor(@Inject(INCIDENT_PG_POOL) private readonly pool: Pool) {}

  async execute({ limit, cursor }: ListStatusPagesQuery): Promise<StatusPageList> {
    const after = cursor === undefined ? null : STATUS_PAGE_CURSOR.decode(cursor);
    const result = await this.pool.query<{ page_id: string; slug: string; name: string; created_at: Date; updated_at: Date }>(
      `SELECT page_id, slug, name, created_at, updated_at FROM status_page_views
       WHERE $1::timestamptz IS NULL OR (created_at, page_id) > ($1::timestamptz, $2::uuid)
       ORDER BY created_at, page_id LIMIT $3`,
      [after?.[0] ?? null, after?.[1] ?? null, limit + 1],
    );
    const page = toPage(result.rows, limit, STATUS_PAGE_CURSOR, (row) => [row.created_at.toISOString(), row.page_id] as [string, string]);
    return {
      items: page.items.map((row) => ({ id: row.page_id, slug: row.slug, name: row.name, createdAt: row.created_at.toISOString(), updatedAt: row.updated_at.toISOString(), url: `/status/${row.slug}` })),
      nextCursor: page.nextCursor,
    };
  }
}

