import { applyOpenApiSecurity, DEFAULT_AUTH_CONFIG, type AuthConfig } from '@fireline/auth';
import { NestFactory } from '@nestjs/core';
import type { HttpServerLimits } from '@fireline/config';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { configureHttpApp, createFastifyAdapter } from '@fireline/http';
import { PlatformModule, type PlatformServicesConfig } from './platform.module';

export interface PlatformHttpOptions {
  /** Largest accepted request body, bytes; larger ones get 413 problem+json. */
  bodyLimitBytes: number;
  /** Timeouts and the per-address connection cap; `DEFAULT_HTTP_SERVER_LIMITS` when absent. */
  server?: HttpServerLimits;
  logger?: false | ('log' | 'error' | 'warn' | 'debug' | 'verbose' | 'fatal')[];
  /** Authentication of the process; `DEFAULT_AUTH_CONFIG` (required, API keys only) when absent. */
  auth?: AuthConfig;
}

/**
 * Builds (but does not start listening) the embedded platform app: Fastify, Fireline's HTTP conventions,
 * one auth guard (`http.auth`), Swagger UI at `/docs` and the OpenAPI document at `/docs-json` with its
 * security declared (`applyOpenApiSecurity`). Used by `main.ts` and by the e2e tests.
 */
export async function createPlatformApp(services: PlatformServicesConfig, http: PlatformHttpOptions): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    PlatformModule.register(services, http.auth ?? DEFAULT_AUTH_CONFIG),
    createFastifyAdapter({ bodyLimitBytes: http.bodyLimitBytes, limits: http.server }),
    { logger: http.logger ?? ['log', 'error', 'warn'], abortOnError: false },
  );
  configureHttpApp(app);
  const document = applyOpenApiSecurity(
    SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle('Fireline')
        .setDescription(
          'Event-sourced incident platform: incidents, notifications and postmortems. Errors are RFC 9457 problem+json. ' +
            'Authenticate with `Authorization: Bearer <API key or OIDC token>` (Authorize, above); each operation lists the scope it needs.',
        )
        .setVersion('1')
        .build(),
    ),
    { metricsPublic: (http.auth ?? DEFAULT_AUTH_CONFIG).metricsPublic },
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}
