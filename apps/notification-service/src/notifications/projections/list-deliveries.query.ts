import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { InjectRepository } from '@nestjs/typeorm';
import { cursorCodec, cursorKey, toPage } from '@fireline/http';
import { In, type Repository } from 'typeorm';
import type { DeliveryStatus } from '../domain/delivery.transitions';
import { Inject } from '@nestjs/common';
import { NOTIFICATION_DATA_SOURCE, NOTIFICATION_SECRET_BOX } from '../notification.tokens';
import type { NotificationSecretBox } from '../secrets/notification-secret-box';
import { DeliveryAttemptEntity } from './delivery-attempt.entity';
import { DeliveryEntity } from './delivery.entity';
import { toDeliveryView, type DeliveryPageView } from './delivery.view';

export interface DeliveryLogFilter {
  incidentId?: string;
  status?: DeliveryStatus;
  ruleId?: string;
  /** A status-page subscriber's deliveries. */
  subscriberId?: string;
  limit: number;
  cursor?: string;
}

/** The delivery log, newest first, filtered and paged by cursor. */
export class ListDeliveries extends Query<DeliveryPageView> {
  constructor(readonly filter: DeliveryLogFilter) {
    super();
  }
}

/** Cursor of the delivery log: the last row's `seq` (a bigint, as a decimal string). */
const DELIVERY_CURSOR = cursorCodec('deliveries', cursorKey.position());

/** The delivery log, newest first, keyset-paginated by `seq`, each delivery with its attempts. @throws ValidationError `REQUEST.INVALID_CURSOR`. */
@QueryHandler(ListDeliveries)
export class ListDeliveriesHandler implements IQueryHandler<ListDeliveries> {
  constructor(
    @InjectRepository(DeliveryEntity, NOTIFICATION_DATA_SOURCE) private readonly deliveries: Repository<DeliveryEntity>,
    @InjectRepository(DeliveryAttemptEntity, NOTIFICATION_DATA_SOURCE) private readonly attempts: Repository<DeliveryAttemptEntity>,
    @Inject(NOTIFICATION_SECRET_BOX) private readonly secrets: NotificationSecretBox,
  ) {}

  async execute({ filter }: ListDeliveries): Promise<DeliveryPageView> {
    const query = this.deliveries.createQueryBuilder('d').orderBy('d.seq', 'DESC').take(filter.limit + 1);
    if (filter.incidentId !== undefined) query.andWhere('d.incident_id = :incidentId', { incidentId: filter.incidentId });
    if (filter.status !== undefined) query.andWhere('d.status = :status', { status: filter.status });
    if (filter.ruleId !== undefined) query.andWhere('d.rule_id = :ruleId', { ruleId: filter.ruleId });
    if (filter.subscriberId !== undefined) query.andWhere('d.subscriber_id = :subscriberId', { subscriberId: filter.subscriberId });
    if (filter.cursor !== undefined) query.andWhere('d.seq < :seq', { seq: DELIVERY_CURSOR.decode(filter.cursor) });
    const page = toPage(await query.getMany(), filter.limit, DELIVERY_CURSOR, (d) => d.seq);
    const attempts = page.items.length === 0 ? [] : await this.attempts.findBy({ deliveryId: In(page.items.map((d) => d.id)) });
    return { items: page.items.map((d) => toDeliveryView(d, attempts.filter((a) => a.deliveryId === d.id), this.secrets)), nextCursor: page.nextCursor };
  }
}
