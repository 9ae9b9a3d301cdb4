import { migrateFromCommandLine } from '@fireline/event-store';
import { loadNotificationServiceDatabaseUrl } from './config/notification-service.config';
import { NOTIFICATION_SERVICE_MIGRATIONS } from './notification-service.module';

/**
 * `node dist/apps/notification-service/src/migrate.js`: applies notification-service's migrations to `NOTIFICATION_DATABASE_URL`
 * and exits (0 when the database is current, 1 otherwise). The Kubernetes migration Job runs it before
 * Deployments that set `DATABASE_MIGRATIONS_RUN=false`.
 */
void migrateFromCommandLine('notification-service', () => loadNotificationServiceDatabaseUrl(process.env), NOTIFICATION_SERVICE_MIGRATIONS);
