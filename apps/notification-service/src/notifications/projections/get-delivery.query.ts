import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { NotFoundError } from '@fireline/errors';
import { Inject } from '@nestjs/common';
import { NOTIFICATION_DATA_SOURCE, NOTIFICATION_SECRET_BOX } from '../notification.tokens';
import type { NotificationSecretBox } from '../secrets/notification-secret-box';
import { DeliveryAttemptEntity } from './delivery-attempt.entity';
import { DeliveryEntity } from './delivery.entity';
import { toDeliveryView, type DeliveryView } from './delivery.view';

/** One delivery with its attempts and payload. @throws NotFoundError `DELIVERY.NOT_FOUND`. */
export class GetDelivery extends Query<DeliveryView> {
  constructor(readonly id: string) {
    super();
  }
}

/** One delivery with its attempts and exact payload. @throws NotFoundError `DELIVERY.NOT_FOUND`. */
@QueryHandler(GetDelivery)
export class GetDeliveryHandler implements IQueryHandler<GetDelivery> {
  constructor(
    @InjectRepository(DeliveryEntity, NOTIFICATION_DATA_SOURCE) private readonly deliveries: Repository<DeliveryEntity>,
    @InjectRepository(DeliveryAttemptEntity, NOTIFICATION_DATA_SOURCE) private readonly attempts: Repository<DeliveryAttemptEntity>,
    @Inject(NOTIFICATION_SECRET_BOX) private readonly secrets: NotificationSecretBox,
  ) {}

  async execute({ id }: GetDelivery): Promise<DeliveryView> {
    const delivery = await this.deliveries.findOneBy({ id });
    if (!delivery) throw new NotFoundError('DELIVERY.NOT_FOUND', `Delivery ${id} does not exist`, { deliveryId: id });
    const attempts = await this.attempts.findBy({ deliveryId: id });
    return toDeliveryView(delivery, attempts, this.secrets, true);
  }
}
