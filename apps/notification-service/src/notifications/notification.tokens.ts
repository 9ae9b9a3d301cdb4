/** The notification service's `pg.Pool` (the `notification` TypeORM data source's pool). */
export const NOTIFICATION_PG_POOL = Symbol('NOTIFICATION_PG_POOL');

/** The parsed `NotificationServiceConfig`. */
export const NOTIFICATION_SERVICE_CONFIG = Symbol('NOTIFICATION_SERVICE_CONFIG');

/** The delivery worker instance. */
export const DELIVERY_WORKER = Symbol('DELIVERY_WORKER');

/** The delivery worker's per-target circuit breakers (`DeliveryCircuitBreakers`), read by `/metrics`. */
export const DELIVERY_CIRCUIT_BREAKERS = Symbol('DELIVERY_CIRCUIT_BREAKERS');

/** The `NotificationSecretBox` sealing webhook secrets and target URLs at rest. */
export const NOTIFICATION_SECRET_BOX = Symbol('NOTIFICATION_SECRET_BOX');

/** The `OutboundDestinationGuard` every outbound request and every rule's URL goes through. */
export const OUTBOUND_DESTINATION_GUARD = Symbol('OUTBOUND_DESTINATION_GUARD');

/** TypeORM data source name; unique in the composition root. */
export const NOTIFICATION_DATA_SOURCE = 'notification';

/** notification-service's `EventStore` (its audit log of rule changes). */
export const NOTIFICATION_EVENT_STORE = Symbol('NOTIFICATION_EVENT_STORE');
