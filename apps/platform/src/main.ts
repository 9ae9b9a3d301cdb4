import { ConfigError } from '@fireline/config';
import { Logger } from '@nestjs/common';
import { inspect } from 'node:util';
import { loadIncidentServiceConfig } from '../../incident-service/src/config/incident-service.config';
import { loadNotificationServiceConfig } from '../../notification-service/src/config/notification-service.config';
import { loadPostmortemServiceConfig } from '../../postmortem-service/src/config/postmortem-service.config';
import { embeddedEncryptionKey } from './config/encryption-key-file';
import { loadPlatformConfig, type PlatformConfig } from './config/platform.config';
import { ensureDatabases, startEmbeddedPostgres, type RunningPostgres } from './database/embedded-postgres.launcher';
import type { EventStore } from '@fireline/event-store';
import type { Pool } from 'pg';
import { DEFAULT_API_KEY_POLICY } from '../../incident-service/src/access/application/api-keys';
import { INCIDENT_EVENT_STORE, INCIDENT_PG_POOL } from '../../incident-service/src/incident-service.tokens';
import { firstStartBanner, issueFirstStartAdminKey } from './first-start-admin-key';
import { createPlatformApp } from './platform.app';
import type { PlatformServicesConfig } from './platform.module';

const logger = new Logger('Fireline');

/** Each service's own config loader, fed the environment plus the database URL the platform chose. */
function servicesConfig(config: PlatformConfig, serverUrl: string, env: NodeJS.ProcessEnv): PlatformServicesConfig {
  return {
    incident: loadIncidentServiceConfig({
      // Status pages link to themselves: by default on this process's own port.
      STATUS_PAGES_PUBLIC_URL: `http://localhost:${config.http.port}`,
      ...env,
      INCIDENT_DATABASE_URL: `${serverUrl}/${config.databases.incident}`,
    }),
    notification: loadNotificationServiceConfig({
      // Subscription emails link to the pages' confirm and unsubscribe routes, served by this process too.
      STATUS_PAGES_PUBLIC_URL: `http://localhost:${config.http.port}`,
      ...env,
      NOTIFICATION_DATABASE_URL: `${serverUrl}/${config.databases.notification}`,
    }),
    postmortem: loadPostmortemServiceConfig({ ...env, POSTMORTEM_DATABASE_URL: `${serverUrl}/${config.databases.postmortem}` }),
  };
}

/**
 * The embedded platform's encryption key: `FIRELINE_ENCRYPTION_KEY` when set, else (embedded PostgreSQL
 * only) the key file next to the data directory, made on first start. With an external PostgreSQL and no
 * key, the services' config refuses to start, as they do when run alone.
 */
function withEncryptionKey(config: PlatformConfig, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (config.postgres.mode !== 'embedded') return env;
  const { env: keyed, outcome } = embeddedEncryptionKey(env, config.postgres.dataDir);
  if (outcome.source === 'file') {
    if (outcome.created) {
      logger.warn(
        `FIRELINE_ENCRYPTION_KEY is not set: generated a key for webhook secrets, Slack URLs and alert bodies at rest in ${outcome.path} (mode 0600). ` +
          'Back it up with the data directory: without it those secrets cannot be read. Set FIRELINE_ENCRYPTION_KEY to use your own key.',
      );
    } else {
      logger.log(`Encryption key for secrets at rest: ${outcome.path}`);
    }
    if (outcome.looseMode) logger.warn(`${outcome.path} can be read by other users: chmod 600 it`);
  }
  return keyed;
}

async function main(): Promise<void> {
  const config = loadPlatformConfig(process.env);
  const env = withEncryptionKey(config, process.env);
  let postgres: RunningPostgres | undefined;
  let serverUrl: string;
  if (config.postgres.mode === 'embedded') {
    logger.log(`Starting embedded PostgreSQL (data in ${config.postgres.dataDir}, port ${config.postgres.port})`);
    const log = config.postgres.log;
    postgres = await startEmbeddedPostgres({
      ...config.postgres,
      onLog: log ? (line) => logger.log(line, 'postgres') : undefined,
      log: { log: (message) => logger.log(message), warn: (message) => logger.warn(message) },
    });
    serverUrl = postgres.serverUrl;
  } else {
    serverUrl = config.postgres.serverUrl;
  }
  // Installed before the services start, so that a Ctrl-C during start-up also stops the embedded
  // PostgreSQL (whose own signal handlers the launcher removes: this is the one shutdown path).
  const running: { app?: Awaited<ReturnType<typeof createPlatformApp>> } = {};
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    postgres?.stopSupervising();
    logger.log(`${signal}: shutting down`);
    try {
      await running.app?.close();
    } finally {
      await postgres?.stop();
    }
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));

  await ensureDatabases(serverUrl, Object.values(config.databases));
  const services = servicesConfig(config, serverUrl, env);
  const app = await createPlatformApp(services, { bodyLimitBytes: config.http.bodyLimitBytes, server: config.http.limits, auth: config.auth });
  running.app = app;
  if (stopping) return;
  if (config.postgres.mode === 'embedded' && config.auth.mode === 'required') {
    const issued = await issueFirstStartAdminKey(app.get<Pool>(INCIDENT_PG_POOL), app.get<EventStore>(INCIDENT_EVENT_STORE), services.incident.apiKeys ?? DEFAULT_API_KEY_POLICY, config.adminKeyFile);
    if (issued) logger.warn(firstStartBanner(issued, config.adminKeyFile));
    else logger.log(`API keys: the first-start admin key is in ${config.adminKeyFile} (if you kept it); create more with npm run keys -- create`);
  }
  if (stopping) return;
  await app.listen({ port: config.http.port, host: config.http.host });
  const base = `http://localhost:${config.http.port}`;
  logger.log(`Fireline is up: ${base}  (Swagger UI ${base}/docs, OpenAPI ${base}/docs-json)`);
}

main().catch((error: unknown) => {
  logger.error(`Start-up failed: ${startupFailure(error)}`);
  process.exit(1);
});

/**
 * The real cause of a failed start, whatever was thrown: a configuration error as its message; any
 * other error with its stack and what it carries (`code`, `cause`, an AggregateError's `errors`, such as
 * one refused connection per address of `localhost`).
 */
function startupFailure(error: unknown): string {
  if (error instanceof ConfigError) return error.message;
  return inspect(error, { depth: 4 });
}
