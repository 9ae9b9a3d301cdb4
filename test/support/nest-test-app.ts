import type { DynamicModule } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { configureHttpApp, createFastifyAdapter } from '@fireline/http';
import { InProcessMessagingModule } from '@fireline/messaging';

/**
 * Boots one service module the way the platform does (CQRS, in-process transport, Fireline's HTTP
 * conventions, Fastify with a 64 KiB body limit), ready for supertest on `app.getHttpServer()`.
 */
export async function createServiceTestApp(serviceModule: DynamicModule, bodyLimitBytes = 64 * 1024): Promise<NestFastifyApplication> {
  const moduleRef = await Test.createTestingModule({ imports: [CqrsModule.forRoot(), InProcessMessagingModule, serviceModule] }).compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(createFastifyAdapter({ bodyLimitBytes }), { logger: ['error'] });
  configureHttpApp(app);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}
