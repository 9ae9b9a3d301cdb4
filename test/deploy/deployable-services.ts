import type { MessagingConfig } from '@fireline/messaging';
import { INCIDENT_SERVICE_ENV_KEYS, loadIncidentServiceDatabaseUrl, loadIncidentServiceStandaloneConfig } from '../../apps/incident-service/src/config/incident-service.config';
import {
  NOTIFICATION_SERVICE_ENV_KEYS,
  loadNotificationServiceDatabaseUrl,
  loadNotificationServiceStandaloneConfig,
} from '../../apps/notification-service/src/config/notification-service.config';
import {
  POSTMORTEM_SERVICE_ENV_KEYS,
  loadPostmortemServiceConfig,
  loadPostmortemServiceStandaloneConfig,
} from '../../apps/postmortem-service/src/config/postmortem-service.config';

/**
 * One service as deployment files must run it: its default port, every env key its config schema
 * knows, and the loaders `main.ts` and `migrate.ts` call (both throw naming every bad key).
 */
export interface DeployableService {
  name: 'incident-service' | 'notification-service' | 'postmortem-service';
  port: number;
  envKeys: readonly string[];
  databaseUrlKey: string;
  /** `main.ts`'s loader. */
  loadStandalone(env: NodeJS.ProcessEnv): { http: { port: number }; service: { database: { url: string; migrationsRun: boolean } }; messaging: MessagingConfig };
  /** What `migrate.ts` reads. */
  loadDatabaseUrl(env: NodeJS.ProcessEnv): string;
}

/** The three services, for the compose and Kubernetes checks in `test/deploy/`. */
export const DEPLOYABLE_SERVICES: readonly DeployableService[] = [
  {
    name: 'incident-service',
    port: 3001,
    envKeys: INCIDENT_SERVICE_ENV_KEYS,
    databaseUrlKey: 'INCIDENT_DATABASE_URL',
    loadStandalone: loadIncidentServiceStandaloneConfig,
    loadDatabaseUrl: loadIncidentServiceDatabaseUrl,
  },
  {
    name: 'notification-service',
    port: 3002,
    envKeys: NOTIFICATION_SERVICE_ENV_KEYS,
    databaseUrlKey: 'NOTIFICATION_DATABASE_URL',
    loadStandalone: loadNotificationServiceStandaloneConfig,
    loadDatabaseUrl: loadNotificationServiceDatabaseUrl,
  },
  {
    name: 'postmortem-service',
    port: 3003,
    envKeys: POSTMORTEM_SERVICE_ENV_KEYS,
    databaseUrlKey: 'POSTMORTEM_DATABASE_URL',
    loadStandalone: loadPostmortemServiceStandaloneConfig,
    loadDatabaseUrl: (env) => loadPostmortemServiceConfig(env).database.url,
  },
];
