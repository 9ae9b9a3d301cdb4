import { migrateFromCommandLine } from '@fireline/event-store';
import { loadPostmortemServiceConfig } from './config/postmortem-service.config';
import { POSTMORTEM_SERVICE_ALL_MIGRATIONS } from './postmortem-service.module';

/**
 * `node dist/apps/postmortem-service/src/migrate.js`: applies postmortem-service's migrations to `POSTMORTEM_DATABASE_URL`
 * and exits (0 when the database is current, 1 otherwise). The Kubernetes migration Job runs it before
 * Deployments that set `DATABASE_MIGRATIONS_RUN=false`.
 */
void migrateFromCommandLine('postmortem-service', () => loadPostmortemServiceConfig(process.env).database.url, POSTMORTEM_SERVICE_ALL_MIGRATIONS);
