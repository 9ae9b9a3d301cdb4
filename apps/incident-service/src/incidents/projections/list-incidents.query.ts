import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { InjectRepository } from '@nestjs/typeorm';
import { cursorCodec, cursorKey, toPage, type Page } from '@fireline/http';
import { Brackets, Repository } from 'typeorm';
import { z } from 'zod';
import type { IncidentStatus, Severity } from '../domain/incident.values';
import { INCIDENT_DATA_SOURCE } from '../../incident-service.tokens';
import { IncidentSummaryEntity } from './incident-summary.entity';

/** One row of the incident list: only what a list shows. Times are ISO-8601 UTC. */
export interface IncidentListItem {
  id: string;
  title: string;
  severity: string;
  status: string;
  services: string[];
  declaredAt: string;
  acknowledgedAt: string | null;
  resolvedAt: string | null;
  commander: string | null;
  /** Declared from an alert and resolved with no human action (see `incident_summaries.auto_resolved`). */
  autoResolved: boolean;
}

export type IncidentPage = Page<IncidentListItem>;

export interface IncidentListFilter {
  statuses?: IncidentStatus[];
  severities?: Severity[];
  service?: string;
  /** `exclude` auto-resolved alert incidents, or list `only` them; default both. */
  autoResolved?: 'include' | 'exclude' | 'only';
  limit: number;
  cursor?: string;
}

/** Newest first (`declared_at desc, id desc`), keyset-paginated so pages stay stable under inserts. */
export class ListIncidentsQuery extends Query<IncidentPage> {
  constructor(readonly filter: IncidentListFilter) {
    super();
  }
}

/** Cursor of the incident list: the last row's `[declaredAt, id]`. */
const INCIDENT_CURSOR = cursorCodec('incidents', z.tuple([cursorKey.timestamp(), cursorKey.uuid()]));

/** Reads `incident_summaries` with keyset pagination. @throws ValidationError `REQUEST.INVALID_CURSOR`. */
@QueryHandler(ListIncidentsQuery)
export class ListIncidentsHandler implements IQueryHandler<ListIncidentsQuery, IncidentPage> {
  constructor(@InjectRepository(IncidentSummaryEntity, INCIDENT_DATA_SOURCE) private readonly summaries: Repository<IncidentSummaryEntity>) {}

  async execute({ filter }: ListIncidentsQuery): Promise<IncidentPage> {
    const query = this.summaries
      .createQueryBuilder('i')
      .select(['i.id', 'i.title', 'i.severity', 'i.status', 'i.services', 'i.declaredAt', 'i.acknowledgedAt', 'i.resolvedAt', 'i.commander', 'i.autoResolved'])
      .orderBy('i.declaredAt', 'DESC')
      .addOrderBy('i.id', 'DESC')
      .take(filter.limit + 1);
    if (filter.statuses?.length) query.andWhere('i.status IN (:...statuses)', { statuses: filter.statuses });
    if (filter.severities?.length) query.andWhere('i.severity IN (:...severities)', { severities: filter.severities });
    if (filter.service) query.andWhere(':service = ANY(i.services)', { service: filter.service });
    if (filter.autoResolved === 'exclude') query.andWhere('NOT i.autoResolved');
    if (filter.autoResolved === 'only') query.andWhere('i.autoResolved');
    if (filter.cursor !== undefined) {
      const [declaredAt, id] = INCIDENT_CURSOR.decode(filter.cursor);
      query.andWhere(
        new Brackets((w) => w.where('i.declaredAt < :declaredAt', { declaredAt }).orWhere('(i.declaredAt = :declaredAt AND i.id < :id)', { id })),
      );
    }
    const page = toPage(await query.getMany(), filter.limit, INCIDENT_CURSOR, (row) => [row.declaredAt.toISOString(), row.id] as [string, string]);
    return {
      items: page.items.map((row) => ({
        id: row.id,
        title: row.title,
        severity: row.severity,
        status: row.status,
        services: row.services,
        declaredAt: row.declaredAt.toISOString(),
        acknowledgedAt: row.acknowledgedAt?.toISOString() ?? null,
        resolvedAt: row.resolvedAt?.toISOString() ?? null,
        commander: row.commander,
        autoResolved: row.autoResolved,
      })),
      nextCursor: page.nextCursor,
    };
  }
}
