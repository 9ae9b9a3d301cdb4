import type { ObservedService } from '@fireline/observability';
import { API_KEY_STORE, ApiKeyReplicaStore, apiKeyReplicaConsumer, CreateApiKeyReplica1732000003200 } from '@fireline/auth';
import { EVENT_STORE_MIGRATIONS, EventStore, pgPoolOf, resilientPgPoolOptions } from '@fireline/event-store';
import { Inject, Logger, Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import type { Pool } from 'pg';
import { AuditEventsControllerFor, CreateAuditLogIndex1732000003100, CreateIdempotencyKeys1732000000200 } from '@fireline/http';
import { MESSAGE_TRANSPORT, MESSAGING_MIGRATIONS, type MessageTransport } from '@fireline/messaging';
import { SecretBox } from '@fireline/secrets';
import type { NotificationServiceConfig } from './config/notification-service.config';
import { NOTIFICATION_MIGRATIONS } from './migrations/create-notification-tables.migration';
import { DeliveryQueue } from './notifications/channels/delivery-queue';
import { deliveryCircuitBreakers, DeliveryWorker, type DeliveryCircuitBreakers } from './notifications/channels/delivery-worker';
import { CreateNotificationRuleHandler } from './notifications/commands/create-notification-rule.command';
import { DeleteNotificationRuleHandler } from './notifications/commands/delete-notification-rule.command';
import { RetryDeadLettersHandler } from './notifications/commands/retry-dead-letters.command';
import { RetryDeliveryHandler } from './notifications/commands/retry-delivery.command';
import { UpdateNotificationRuleHandler } from './notifications/commands/update-notification-rule.command';
import { DeliveriesHttpController } from './notifications/http/deliveries.http.controller';
import { NotificationRuleDeadLettersHttpController } from './notifications/http/notification-rule-dead-letters.http.controller';
import { NotificationRulesHttpController } from './notifications/http/notification-rules.http.controller';
import {
  DELIVERY_CIRCUIT_BREAKERS,
  DELIVERY_WORKER,
  NOTIFICATION_DATA_SOURCE,
  NOTIFICATION_EVENT_STORE,
  NOTIFICATION_PG_POOL,
  NOTIFICATION_SECRET_BOX,
  NOTIFICATION_SERVICE_CONFIG,
  OUTBOUND_DESTINATION_GUARD,
} from './notifications/notification.tokens';
import { DeliveryAttemptEntity } from './notifications/projections/delivery-attempt.entity';
import { DeliveryEntity } from './notifications/projections/delivery.entity';
import { GetDeliveryHandler } from './notifications/projections/get-delivery.query';
import { GetNotificationRuleHandler } from './notifications/projections/get-notification-rule.query';
import { ListDeliveriesHandler } from './notifications/projections/list-deliveries.query';
import { ListNotificationRulesHandler } from './notifications/projections/list-notification-rules.query';
import { NotificationRuleEntity } from './notifications/projections/notification-rule.entity';
import { NotifySubscribersWhenIncidentEventReactor } from './notifications/reactors/notify-subscribers-when-incident-event.reactor';
import { NotificationSecretBox } from './notifications/secrets/notification-secret-box';
import { resealNotificationSecrets } from './notifications/secrets/reseal-notification-secrets';
import { DEFAULT_OUTBOUND_POLICY } from './outbound/domain/outbound-destination.policy';
import { OutboundDestinationGuard } from './outbound/outbound-destination.guard';
import { DEFAULT_STATUS_PAGE_NOTIFICATIONS_CONFIG } from './config/status-page-notifications.config';
import { SmtpMailer } from './notifications/channels/smtp.mailer';
import { STATUS_PAGE_SUBSCRIBER_PARTS } from './status-pages/status-page-subscribers.parts';
import { NotifySubscribersWhenStatusPageChangedReactor } from './status-pages/reactors/notify-subscribers-when-status-page-changed.reactor';
import { SMTP_MAILER, STATUSPAGE_SYNC_WORKER } from './status-pages/status-pages.tokens';
import { MirrorToStatuspageWhenStatusPageChangedReactor } from './status-pages/statuspage-sync/mirror-to-statuspage-when-status-page-changed.reactor';
import type { StatuspageSyncWorker } from './status-pages/statuspage-sync/statuspage-sync.worker';

/** Connection errors of notification-service's pool: a killed or restarted database, a terminated backend. */
const DATABASE_LOGGER = new Logger('notification-service database');

export { NOTIFICATION_PG_POOL } from './notifications/notification.tokens';

const ENTITIES = [NotificationRuleEntity, DeliveryEntity, DeliveryAttemptEntity];

/** Most targets `fireline_notification_circuit_open` names (most recently opened first), to bound its series. */
export const CIRCUIT_OPEN_METRIC_TARGETS = 20;

/**
 * What `/health/ready` and `/metrics` report for notification-service: its database, its parked
 * messages, deliveries by status (`fireline_notification_deliveries{status="dead_lettered"}` is the
 * notification dead-letter count), and this process's delivery circuit breakers that are not closed:
 * `fireline_notification_circuits{state="open"|"half_open"}` counts them, and
 * `fireline_notification_circuit_open{target="<origin>"}` is 1 for each of at most
 * `CIRCUIT_OPEN_METRIC_TARGETS` of them. No event store, so no subscriptions.
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
    {
      name: 'notification_circuits',
      help: "Delivery targets whose circuit breaker in this process is open or half-open (probe in flight).",
      label: 'state',
      read(_pool, resolve) {
        const open = resolve<DeliveryCircuitBreakers>(DELIVERY_CIRCUIT_BREAKERS).openCircuits();
        return Promise.resolve({ open: open.filter((c) => c.state === 'open').length, half_open: open.filter((c) => c.state === 'half_open').length });
      },
    },
    {
      name: 'notification_circuit_open',
      help: `1 for each delivery target (URL origin) whose circuit breaker in this process is open or half-open; at most ${CIRCUIT_OPEN_METRIC_TARGETS}, most recently opened first.`,
      label: 'target',
      read(_pool, resolve) {
        const open = resolve<DeliveryCircuitBreakers>(DELIVERY_CIRCUIT_BREAKERS).openCircuits(CIRCUIT_OPEN_METRIC_TARGETS);
        return Promise.resolve(Object.fromEntries(open.map((c) => [c.target, 1])));
      },
    },
  ],
};

/**
 * notification-service's migrations, in order (`migrate.ts` runs the same list). The event store holds
 * its audit log (rule changes); `api_key_replica` its copy of the API keys.
 */
export const NOTIFICATION_SERVICE_MIGRATIONS = [
  ...EVENT_STORE_MIGRATIONS,
  ...MESSAGING_MIGRATIONS,
  CreateIdempotencyKeys1732000000200,
  ...NOTIFICATION_MIGRATIONS,
  CreateAuditLogIndex1732000003100,
  CreateApiKeyReplica1732000003200,
];

/** The consumer group that keeps `api_key_replica` from `fireline.access.v1`. */
export const NOTIFICATION_ACCESS_CONSUMER = 'notification-service.access';

/**
 * The notification service: rules API, the incident-event reactor that queues deliveries, the
 * delivery worker, and the delivery log API. Needs `CqrsModule.forRoot()` and a global
 * `MESSAGE_TRANSPORT` from the importing root. Its TypeORM data source is named `notification`.
 * Webhook secrets and target URLs are sealed at rest with `config.encryption`; at start-up, rows still
 * in plaintext or under an older key are re-sealed in the background. Every outbound request goes
 * through the `OutboundDestinationGuard` of `config.outbound`.
 */
@Module({})
export class NotificationServiceModule implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy, OnApplicationShutdown {
  private readonly logger = new Logger('NotificationService');
  private resealing: Promise<void> | null = null;

  constructor(
    private readonly reactor: NotifySubscribersWhenIncidentEventReactor,
    private readonly statusPageReactor: NotifySubscribersWhenStatusPageChangedReactor,
    @Inject(SMTP_MAILER) private readonly mailer: SmtpMailer | null,
    private readonly statuspageReactor: MirrorToStatuspageWhenStatusPageChangedReactor,
    @Inject(STATUSPAGE_SYNC_WORKER) private readonly statuspageSync: StatuspageSyncWorker,
    @Inject(DELIVERY_WORKER) private readonly worker: DeliveryWorker,
    @Inject(OUTBOUND_DESTINATION_GUARD) private readonly outbound: OutboundDestinationGuard,
    @Inject(NOTIFICATION_SECRET_BOX) private readonly secrets: NotificationSecretBox,
    @Inject(MESSAGE_TRANSPORT) private readonly transport: MessageTransport,
    @Inject(NOTIFICATION_PG_POOL) private readonly pool: Pool,
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
      controllers: [
        NotificationRulesHttpController,
        NotificationRuleDeadLettersHttpController,
        DeliveriesHttpController,
        ...STATUS_PAGE_SUBSCRIBER_PARTS.controllers,
        AuditEventsControllerFor({ path: 'v1/admin/notification-service', poolToken: NOTIFICATION_PG_POOL }),
      ],
      providers: [
        { provide: NOTIFICATION_SERVICE_CONFIG, useValue: config },
        { provide: NOTIFICATION_SECRET_BOX, useFactory: () => new NotificationSecretBox(new SecretBox(config.encryption)) },
        { provide: OUTBOUND_DESTINATION_GUARD, useFactory: () => new OutboundDestinationGuard(config.outbound ?? DEFAULT_OUTBOUND_POLICY) },
        {
          provide: NOTIFICATION_PG_POOL,
          useFactory: pgPoolOf,
          inject: [getDataSourceToken(NOTIFICATION_DATA_SOURCE)],
        },
        { provide: NOTIFICATION_EVENT_STORE, useFactory: (pool: Pool) => new EventStore(pool), inject: [NOTIFICATION_PG_POOL] },
        { provide: API_KEY_STORE, useFactory: (pool: Pool) => new ApiKeyReplicaStore(pool), inject: [NOTIFICATION_PG_POOL] },
        {
          provide: DELIVERY_CIRCUIT_BREAKERS,
          useFactory: () => deliveryCircuitBreakers({ ...config.delivery.circuitBreaker, probeTimeoutMs: config.delivery.timeoutMs }),
        },
        { provide: SMTP_MAILER, useFactory: () => (config.smtp ? new SmtpMailer(config.smtp) : null) },
        {
          provide: DELIVERY_WORKER,
          useFactory: (pool: Pool, circuitBreakers: DeliveryCircuitBreakers, secrets: NotificationSecretBox, outbound: OutboundDestinationGuard, mailer: SmtpMailer | null) => {
            const { retryWindowMs, maxAttempts, baseDelayMs, maxDelayMs } = config.delivery;
            const quarantineAfter = (config.statusPages ?? DEFAULT_STATUS_PAGE_NOTIFICATIONS_CONFIG).quarantineAfterDeadLetters;
            return new DeliveryWorker(new DeliveryQueue(pool, secrets, quarantineAfter), {
              policy: { retryWindowMs, maxAttempts, baseDelayMs, maxDelayMs },
              timeoutMs: config.delivery.timeoutMs,
              pollIntervalMs: config.delivery.pollIntervalMs,
              concurrency: config.delivery.concurrency,
              leaseMs: config.delivery.leaseMs,
              circuitBreakers,
              outbound,
              mailer,
            });
          },
          inject: [NOTIFICATION_PG_POOL, DELIVERY_CIRCUIT_BREAKERS, NOTIFICATION_SECRET_BOX, OUTBOUND_DESTINATION_GUARD, SMTP_MAILER],
        },
        ...STATUS_PAGE_SUBSCRIBER_PARTS.providers,
        NotifySubscribersWhenIncidentEventReactor,
        CreateNotificationRuleHandler,
        UpdateNotificationRuleHandler,
        DeleteNotificationRuleHandler,
        RetryDeliveryHandler,
        RetryDeadLettersHandler,
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
    this.statusPageReactor.subscribe();
    this.statuspageReactor.subscribe();
    this.transport.subscribe(apiKeyReplicaConsumer(NOTIFICATION_ACCESS_CONSUMER, this.pool));
  }

  onApplicationBootstrap(): void {
    this.outbound.announce();
    this.mailer?.announce();
    this.worker.start();
    this.statuspageSync.start();
    this.resealing = this.resealInBackground();
  }

  /** Stops claiming and waits for sends in flight (and the re-sealing pass), before the data source is destroyed. */
  async onModuleDestroy(): Promise<void> {
    await this.worker.stop();
    await this.statuspageSync.stop();
    await this.resealing;
    await this.outbound.close();
    this.mailer?.close();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker.stop();
    await this.statuspageSync.stop();
  }

  /** Seals what is still plaintext or under an older key; reads cope with both meanwhile. Never throws. */
  private async resealInBackground(): Promise<void> {
    try {
      const report = await resealNotificationSecrets(this.pool, this.secrets);
      const parts = Object.values(report);
      const resealed = parts.reduce((sum, part) => sum + part.resealed, 0);
      if (resealed > 0) {
        this.logger.log(
          `Sealed ${report.rules.resealed} notification rule(s), ${report.deliveries.resealed} delivery(ies), ${report.subscribers.resealed} status-page subscriber(s) and ` +
            `${report.statuspageSyncConfigs.resealed} Statuspage key(s) with encryption key ${this.secrets.box.currentKeyId}`,
        );
      }
      for (const problem of parts.flatMap((part) => part.problems)) this.logger.error(`Cannot re-seal ${problem}`);
    } catch (error) {
      this.logger.error(`Re-sealing secrets at start-up failed (retried at the next start): ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
