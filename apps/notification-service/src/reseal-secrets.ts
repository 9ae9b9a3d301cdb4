import { resealFromCommandLine, SecretBox } from '@fireline/secrets';
import { loadNotificationServiceConfig } from './config/notification-service.config';
import { NotificationSecretBox } from './notifications/secrets/notification-secret-box';
import { resealNotificationSecrets } from './notifications/secrets/reseal-notification-secrets';

/**
 * `node dist/apps/notification-service/src/reseal-secrets.js`: seals every webhook secret and target URL
 * of `NOTIFICATION_DATABASE_URL` with `FIRELINE_ENCRYPTION_KEY` (opening older ones with
 * `FIRELINE_ENCRYPTION_OLD_KEYS`), then exits 0 when nothing is left under another key. The service does
 * the same at every start-up; this is for finishing a key rotation on demand before dropping the old key.
 */
void resealFromCommandLine(
  'notification-service',
  () => {
    const config = loadNotificationServiceConfig(process.env);
    return { databaseUrl: config.database.url, box: new SecretBox(config.encryption) };
  },
  (pool, box) => resealNotificationSecrets(pool, new NotificationSecretBox(box)),
);
