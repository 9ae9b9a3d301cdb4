import { AuthModule, type AuthConfig } from '@fireline/auth';
import type { HttpServerLimits } from '@fireline/config';
import type { DynamicModule } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { configureHttpApp, createFastifyAdapter } from '@fireline/http';
import { InProcessMessagingModule } from '@fireline/messaging';
import { registerAdminKey, TEST_AUTH_CONFIG } from './test-credentials';

/**
 * Boots one service module the way the platform does (CQRS, in-process transport, the auth guard,
 * Fireline's HTTP conventions, Fastify with a 64 KiB body limit) and issues it an admin key: use
 * `api(app)` (test-credentials) for supertest as admin, `request(app.getHttpServer())` for an anonymous caller.
 */
export async function createServiceTestApp(
  serviceModule: DynamicModule,
  bodyLimitBytes = 64 * 1024,
  auth: AuthConfig = TEST_AUTH_CONFIG,
  limits?: HttpServerLimits,
): Promise<NestFastifyApplication> {
  const moduleRef = await Test.createTestingModule({ imports: [CqrsModule.forRoot(), InProcessMessagingModule, AuthModule.forRoot(auth), serviceModule] }).compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(createFastifyAdapter({ bodyLimitBytes, limits }), { logger: ['error'] });
  configureHttpApp(app);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  await registerAdminKey(app);
  return app;
}
