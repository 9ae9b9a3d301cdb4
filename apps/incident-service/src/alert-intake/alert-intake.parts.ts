import { IntegrationsHttpController } from './integrations/http/integrations.http.controller';
import { IntegrationEntity } from './integrations/persistence/integration.entity';
import { IntegrationRepository } from './integrations/persistence/integration.repository';
import { SecretsAtRestResealer } from './integrations/persistence/secrets-at-rest.resealer';
import { AddIntegrationAutoResolve1732000002600 } from './integrations/persistence/integration-auto-resolve.migration';
import { CreateIntegrations1732000002000 } from './integrations/persistence/integrations.migration';
import { ExecuteAlertCommandHandler } from './application/execute-alert.command';
import { AlertmanagerHttpController } from './sources/alertmanager/alertmanager.http.controller';
import { EventsV2ReplyShapeHook } from './sources/events-v2/events-v2-reply-shape.hook';
import { EVENTS_V2_THROTTLER_STORAGE_PROVIDER } from './sources/events-v2/events-v2-throttler.guard';
import { EventsV2HttpController } from './sources/events-v2/events-v2.http.controller';
import { AddAlertIntakeSanitizedFields1732000002700 } from './ledger/alert-intake-sanitized-fields.migration';
import { ProtectAlertIntake1732000002750 } from './ledger/alert-intake-protection.migration';
import { CreateAlertIntake1732000002100 } from './ledger/alert-intake.migration';
import { AlertIntakeProcessor } from './ledger/alert-intake.processor';
import { AlertIntakeRepository } from './ledger/alert-intake.repository';
import { AlertIntakeWorker } from './ledger/alert-intake.worker';
import { IngestAlertmanagerWebhookHandler } from './sources/alertmanager/ingest-alertmanager-webhook.command';
import { IngestEventsV2EventHandler } from './sources/events-v2/ingest-events-v2-event.command';
import { ReprocessAlertDeliveryHandler } from './ledger/reprocess-alert-delivery.command';
import { UnauthenticatedIntakeGate } from './ledger/unauthenticated-intake.gate';
import { AlertWorkflows } from './workflows/alert-workflows';
import { CreateAlertDedup1732000003100 } from './dedup/alert-dedup.migration';
import { AlertDedupRepository } from './dedup/alert-dedup.repository';
import { AlertDedupCounterWorker } from './dedup/alert-dedup-counter.worker';
import { AddAbsorbedTriggers1732000003500 } from './dedup/alert-intake-absorbed.migration';
import { KeepAlertIntakeRowsInline1732000003600 } from './ledger/alert-intake-inline-rows.migration';
import { OrderQueuedAlertIntakeByKey1732000003800 } from './ledger/alert-intake-key-order.migration';
import { KeepAlertIntakeLookupsOffQueueIndexes1732000003900 } from './ledger/alert-intake-queue-indexes.migration';
import { CountAbsorbedTriggersApart1732000003700 } from './dedup/alert-dedup-uncounted.migration';
import { CreateAlertIncidents1732000003200 } from './workflows/alert-incidents.migration';
import { AlertIncidentRepository } from './workflows/alert-incident.repository';
import { ExpireSilentAlertsWorker } from './workflows/expire-silent-alerts.worker';

/**
 * Alert ingestion's parts, listed once so that `IncidentServiceModule` registers them with one line
 * each: integrations (TypeORM), the intake ledger and its worker, the alert command path, the
 * Events API v2 (rate-limited) and Alertmanager receivers, re-processing of recorded deliveries and the alert workflows (`workflows/`).
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
    CreateAlertDedup1732000003100,
    CreateAlertIncidents1732000003200,
    AddAbsorbedTriggers1732000003500,
    KeepAlertIntakeRowsInline1732000003600,
    CountAbsorbedTriggersApart1732000003700,
    OrderQueuedAlertIntakeByKey1732000003800,
    KeepAlertIntakeLookupsOffQueueIndexes1732000003900,
  ],
  controllers: [IntegrationsHttpController, EventsV2HttpController, AlertmanagerHttpController],
  providers: [
    IntegrationRepository,
    SecretsAtRestResealer,
    AlertIntakeRepository,
    AlertDedupRepository,
    AlertDedupCounterWorker,
    AlertIncidentRepository,
    ExpireSilentAlertsWorker,
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
