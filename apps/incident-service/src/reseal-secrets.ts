import { resealFromCommandLine, SecretBox } from '@fireline/secrets';
import { resealAlertIntake } from './alert-intake/ledger/alert-intake.reseal';
import { loadIncidentServiceConfig } from './config/incident-service.config';
import { resealIntegrationSecrets } from './alert-intake/integrations/persistence/reseal-integration-secrets';

/**
 * `node dist/apps/incident-service/src/reseal-secrets.js`: seals every PagerDuty signing secret and
 * recorded delivery body of `INCIDENT_DATABASE_URL` with `FIRELINE_ENCRYPTION_KEY` (opening older ones
 * with `FIRELINE_ENCRYPTION_OLD_KEYS`), then exits 0 when nothing is left under another key. The service
 * does the same at every start-up; this is for finishing a key rotation on demand before dropping the old key.
 */
void resealFromCommandLine(
  'incident-service',
  () => {
    const config = loadIncidentServiceConfig(process.env);
    return { databaseUrl: config.database.url, box: new SecretBox(config.encryption) };
  },
  async (pool, box) => ({ integrations: await resealIntegrationSecrets(pool, box), alert_intake: await resealAlertIntake(pool, box) }),
);
