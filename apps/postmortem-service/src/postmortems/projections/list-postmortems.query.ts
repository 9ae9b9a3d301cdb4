import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { InjectRepository } from '@nestjs/typeorm';
import { cursorCodec, cursorKey, toPage, type Page } from '@fireline/http';
import type { Repository } from 'typeorm';
import { z } from 'zod';
import type { PostmortemStatus } from '../domain/postmortem.state';
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

/** Cursor of the postmortem list: the last row's `[createdAt, id]`. */
const POSTMORTEM_CURSOR = cursorCodec('postmortems', z.tuple([cursorKey.timestamp(), cursorKey.uuid()]));

/** Reads `postmortem_summaries` through TypeORM. @throws ValidationError `REQUEST.INVALID_CURSOR`. */
@QueryHandler(ListPostmortems)
export class ListPostmortemsHandler implements IQueryHandler<ListPostmortems> {
  constructor(@InjectRepository(PostmortemSummaryEntity, 'postmortem') private readonly summaries: Repository<PostmortemSummaryEntity>) {}

  async execute({ filter }: ListPostmortems): Promise<Page<PostmortemSummaryEntity>> {
    const query = this.summaries.createQueryBuilder('s');
    if (filter.cursor !== undefined) {
      const [createdAt, id] = POSTMORTEM_CURSOR.decode(filter.cursor);
      query.andWhere('(s.created_at, s.id) < (CAST(:createdAt AS timestamptz), CAST(:id AS uuid))', { createdAt, id });
    }
    if (filter.incidentId !== undefined) query.andWhere('s.incident_id = :incidentId', { incidentId: filter.incidentId });
    if (filter.status !== undefined) query.andWhere('s.status = :status', { status: filter.status });
    const rows = await query.orderBy('s.created_at', 'DESC').addOrderBy('s.id', 'DESC').limit(filter.limit + 1).getMany();
    return toPage(rows, filter.limit, POSTMORTEM_CURSOR, (row): [string, string] => [row.createdAt.toISOString(), row.id]);
  }
}
