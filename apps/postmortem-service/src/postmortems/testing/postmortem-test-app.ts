import { AuthModule } from '@fireline/auth';
import type { IntegrationEvent, TopicName } from '@fireline/contracts';
import { configureHttpApp, createFastifyAdapter, SERVICE_BODY_LIMIT_BYTES } from '@fireline/http';
import { InProcessMessagingModule, MESSAGE_TRANSPORT, type MessageTransport } from '@fireline/messaging';
import { CqrsModule } from '@nestjs/cqrs';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { PostmortemServiceModule } from '../../postmortem-service.module';
import { Clock } from '../application/clock';
import { FixedClock } from './fixed-clock';
import { registerAdminKey, TEST_AUTH_CONFIG } from '../../../../../test/support/test-credentials';

/** A booted postmortem service on a test database, with a clock the test controls. */
export interface PostmortemTestApp {
  app: NestFastifyApplication;
  clock: FixedClock;
  transport: MessageTransport;
  /** Every integration event published on `topic` since `listen(topic)` (in publish order). */
  listen(topic: TopicName): IntegrationEvent[];
}

/**
 * Boots `PostmortemServiceModule` the way the composition root does (CQRS, in-process transport, the
 * auth guard, Fireline's HTTP conventions, Fastify), with `Clock` replaced by a `FixedClock`, and
 * publishes it an admin key (`api(app)` in test-credentials).
 */
export async function createPostmortemTestApp(databaseUrl: string, pool: Pool, now = new Date('2025-03-01T12:00:00.000Z')): Promise<PostmortemTestApp> {
  const clock = new FixedClock(now);
  const moduleRef = await Test.createTestingModule({
    imports: [
      CqrsModule.forRoot(),
      InProcessMessagingModule,
      AuthModule.forRoot(TEST_AUTH_CONFIG),
      PostmortemServiceModule.register({ database: { url: databaseUrl, poolSize: 10, migrationsRun: true }, postmortemDueHours: 48, projections: { pollIntervalMs: 20 } }),
    ],
  })
    .overrideProvider(Clock)
    .useValue(clock)
    .compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(createFastifyAdapter({ bodyLimitBytes: SERVICE_BODY_LIMIT_BYTES }), { logger: ['error'] });
  configureHttpApp(app);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  await registerAdminKey(app);
  const transport = app.get<MessageTransport>(MESSAGE_TRANSPORT);
  return {
    app,
    clock,
    transport,
    listen(topic) {
      const received: IntegrationEvent[] = [];
      transport.subscribe({
        topic,
        consumer: `test.listener.${randomUUID()}`,
        pool,
        handle: async (event) => {
          received.push(event);
        },
      });
      return received;
    },
  };
}
