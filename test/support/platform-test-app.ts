import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { createPlatformApp, type PlatformHttpOptions } from '../../apps/platform/src/platform.app';
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
 * attempts 10–50 ms apart, 64 KiB body limit (`http` overrides the HTTP options, e.g. server limits).
 * Databases are named `<prefix>_incident` and so on.
 */
export async function createPlatformTestApp(
  prefix: string,
  logger: ('error' | 'fatal')[] = ['error'],
  http: Partial<PlatformHttpOptions> = {},
): Promise<PlatformTestApp> {
  const [incidentDb, notificationDb, postmortemDb] = (await Promise.all(
    ['incident', 'notification', 'postmortem'].map((service) => createTestDatabase(`${prefix}_${service}`, 2)),
  )) as [TestDatabase, TestDatabase, TestDatabase];
  const database = (db: TestDatabase) => ({ url: db.url, poolSize: 10, migrationsRun: true });
  const app = await createPlatformApp(
    {
      incident: { database: database(incidentDb), projections: { pollIntervalMs: 20 } },
      notification: {
        database: database(notificationDb),
        delivery: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 50, timeoutMs: 2_000, pollIntervalMs: 20, concurrency: 4 },
      },
      postmortem: { database: database(postmortemDb), postmortemDueHours: 48, projections: { pollIntervalMs: 20 } },
    },
    { bodyLimitBytes: 64 * 1024, logger, ...http },
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
