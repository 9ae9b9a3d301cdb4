import type { ObservedService } from '@fireline/observability';
import { pgPoolOf, resilientPgPoolOptions } from '@fireline/event-store';
import { Inject, Logger, Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import type { Pool } from 'pg';
import { CreateIdempotencyKeys1732000000200 } from '@fireline/http';
import { MESSAGING_MIGRATIONS } from '@fireline/messaging';
import type { NotificationServiceConfig } from './config/notification-service.config';
import { NOTIFICATION_MIGRATIONS } from './migrations/create-notification-tables.migration';
import { DeliveryQueue } from './notifications/channels/delivery-queue';
import { DeliveryWorker } from './notifications/channels/delivery-worker';
import { CreateNotificationRuleHandler } from './notifications/commands/create-notification-rule.command';
import { DeleteNotificationRuleHandler } from './notifications/commands/delete-notification-rule.command';
import { RetryDeliveryHandler } from './notifications/commands/retry-delivery.command';
import { UpdateNotificationRuleHandler } from './notifications/commands/update-notification-rule.command';
import { DeliveriesHttpController } from './notifications/http/deliveries.http.controller';
import { NotificationRulesHttpController } from './notifications/http/notification-rules.http.controller';
import { DELIVERY_WORKER, NOTIFICATION_DATA_SOURCE, NOTIFICATION_PG_POOL, NOTIFICATION_SERVICE_CONFIG } from './notifications/notification.tokens';
import { DeliveryAttemptEntity } from './notifications/projections/delivery-attempt.entity';
import { DeliveryEntity } from './notifications/projections/delivery.entity';
import { GetDeliveryHandler } from './notifications/projections/get-delivery.query';
import { GetNotificationRuleHandler } from './notifications/projections/get-notification-rule.query';
import { ListDeliveriesHandler } from './notifications/projections/list-deliveries.query';
import { ListNotificationRulesHandler } from './notifications/projections/list-notification-rules.query';
import { NotificationRuleEntity } from './notifications/projections/notification-rule.entity';
import { NotifySubscribersWhenIncidentEventReactor } from './notifications/reactors/notify-subscribers-when-incident-event.reactor';

/** Connection errors of notification-service's pool: a killed or restarted database, a terminated backend. */
const DATABASE_LOGGER = new Logger('notification-service database');

export { NOTIFICATION_PG_POOL } from './notifications/notification.tokens';

const ENTITIES = [NotificationRuleEntity, DeliveryEntity, DeliveryAttemptEntity];

/**
 * What `/health/ready` and `/metrics` report for notification-service: its database, its parked
 * messages, and deliveries by status (`fireline_notification_deliveries{status="dead_lettered"}` is the
 * notification dead-letter count). No event store, so no subscriptions.
 */
export const NOTIFICATION_SERVICE_OBSERVED: ObservedService = {
  name: 'notification-service',
  poolToken: NOTIFICATION_PG_POOL,
  subscriptions: [],
  gauges: [
    {
      name: 'notification_deliveries',
      help: 'Notification deliveries by status (pending, sending, retrying, delivered, dead_lettered).',
      label: 'status',
      async read(pool) {
        const { rows } = await pool.query<{ status: string; count: string }>('SELECT status, count(*)::text AS count FROM deliveries GROUP BY status');
        return Object.fromEntries(rows.map((row) => [row.status, Number(row.count)]));
      },
    },
  ],
};

/** notification-service's migrations, in order (`migrate.ts` runs the same list). */
export const NOTIFICATION_SERVICE_MIGRATIONS = [...MESSAGING_MIGRATIONS, CreateIdempotencyKeys1732000000200, ...NOTIFICATION_MIGRATIONS];

/**
 * The notification service: rules API, the incident-event reactor that queues deliveries, the
 * delivery worker, and the delivery log API. Needs `CqrsModule.forRoot()` and a global
 * `MESSAGE_TRANSPORT` from the importing root. Its TypeORM data source is named `notification`.
 */
@Module({})
export class NotificationServiceModule implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy, OnApplicationShutdown {
  constructor(
    private readonly reactor: NotifySubscribersWhenIncidentEventReactor,
    @Inject(DELIVERY_WORKER) private readonly worker: DeliveryWorker,
  ) {}

  static register(config: NotificationServiceConfig): DynamicModule {
    return {
      module: NotificationServiceModule,
      imports: [
        CqrsModule,
        TypeOrmModule.forRoot({
          name: NOTIFICATION_DATA_SOURCE,
          type: 'postgres',
          url: config.database.url,
          poolSize: config.database.poolSize,
          entities: ENTITIES,
          migrations: NOTIFICATION_SERVICE_MIGRATIONS,
          migrationsRun: config.database.migrationsRun,
          synchronize: false,
          ...resilientPgPoolOptions(config.database.timeouts, (error) => DATABASE_LOGGER.warn(`connection error: ${error.message}`)),
        }),
        TypeOrmModule.forFeature(ENTITIES, NOTIFICATION_DATA_SOURCE),
      ],
      controllers: [NotificationRulesHttpController, DeliveriesHttpController],
      providers: [
        { provide: NOTIFICATION_SERVICE_CONFIG, useValue: config },
        {
          provide: NOTIFICATION_PG_POOL,
          useFactory: pgPoolOf,
          inject: [getDataSourceToken(NOTIFICATION_DATA_SOURCE)],
        },
        {
          provide: DELIVERY_WORKER,
          useFactory: (pool: Pool) =>
            new DeliveryWorker(new DeliveryQueue(pool), {
              policy: { maxAttempts: config.delivery.maxAttempts, baseDelayMs: config.delivery.baseDelayMs, maxDelayMs: config.delivery.maxDelayMs },
              timeoutMs: config.delivery.timeoutMs,
              pollIntervalMs: config.delivery.pollIntervalMs,
              concurrency: config.delivery.concurrency,
              leaseMs: config.delivery.leaseMs,
            }),
          inject: [NOTIFICATION_PG_POOL],
        },
        NotifySubscribersWhenIncidentEventReactor,
        CreateNotificationRuleHandler,
        UpdateNotificationRuleHandler,
        DeleteNotificationRuleHandler,
        RetryDeliveryHandler,
        GetNotificationRuleHandler,
        ListNotificationRulesHandler,
        GetDeliveryHandler,
        ListDeliveriesHandler,
      ],
      exports: [NOTIFICATION_PG_POOL],
    };
  }

  onModuleInit(): void {
    this.reactor.subscribe();
  }

  onApplicationBootstrap(): void {
    this.worker.start();
  }

  /** Stops claiming and waits for sends in flight, before the data source is destroyed. */
  async onModuleDestroy(): Promise<void> {
    await this.worker.stop();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker.stop();
  }
}
