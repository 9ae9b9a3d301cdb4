import type { ObservedService } from '@fireline/observability';
import { Logger, Module, type DynamicModule } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import { EVENT_STORE_MIGRATIONS, EventStore, pgPoolOf, projectionSubscriptionName, resilientPgPoolOptions } from '@fireline/event-store';
import { AuditEventsControllerFor, CreateAuditLogIndex1732000003100, CreateIdempotencyKeys1732000000200, SubscriptionsAdminControllerFor } from '@fireline/http';
import { MESSAGING_MIGRATIONS } from '@fireline/messaging';
import { SecretBox } from '@fireline/secrets';
import type { Pool } from 'pg';
import { ACCESS } from './access/access.parts';
import { DEFAULT_API_KEY_POLICY } from './access/application/api-keys';
import { ACCESS_CONFIG, ACCESS_RELAY_NAME } from './access/projections/access-subscriptions';
import { apiKeysProjection } from './access/projections/api-keys.projection';
import { ALERT_INGESTION } from './alert-intake/alert-intake.parts';
import { ALERT_INTAKE_GAUGES } from './alert-intake/ledger/alert-intake-metrics';
import type { IncidentServiceConfig } from './config/incident-service.config';
import { ExecuteIncidentCommandHandler } from './incidents/application/execute-incident.command';
import { GetIncidentHandler, GetIncidentTimelineHandler } from './incidents/application/get-incident.query';
import { DashboardHttpController } from './incidents/http/dashboard.http.controller';
import { IncidentsHttpController } from './incidents/http/incidents.http.controller';
import { INCIDENT_DATA_SOURCE, INCIDENT_EVENT_STORE, INCIDENT_PG_POOL, INCIDENT_SECRET_BOX } from './incident-service.tokens';
import { GetDashboardHandler } from './incidents/projections/dashboard.query';
import { CreateIncidentSummaries1732000001000 } from './incidents/projections/incident-read-models.migration';
import { AddIncidentSummaryAutoResolved1732000003300 } from './incidents/projections/incident-summary-auto-resolved.migration';
import { CLOSE_INCIDENT_WHEN_POSTMORTEM_NOT_REQUIRED } from './incidents/workflows/close-incident-when-postmortem-not-required.workflow';
import { IncidentWorkflows } from './incidents/workflows/incident-workflows';
import { OPEN_INCIDENT_WHEN_ALERT_TRIGGERED } from './alert-intake/workflows/alert-incident';
import { INCIDENT_RELAY_NAME, INCIDENT_SERVICE_CONFIG, IncidentSubscriptions } from './incident-service.subscriptions';
import { incidentSummaryProjection } from './incidents/projections/incident-summary.projection';
import { IncidentSummaryEntity } from './incidents/projections/incident-summary.entity';
import { ListIncidentsHandler } from './incidents/projections/list-incidents.query';
import { PAGERDUTY_WEBHOOKS } from './alert-intake/sources/pagerduty-webhooks-v3/pagerduty-webhooks.parts';
import { STATUS_PAGES } from './status-pages/status-pages.parts';

/** Connection errors of incident-service's pool: a killed or restarted database, a terminated backend. */
const DATABASE_LOGGER = new Logger('incident-service database');

/** incident-service's migrations, in order (listed explicitly: bundles cannot glob). */
export const INCIDENT_SERVICE_MIGRATIONS = [
  ...EVENT_STORE_MIGRATIONS,
  ...MESSAGING_MIGRATIONS,
  CreateIdempotencyKeys1732000000200,
  CreateIncidentSummaries1732000001000,
  ...ALERT_INGESTION.migrations,
  ...PAGERDUTY_WEBHOOKS.migrations,
  ...STATUS_PAGES.migrations,
  CreateAuditLogIndex1732000003100,
  ...ACCESS.migrations,
  AddIncidentSummaryAutoResolved1732000003300,
];

const OTHER_SUBSCRIPTIONS = [`relay:${INCIDENT_RELAY_NAME}`, `relay:${ACCESS_RELAY_NAME}`, OPEN_INCIDENT_WHEN_ALERT_TRIGGERED, CLOSE_INCIDENT_WHEN_POSTMORTEM_NOT_REQUIRED, ...STATUS_PAGES.otherSubscriptions];

const PROJECTIONS = [incidentSummaryProjection, ...STATUS_PAGES.projections, apiKeysProjection];

/**
 * What `/health/ready` and `/metrics` report for incident-service: its database, every subscription and
 * the alert intake's queue (`ALERT_INTAKE_GAUGES`).
 */
export const INCIDENT_SERVICE_OBSERVED: ObservedService = {
  name: 'incident-service',
  poolToken: INCIDENT_PG_POOL,
  subscriptions: [...PROJECTIONS.map(projectionSubscriptionName), ...OTHER_SUBSCRIPTIONS],
  gauges: ALERT_INTAKE_GAUGES,
};

/**
 * incident-service as one Nest module: its own database (TypeORM data source `incident`, whose pg pool
 * the event store shares), its commands, queries, controllers and subscriptions. Needs
 * `CqrsModule.forRoot()` and a global `MESSAGE_TRANSPORT` from the app that imports it. PagerDuty signing
 * secrets and recorded delivery bodies are sealed at rest with `config.encryption`.
 */
@Module({})
export class IncidentServiceModule {
  static register(config: IncidentServiceConfig): DynamicModule {
    return {
      module: IncidentServiceModule,
      imports: [
        CqrsModule,
        TypeOrmModule.forRoot({
          name: INCIDENT_DATA_SOURCE,
          type: 'postgres',
          url: config.database.url,
          poolSize: config.database.poolSize,
          entities: [IncidentSummaryEntity, ...ALERT_INGESTION.entities],
          migrations: INCIDENT_SERVICE_MIGRATIONS,
          migrationsRun: config.database.migrationsRun,
          synchronize: false,
          ...resilientPgPoolOptions(config.database.timeouts, (error) => DATABASE_LOGGER.warn(`connection error: ${error.message}`)),
        }),
        TypeOrmModule.forFeature([IncidentSummaryEntity, ...ALERT_INGESTION.entities], INCIDENT_DATA_SOURCE),
      ],
      controllers: [
        IncidentsHttpController,
        DashboardHttpController,
        ...ALERT_INGESTION.controllers,
        ...PAGERDUTY_WEBHOOKS.controllers,
        ...STATUS_PAGES.controllers,
        ...ACCESS.controllers,
        SubscriptionsAdminControllerFor({
          path: 'v1/admin/incident-service',
          poolToken: INCIDENT_PG_POOL,
          projections: PROJECTIONS,
          otherSubscriptions: OTHER_SUBSCRIPTIONS,
        }),
        AuditEventsControllerFor({ path: 'v1/admin/incident-service', poolToken: INCIDENT_PG_POOL }),
      ],
      providers: [
        { provide: INCIDENT_SERVICE_CONFIG, useValue: config },
        { provide: INCIDENT_SECRET_BOX, useFactory: () => new SecretBox(config.encryption) },
        { provide: ACCESS_CONFIG, useValue: { apiKeys: config.apiKeys ?? DEFAULT_API_KEY_POLICY, pollIntervalMs: config.projections.pollIntervalMs, lingerMs: config.projections.lingerMs } },
        {
          provide: INCIDENT_PG_POOL,
          useFactory: pgPoolOf,
          inject: [getDataSourceToken(INCIDENT_DATA_SOURCE)],
        },
        { provide: INCIDENT_EVENT_STORE, useFactory: (pool: Pool) => new EventStore(pool), inject: [INCIDENT_PG_POOL] },
        IncidentSubscriptions,
        IncidentWorkflows,
        ExecuteIncidentCommandHandler,
        GetIncidentHandler,
        GetIncidentTimelineHandler,
        ListIncidentsHandler,
        GetDashboardHandler,
        ...ALERT_INGESTION.providers,
        ...PAGERDUTY_WEBHOOKS.providers,
        ...STATUS_PAGES.providers,
        ...ACCESS.providers,
      ],
      exports: [IncidentSubscriptions],
    };
  }
}
