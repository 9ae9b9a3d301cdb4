import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { InjectRepository } from '@nestjs/typeorm';
import { ValidationError } from '@fireline/errors';
import { Brackets, Repository } from 'typeorm';
import type { IncidentStatus, Severity } from '../domain/incident.values';
import { INCIDENT_DATA_SOURCE } from '../incident-service.tokens';
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
}

export interface IncidentPage {
  items: IncidentListItem[];
  /** Opaque; pass as `cursor` for the next page. `null` on the last page. */
  nextCursor: string | null;
}

export interface IncidentListFilter {
  statuses?: IncidentStatus[];
  severities?: Severity[];
  service?: string;
  limit: number;
  cursor?: string;
}

/** Newest first (`declared_at desc, id desc`), keyset-paginated so pages stay stable under inserts. */
export class ListIncidentsQuery extends Query<IncidentPage> {
  constructor(readonly filter: IncidentListFilter) {
    super();
  }
}

function encodeCursor(row: IncidentSummaryEntity): string {
  return Buffer.from(JSON.stringify([row.declaredAt.toISOString(), row.id])).toString('base64url');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function isIsoTimestamp(value: unknown): value is string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(value)) return false;
  const time = Date.parse(value);
  return !Number.isNaN(time) && new Date(time).toISOString() === value; // refuses 2026-02-30, which Date rolls over
}

/** Exported for its unit test. @throws ValidationError `REQUEST.INVALID_CURSOR` for anything encodeCursor did not make. */
export function decodeCursor(cursor: string): [string, string] {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    // Exactly what encodeCursor writes (a Date's ISO string and a UUID), so both are safe to cast in SQL.
    if (Array.isArray(value) && value.length === 2 && isIsoTimestamp(value[0]) && typeof value[1] === 'string' && UUID.test(value[1])) {
      return [value[0], value[1]];
    }
  } catch {
    // fall through to the error below
  }
  throw new ValidationError('REQUEST.INVALID_CURSOR', 'cursor is not one this API returned', [{ field: 'cursor', message: 'unknown cursor' }]);
}

/** Reads `incident_summaries` with keyset pagination. @throws ValidationError `REQUEST.INVALID_CURSOR`. */
@QueryHandler(ListIncidentsQuery)
export class ListIncidentsHandler implements IQueryHandler<ListIncidentsQuery, IncidentPage> {
  constructor(@InjectRepository(IncidentSummaryEntity, INCIDENT_DATA_SOURCE) private readonly summaries: Repository<IncidentSummaryEntity>) {}

  async execute({ filter }: ListIncidentsQuery): Promise<IncidentPage> {
    const query = this.summaries
      .createQueryBuilder('i')
      .select(['i.id', 'i.title', 'i.severity', 'i.status', 'i.services', 'i.declaredAt', 'i.acknowledgedAt', 'i.resolvedAt', 'i.commander'])
      .orderBy('i.declaredAt', 'DESC')
      .addOrderBy('i.id', 'DESC')
      .take(filter.limit + 1);
    if (filter.statuses?.length) query.andWhere('i.status IN (:...statuses)', { statuses: filter.statuses });
    if (filter.severities?.length) query.andWhere('i.severity IN (:...severities)', { severities: filter.severities });
    if (filter.service) query.andWhere(':service = ANY(i.services)', { service: filter.service });
    if (filter.cursor) {
      const [declaredAt, id] = decodeCursor(filter.cursor);
      query.andWhere(
        new Brackets((w) => w.where('i.declaredAt < :declaredAt', { declaredAt }).orWhere('(i.declaredAt = :declaredAt AND i.id < :id)', { id })),
      );
    }
    const rows = await query.getMany();
    const page = rows.slice(0, filter.limit);
    return {
      items: page.map((row) => ({
        id: row.id,
        title: row.title,
        severity: row.severity,
        status: row.status,
        services: row.services,
        declaredAt: row.declaredAt.toISOString(),
        acknowledgedAt: row.acknowledgedAt?.toISOString() ?? null,
        resolvedAt: row.resolvedAt?.toISOString() ?? null,
        commander: row.commander,
      })),
      nextCursor: rows.length > filter.limit ? encodeCursor(page[page.length - 1]!) : null,
    };
  }
}
