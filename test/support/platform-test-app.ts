import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import type { NotificationServiceConfig } from '../../apps/notification-service/src/config/notification-service.config';
import { createPlatformApp, type PlatformHttpOptions } from '../../apps/platform/src/platform.app';
import { TEST_DELIVERY_CONFIG } from './test-delivery-config';
import { TEST_ENCRYPTION_KEYS, TEST_OUTBOUND_POLICY } from './test-secrets';
import { createTestDatabase, type TestDatabase } from './test-database';

/** The composed platform on three fresh databases, with supertest on it. */
export interface PlatformTestApp {
  app: NestFastifyApplication;
  http: ReturnType<typeof request>;
  incidentDb: TestDatabase;
  notificationDb: TestDatabase;
  postmortemDb: TestDatabase;
  /** Closes the app, then drops its databases. */
  close(): Promise<void>;
}

/**
 * Boots the platform the way `npm start` composes it, with test timings: 20 ms polls, 3 delivery
 * attempts 10–50 ms apart, 64 KiB body limit, the test encryption key and an outbound allow-list for
 * receivers on 127.0.0.1. `overrides.delivery` replaces delivery settings, `overrides.http` the HTTP
 * options (e.g. server limits), `overrides.notification` the status-page and SMTP settings. Databases are named `<prefix>_incident` and so on.
 */
export async function createPlatformTestApp(
  prefix: string,
  logger: ('error' | 'fatal')[] = ['error'],
  overrides: {
    delivery?: Partial<NotificationServiceConfig['delivery']>;
    http?: Partial<PlatformHttpOptions>;
    /** Status-page subscribers and the Statuspage mirror (`statusPages`), and the SMTP server (`smtp`). */
    notification?: Pick<NotificationServiceConfig, 'statusPages' | 'smtp'>;
  } = {},
): Promise<PlatformTestApp> {
  const [incidentDb, notificationDb, postmortemDb] = (await Promise.all(
    ['incident', 'notification', 'postmortem'].map((service) => createTestDatabase(`${prefix}_${service}`, 2)),
  )) as [TestDatabase, TestDatabase, TestDatabase];
  const database = (db: TestDatabase) => ({ url: db.url, poolSize: 10, migrationsRun: true });
  const app = await createPlatformApp(
    {
      incident: { database: database(incidentDb), projections: { pollIntervalMs: 20 }, encryption: TEST_ENCRYPTION_KEYS },
      notification: {
        database: database(notificationDb),
        delivery: { ...TEST_DELIVERY_CONFIG, ...overrides.delivery },
        // Receivers listen on 127.0.0.1: the test allow-list, as an operator would set OUTBOUND_ALLOWED_HOSTS.
        outbound: TEST_OUTBOUND_POLICY,
        encryption: TEST_ENCRYPTION_KEYS,
        ...overrides.notification,
      },
      postmortem: { database: database(postmortemDb), postmortemDueHours: 48, projections: { pollIntervalMs: 20 } },
    },
    { bodyLimitBytes: 64 * 1024, logger, ...overrides.http },
  );
  return {
    app,
    http: request(app.getHttpServer()),
    incidentDb,
    notificationDb,
    postmortemDb,
    async close() {
      await app.close();
      await Promise.all([incidentDb, notificationDb, postmortemDb].map((db) => db.drop()));
    },
  };
}
