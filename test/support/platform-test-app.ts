import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import type { IncidentServiceConfig } from '../../apps/incident-service/src/config/incident-service.config';
import type { NotificationServiceConfig } from '../../apps/notification-service/src/config/notification-service.config';
import { createPlatformApp, type PlatformHttpOptions } from '../../apps/platform/src/platform.app';
import { eventually } from './eventually';
import { TEST_AUTH_CONFIG, issueKeyIn, withKey, registerAdminKey, type AuthedAgent, type TestKeyOptions } from './test-credentials';
import { TEST_DELIVERY_CONFIG } from './test-delivery-config';
import { TEST_ENCRYPTION_KEYS, TEST_OUTBOUND_POLICY } from './test-secrets';
import { createTestDatabase, type TestDatabase } from './test-database';

/** The composed platform on three fresh databases, with supertest on it. */
export interface PlatformTestApp {
  app: NestFastifyApplication;
  /** supertest as the harness's admin key (every request carries it). */
  http: AuthedAgent;
  /** supertest without credentials. */
  anonymous: ReturnType<typeof request>;
  /** The admin key `http` sends. */
  adminKey: string;
  /**
   * Issues a key through incident-service and waits until all three services accept it (replicated over
   * the in-process transport). `options.expiresAt` in the past with `options.now` before it gives an
   * expired key (not waited for).
   */
  issueKey(options: TestKeyOptions): Promise<{ key: string; keyId: string }>;
  incidentDb: TestDatabase;
  notificationDb: TestDatabase;
  postmortemDb: TestDatabase;
  /** Closes the app, then drops its databases. */
  close(): Promise<void>;
}

/**
 * Boots the platform the way `npm start` composes it, with test timings: 20 ms polls, 3 delivery
 * attempts 10–50 ms apart, 64 KiB body limit, the test encryption key and an outbound allow-list for
 * receivers on 127.0.0.1, authentication on (`TEST_AUTH_CONFIG`: the rate limits raised), and an admin
 * key that every service accepts. `overrides.delivery` replaces delivery settings, `overrides.http` the
 * HTTP options (e.g. server limits, `auth`), `overrides.notification` the status-page and SMTP settings, `overrides.incident` the postmortem policy. Databases are named `<prefix>_incident` and so on.
 */
export async function createPlatformTestApp(
  prefix: string,
  logger: ('error' | 'fatal')[] = ['error'],
  overrides: {
    delivery?: Partial<NotificationServiceConfig['delivery']>;
    http?: Partial<PlatformHttpOptions>;
    /** Status-page subscribers and the Statuspage mirror (`statusPages`), and the SMTP server (`smtp`). */
    notification?: Pick<NotificationServiceConfig, 'statusPages' | 'smtp'>;
    /** incident-service's postmortem policy (`POSTMORTEM_REQUIRED_FOR`). */
    incident?: Pick<IncidentServiceConfig, 'postmortemPolicy'>;
  } = {},
): Promise<PlatformTestApp> {
  const [incidentDb, notificationDb, postmortemDb] = (await Promise.all(
    ['incident', 'notification', 'postmortem'].map((service) => createTestDatabase(`${prefix}_${service}`, 2)),
  )) as [TestDatabase, TestDatabase, TestDatabase];
  const database = (db: TestDatabase) => ({ url: db.url, poolSize: 10, migrationsRun: true });
  const app = await createPlatformApp(
    {
      incident: { database: database(incidentDb), projections: { pollIntervalMs: 20 }, encryption: TEST_ENCRYPTION_KEYS, ...overrides.incident },
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
    { bodyLimitBytes: 64 * 1024, logger, auth: TEST_AUTH_CONFIG, ...overrides.http },
  );
  const anonymous = request(app.getHttpServer());
  /** Waits until a route of each service accepts `key` (the other two hold it once its event is replicated). */
  const acceptedEverywhere = (key: string) =>
    eventually(async () => {
      for (const path of ['/v1/incidents?limit=1', '/v1/deliveries?limit=1', '/v1/action-items?limit=1']) {
        const response = await anonymous.get(path).set('authorization', `Bearer ${key}`);
        if (response.status === 401) throw new Error(`${path} does not accept the key yet`);
      }
    }, 10_000, 10);
  const adminKey = await registerAdminKey(app);
  await acceptedEverywhere(adminKey);
  return {
    app,
    http: withKey(app.getHttpServer(), adminKey),
    anonymous,
    adminKey,
    async issueKey(options) {
      const issued = await issueKeyIn(app, options);
      const expired = options.expiresAt !== undefined && options.expiresAt.getTime() <= Date.now();
      if (!expired) await acceptedEverywhere(issued.key);
      return issued;
    },
    incidentDb,
    notificationDb,
    postmortemDb,
    async close() {
      await app.close();
      await Promise.all([incidentDb, notificationDb, postmortemDb].map((db) => db.drop()));
    },
  };
}
