import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { NotFoundError } from '@fireline/errors';
import { START_NEW_ROUND_SQL } from '../channels/delivery-queue';
import { decideManualRetry, type ManualRetryDecision } from '../domain/delivery.transitions';
import { NOTIFICATION_DATA_SOURCE } from '../notification.tokens';
import { DeliveryEntity } from '../projections/delivery.entity';

/**
 * Re-queues a dead-lettered delivery for a fresh round of attempts (and a fresh retry window), due now,
 * under the same delivery id. Repeating it while the
 * delivery is queued or being sent changes nothing.
 * @throws NotFoundError `DELIVERY.NOT_FOUND`; IllegalStateError `DELIVERY.ALREADY_DELIVERED`.
 */
export class RetryDelivery extends Command<ManualRetryDecision> {
  constructor(readonly id: string) {
    super();
  }
}

/** Re-queues a dead-lettered delivery for a fresh round of attempts; a no-op while queued. */
@CommandHandler(RetryDelivery)
export class RetryDeliveryHandler implements ICommandHandler<RetryDelivery> {
  constructor(@InjectDataSource(NOTIFICATION_DATA_SOURCE) private readonly dataSource: DataSource) {}

  execute({ id }: RetryDelivery): Promise<ManualRetryDecision> {
    return this.dataSource.transaction(async (manager) => {
      const delivery = await manager.getRepository(DeliveryEntity).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!delivery) throw new NotFoundError('DELIVERY.NOT_FOUND', `Delivery ${id} does not exist`, { deliveryId: id });
      const decision = decideManualRetry(id, delivery.status);
      if (decision.kind === 'requeue') {
        await manager.query(`UPDATE deliveries SET ${START_NEW_ROUND_SQL} WHERE id = $1 AND status = 'dead_lettered'`, [id]);
      }
      return decision;
    });
  }
}
