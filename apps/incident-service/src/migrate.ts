import { migrateFromCommandLine } from '@fireline/event-store';
import { loadIncidentServiceDatabaseUrl } from './config/incident-service.config';
import { INCIDENT_SERVICE_MIGRATIONS } from './incident-service.module';

/**
 * `node dist/apps/incident-service/src/migrate.js`: applies incident-service's migrations to `INCIDENT_DATABASE_URL`
 * and exits (0 when the database is current, 1 otherwise). The Kubernetes migration Job runs it before
 * Deployments that set `DATABASE_MIGRATIONS_RUN=false`.
 */
void migrateFromCommandLine('incident-service', () => loadIncidentServiceDatabaseUrl(process.env), INCIDENT_SERVICE_MIGRATIONS);
