import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { InjectRepository } from '@nestjs/typeorm';
import { cursorCodec, cursorKey, toPage, type Page } from '@fireline/http';
import type { Repository } from 'typeorm';
import { z } from 'zod';
import { Clock } from '../application/clock';
import type { ActionItemStatus } from '../domain/postmortem.state';
import { ActionItemEntity } from './action-item.entity';

export interface ListActionItemsFilter {
  /** true: only items past their due date and neither done nor dropped; false: only the others. */
  overdue?: boolean;
  owner?: string;
  status?: ActionItemStatus;
  postmortemId?: string;
  incidentId?: string;
  limit: number;
  cursor?: string;
}

/** Action items from the read model, earliest due first, keyset-paginated. */
export class ListActionItems extends Query<Page<ActionItemEntity>> {
  constructor(readonly filter: ListActionItemsFilter) {
    super();
  }
}

const CLOSED_STATUSES: ActionItemStatus[] = ['done', 'wont_do'];

/** Cursor of the action-item list: the last row's `[dueDate, createdAt, id]`. */
const ACTION_ITEM_CURSOR = cursorCodec('action-items', z.tuple([cursorKey.date(), cursorKey.timestamp(), cursorKey.uuid()]));

/** Reads `action_items` through TypeORM; "overdue" is judged by the injected `Clock`. */
@QueryHandler(ListActionItems)
export class ListActionItemsHandler implements IQueryHandler<ListActionItems> {
  constructor(
    @InjectRepository(ActionItemEntity, 'postmortem') private readonly items: Repository<ActionItemEntity>,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  async execute({ filter }: ListActionItems): Promise<Page<ActionItemEntity>> {
    const query = this.items.createQueryBuilder('a');
    if (filter.cursor !== undefined) {
      const [dueDate, createdAt, id] = ACTION_ITEM_CURSOR.decode(filter.cursor);
      query.andWhere('(a.due_date, a.created_at, a.id) > (CAST(:dueDate AS date), CAST(:createdAt AS timestamptz), CAST(:id AS uuid))', {
        dueDate,
        createdAt,
        id,
      });
    }
    if (filter.owner !== undefined) query.andWhere('a.owner = :owner', { owner: filter.owner });
    if (filter.status !== undefined) query.andWhere('a.status = :status', { status: filter.status });
    if (filter.postmortemId !== undefined) query.andWhere('a.postmortem_id = :postmortemId', { postmortemId: filter.postmortemId });
    if (filter.incidentId !== undefined) query.andWhere('a.incident_id = :incidentId', { incidentId: filter.incidentId });
    if (filter.overdue !== undefined) {
      // Due dates are calendar dates: an item due today is not overdue until the (UTC) day is over.
      const today = this.clock.now().toISOString().slice(0, 10);
      const overdue = 'a.due_date < CAST(:today AS date) AND a.status NOT IN (:...closed)';
      query.andWhere(filter.overdue ? overdue : `NOT (${overdue})`, { today, closed: CLOSED_STATUSES });
    }
    const rows = await query.orderBy('a.due_date', 'ASC').addOrderBy('a.created_at', 'ASC').addOrderBy('a.id', 'ASC').limit(filter.limit + 1).getMany();
    return toPage(rows, filter.limit, ACTION_ITEM_CURSOR, (row): [string, string, string] => [String(row.dueDate), row.createdAt.toISOString(), row.id]);
  }
}
