import { ExecuteStatusPageCommandHandler } from './application/execute-status-page.command';
import { GetIncidentFactsHandler, GetStatusPageHandler, ListStatusPagesHandler } from './application/status-page.query';
import { StatusPagesHttpController } from './http/status-pages.http.controller';
import { maintenanceTimersProjection } from './projections/maintenance-timers.projection';
import { CreateStatusPageTables1732000003000 } from './projections/status-page-read-models.migration';
import { STATUS_PAGE_RELAY_NAME, StatusPageSubscriptions } from './projections/status-page-subscriptions';
import { statusPageViewProjection } from './projections/status-page-view.projection';
import { PublicStatusPages } from './public/public-status-pages';
import { StatusPagesPublicHttpController } from './public/status-pages-public.http.controller';
import { MaintenanceTimerWorker } from './workflows/maintenance-timer.worker';
import { StatusPageWorkflows } from './workflows/status-page-workflows';
import { UPDATE_STATUS_PAGE_WHEN_INCIDENT_CHANGED } from './workflows/update-status-page-when-incident-changed.workflow';

/**
 * Status pages' parts, listed once so that `IncidentServiceModule` registers them with one line each:
 * management REST (`/v1/status-pages`), the public surface (`/status/{slug}`), the command path, the
 * read-model and timer projections, the relay, the incident workflow and the maintenance timer worker.
 */
export const STATUS_PAGES = {
  migrations: [CreateStatusPageTables1732000003000],
  controllers: [StatusPagesHttpController, StatusPagesPublicHttpController],
  providers: [
    ExecuteStatusPageCommandHandler,
    GetStatusPageHandler,
    GetIncidentFactsHandler,
    ListStatusPagesHandler,
    StatusPageSubscriptions,
    StatusPageWorkflows,
    MaintenanceTimerWorker,
    PublicStatusPages,
  ],
  projections: [statusPageViewProjection, maintenanceTimersProjection],
  otherSubscriptions: [`relay:${STATUS_PAGE_RELAY_NAME}`, UPDATE_STATUS_PAGE_WHEN_INCIDENT_CHANGED],
} as const;
