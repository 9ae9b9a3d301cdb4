import { API_KEY_STORE, ApiKeyReplicaStore, apiKeyReplicaConsumer, CreateApiKeyReplica1732000003200 } from '@fireline/auth';
import type { ObservedService } from '@fireline/observability';
import { EVENT_STORE_MIGRATIONS, EventStore, pgPoolOf, projectionSubscriptionName, resilientPgPoolOptions } from '@fireline/event-store';
import { CreateIdempotencyKeys1732000000200, SubscriptionsAdminControllerFor } from '@fireline/http';
import { MESSAGE_TRANSPORT, MESSAGING_MIGRATIONS, type MessageTransport } from '@fireline/messaging';
import { Inject, Logger, Module, type DynamicModule, type OnApplicationBootstrap, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import type { Pool } from 'pg';
import type { PostmortemServiceConfig } from './config/postmortem-service.config';
import { Clock, SystemClock } from './postmortems/application/clock';
import { ExecutePostmortemCommandsHandler } from './postmortems/application/execute-postmortem-commands.command';
import { GetPostmortemHandler } from './postmortems/application/get-postmortem.query';
import { POSTMORTEM_RELAY_NAME, PostmortemSubscriptions } from './postmortems/application/postmortem-subscriptions';
import { POSTMORTEM_EVENT_STORE, POSTMORTEM_PG_POOL, POSTMORTEM_SERVICE_CONFIG } from './postmortems/application/postmortem.tokens';
import { ActionItemsHttpController } from './postmortems/http/action-items.http.controller';
import { PostmortemsHttpController } from './postmortems/http/postmortems.http.controller';
import { IncidentEventsConsumer } from './postmortems/messaging/incident-events.consumer';
import { ActionItemEntity } from './postmortems/projections/action-item.entity';
import { actionItemsProjection } from './postmortems/projections/action-items.projection';
import { POSTMORTEM_SERVICE_MIGRATIONS } from './postmortems/projections/create-postmortem-tables.migration';
import { ListActionItemsHandler } from './postmortems/projections/list-action-items.query';
import { ListPostmortemsHandler } from './postmortems/projections/list-postmortems.query';
import { PostmortemSummaryEntity } from './postmortems/projections/postmortem-summary.entity';
import { postmortemSummaryProjection } from './postmortems/projections/postmortem-summary.projection';
import { DraftPostmortemWhenIncidentResolvedWorkflow } from './postmortems/workflows/draft-postmortem-when-incident-resolved.workflow';
import { IncidentTimelineRepository } from './postmortems/workflows/incident-timeline.repository';

/** Connection errors of postmortem-service's pool: a killed or restarted database, a terminated backend. */
const DATABASE_LOGGER = new Logger('postmortem-service database');

/** The TypeORM connection name of this service's database. */
export const POSTMORTEM_DATA_SOURCE = 'postmortem';

const ENTITIES = [PostmortemSummaryEntity, ActionItemEntity];

const POSTMORTEM_PROJECTIONS = [postmortemSummaryProjection, actionItemsProjection];

/** What `/health/ready` and `/metrics` report for postmortem-service: its database and every subscription. */
export const POSTMORTEM_SERVICE_OBSERVED: ObservedService = {
  name: 'postmortem-service',
  poolToken: POSTMORTEM_PG_POOL,
  subscriptions: [...POSTMORTEM_PROJECTIONS.map((projection) => projectionSubscriptionName(projection)), `relay:${POSTMORTEM_RELAY_NAME}`],
};

/** postmortem-service's migrations, in order (`migrate.ts` runs the same list). */
export const POSTMORTEM_SERVICE_ALL_MIGRATIONS = [
  ...EVENT_STORE_MIGRATIONS,
  ...MESSAGING_MIGRATIONS,
  CreateIdempotencyKeys1732000000200,
  ...POSTMORTEM_SERVICE_MIGRATIONS,
  CreateApiKeyReplica1732000003200,
];

/** The consumer group that keeps `api_key_replica` from `fireline.access.v1`. */
export const POSTMORTEM_ACCESS_CONSUMER = 'postmortem-service.access';

/**
 * The postmortem service: consumes incident events (timeline + draft-postmortem-when-incident-resolved),
 * serves the postmortem HTTP API, runs its projections and the `fireline.postmortems.v1` relay.
 * Needs from the root: `CqrsModule.forRoot()` and a global `MESSAGE_TRANSPORT`.
 */
@Module({})
export class PostmortemServiceModule implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  constructor(
    @Inject(MESSAGE_TRANSPORT) private readonly transport: MessageTransport,
    private readonly incidentEvents: IncidentEventsConsumer,
    private readonly subscriptions: PostmortemSubscriptions,
    @Inject(POSTMORTEM_PG_POOL) private readonly pool: Pool,
  ) {}

  static register(config: PostmortemServiceConfig): DynamicModule {
    return {
      module: PostmortemServiceModule,
      imports: [
        TypeOrmModule.forRoot({
          name: POSTMORTEM_DATA_SOURCE,
          type: 'postgres',
          url: config.database.url,
          poolSize: config.database.poolSize,
          entities: ENTITIES,
          migrations: POSTMORTEM_SERVICE_ALL_MIGRATIONS,
          migrationsRun: config.database.migrationsRun,
          synchronize: false,
          ...resilientPgPoolOptions(config.database.timeouts, (error) => DATABASE_LOGGER.warn(`connection error: ${error.message}`)),
        }),
        TypeOrmModule.forFeature(ENTITIES, POSTMORTEM_DATA_SOURCE),
      ],
      controllers: [
        PostmortemsHttpController,
        ActionItemsHttpController,
        SubscriptionsAdminControllerFor({
          path: 'v1/admin/postmortem-service',
          poolToken: POSTMORTEM_PG_POOL,
          projections: POSTMORTEM_PROJECTIONS,
          otherSubscriptions: [`relay:${POSTMORTEM_RELAY_NAME}`],
        }),
      ],
      providers: [
        { provide: POSTMORTEM_SERVICE_CONFIG, useValue: config },
        {
          provide: POSTMORTEM_PG_POOL,
          useFactory: pgPoolOf,
          inject: [getDataSourceToken(POSTMORTEM_DATA_SOURCE)],
        },
        { provide: POSTMORTEM_EVENT_STORE, useFactory: (pool: Pool) => new EventStore(pool), inject: [POSTMORTEM_PG_POOL] },
        { provide: API_KEY_STORE, useFactory: (pool: Pool) => new ApiKeyReplicaStore(pool), inject: [POSTMORTEM_PG_POOL] },
        { provide: Clock, useClass: SystemClock },
        PostmortemSubscriptions,
        IncidentTimelineRepository,
        DraftPostmortemWhenIncidentResolvedWorkflow,
        IncidentEventsConsumer,
        ExecutePostmortemCommandsHandler,
        GetPostmortemHandler,
        ListPostmortemsHandler,
        ListActionItemsHandler,
      ],
    };
  }

  onModuleInit(): void {
    this.transport.subscribe(this.incidentEvents.registration());
    this.transport.subscribe(apiKeyReplicaConsumer(POSTMORTEM_ACCESS_CONSUMER, this.pool));
  }

  onApplicationBootstrap(): void {
    this.subscriptions.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.subscriptions.stop();
  }
}
