import { IllegalStateError, NotFoundError } from '@fireline/errors';

/**
 * Stable error codes of the intake ledger's deliveries:
 * - `DELIVERY.NOT_FOUND` (NotFoundError): no such delivery for this integration (also: one of another integration);
 * - `DELIVERY.SENDER_REDELIVERS` (IllegalStateError, 409): the integration's sender redelivers failed
 *   deliveries itself (PagerDuty Webhooks v3), so Fireline does not re-process them;
 * - `DELIVERY.REJECTED` (IllegalStateError, 409): the delivery was refused as invalid (answered 4xx to
 *   its sender), so there is nothing to process;
 * - `DELIVERY.UNREADABLE` (IllegalStateError, 409): its body was sealed with an encryption key that is
 *   not configured (`FIRELINE_ENCRYPTION_OLD_KEYS`), so it cannot be processed until that key is back.
 */
export const DELIVERY_ERROR_CODES = {
  notFound: 'DELIVERY.NOT_FOUND',
  senderRedelivers: 'DELIVERY.SENDER_REDELIVERS',
  rejected: 'DELIVERY.REJECTED',
  unreadable: 'DELIVERY.UNREADABLE',
} as const;

export function deliveryNotFound(integrationId: string, deliveryId: string): NotFoundError {
  return new NotFoundError(DELIVERY_ERROR_CODES.notFound, `Integration ${integrationId} has no delivery ${deliveryId}`, { integrationId, deliveryId });
}

export function deliverySenderRedelivers(integrationType: string, deliveryId: string): IllegalStateError {
  return new IllegalStateError(
    DELIVERY_ERROR_CODES.senderRedelivers,
    `Deliveries of ${integrationType} integrations are not re-processed here: the sender redelivers a failed delivery itself`,
    { deliveryId, integrationType },
  );
}

export function deliveryRejected(deliveryId: string, reason: string | null): IllegalStateError {
  return new IllegalStateError(DELIVERY_ERROR_CODES.rejected, `Delivery ${deliveryId} was rejected as invalid and cannot be processed${reason ? `: ${reason}` : ''}`, {
    deliveryId,
  });
}

export function deliveryUnreadable(deliveryId: string, reason: string): IllegalStateError {
  return new IllegalStateError(DELIVERY_ERROR_CODES.unreadable, `Delivery ${deliveryId} cannot be read: ${reason}`, { deliveryId });
}
