import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import type { PostmortemStatus } from '../domain/postmortem.state';
import { CURSOR_PARTS, decodeCursor, toPage, type Page } from './page-cursor';
import { PostmortemSummaryEntity } from './postmortem-summary.entity';

export interface ListPostmortemsFilter {
  incidentId?: string;
  status?: PostmortemStatus;
  limit: number;
  cursor?: string;
}

/** Postmortem summaries from the read model, most recently drafted first, keyset-paginated. */
export class ListPostmortems extends Query<Page<PostmortemSummaryEntity>> {
  constructor(readonly filter: ListPostmortemsFilter) {
    super();
  }
}

/** Reads `postmortem_summaries` through TypeORM. */
@QueryHandler(ListPostmortems)
export class ListPostmortemsHandler implements IQueryHandler<ListPostmortems> {
  constructor(@InjectRepository(PostmortemSummaryEntity, 'postmortem') private readonly summaries: Repository<PostmortemSummaryEntity>) {}

  async execute({ filter }: ListPostmortems): Promise<Page<PostmortemSummaryEntity>> {
    const query = this.summaries.createQueryBuilder('s');
    if (filter.cursor !== undefined) {
      const [createdAt, id] = decodeCursor(filter.cursor, [CURSOR_PARTS.timestamp, CURSOR_PARTS.uuid]);
      query.andWhere('(s.created_at, s.id) < (CAST(:createdAt AS timestamptz), CAST(:id AS uuid))', { createdAt, id });
    }
    if (filter.incidentId !== undefined) query.andWhere('s.incident_id = :incidentId', { incidentId: filter.incidentId });
    if (filter.status !== undefined) query.andWhere('s.status = :status', { status: filter.status });
    const rows = await query.orderBy('s.created_at', 'DESC').addOrderBy('s.id', 'DESC').limit(filter.limit + 1).getMany();
    return toPage(rows, filter.limit, (row) => [row.createdAt.toISOString(), row.id]);
  }
}
