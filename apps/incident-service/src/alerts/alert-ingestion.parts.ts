import { IntegrationsHttpController } from '../integrations/http/integrations.http.controller';
import { IntegrationEntity } from '../integrations/persistence/integration.entity';
import { IntegrationRepository } from '../integrations/persistence/integration.repository';
import { SecretsAtRestResealer } from '../integrations/persistence/secrets-at-rest.resealer';
import { AddIntegrationAutoResolve1732000002600 } from '../integrations/persistence/integration-auto-resolve.migration';
import { CreateIntegrations1732000002000 } from '../integrations/persistence/integrations.migration';
import { ExecuteAlertCommandHandler } from './application/execute-alert-command';
import { AlertmanagerHttpController } from './http/alertmanager.http.controller';
import { EventsV2ReplyShapeHook } from './http/events-v2-reply-shape.hook';
import { EVENTS_V2_THROTTLER_STORAGE_PROVIDER } from './http/events-v2-throttler.guard';
import { EventsV2HttpController } from './http/events-v2.http.controller';
import { AddAlertIntakeSanitizedFields1732000002700 } from './intake/alert-intake-sanitized-fields.migration';
import { ProtectAlertIntake1732000002750 } from './intake/alert-intake-protection.migration';
import { CreateAlertIntake1732000002100 } from './intake/alert-intake.migration';
import { AlertIntakeProcessor } from './intake/alert-intake.processor';
import { AlertIntakeRepository } from './intake/alert-intake.repository';
import { AlertIntakeWorker } from './intake/alert-intake.worker';
import { IngestAlertmanagerWebhookHandler } from './intake/ingest-alertmanager-webhook';
import { IngestEventsV2EventHandler } from './intake/ingest-events-v2-event';
import { ReprocessAlertDeliveryHandler } from './intake/reprocess-alert-delivery';
import { UnauthenticatedIntakeGate } from './intake/unauthenticated-intake.gate';
import { AlertWorkflows } from './workflows/alert-workflows';

/**
 * Alert ingestion's parts, listed once so that `IncidentServiceModule` registers them with one line
 * each: integrations (TypeORM), the intake ledger and its worker, the alert command path, the
 * Events API v2 (rate-limited) and Alertmanager receivers, re-processing of recorded deliveries and the `open-incident-when-alert-triggered` process manager.
 */
export const ALERT_INGESTION = {
  entities: [IntegrationEntity],
  // AddIntegrationAutoResolve runs after every create (TypeORM orders migrations by their timestamp).
  migrations: [
    CreateIntegrations1732000002000,
    CreateAlertIntake1732000002100,
    AddIntegrationAutoResolve1732000002600,
    AddAlertIntakeSanitizedFields1732000002700,
    ProtectAlertIntake1732000002750,
  ],
  controllers: [IntegrationsHttpController, EventsV2HttpController, AlertmanagerHttpController],
  providers: [
    IntegrationRepository,
    SecretsAtRestResealer,
    AlertIntakeRepository,
    UnauthenticatedIntakeGate,
    AlertIntakeProcessor,
    AlertIntakeWorker,
    AlertWorkflows,
    ExecuteAlertCommandHandler,
    IngestEventsV2EventHandler,
    IngestAlertmanagerWebhookHandler,
    ReprocessAlertDeliveryHandler,
    EventsV2ReplyShapeHook,
    EVENTS_V2_THROTTLER_STORAGE_PROVIDER,
  ],
} as const;
