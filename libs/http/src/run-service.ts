import { ConfigError, type HttpServerLimits } from '@fireline/config';
import { Logger, type DynamicModule } from '@nestjs/common';
import { inspect } from 'node:util';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { configureHttpApp } from './configure-http-app';
import { createFastifyAdapter } from './fastify-adapter.factory';

/** Largest request body a service accepts (bytes); larger ones get 413. */
export const SERVICE_BODY_LIMIT_BYTES = 1024 * 1024;

/**
 * The body of a service's `main.ts`: reads its config (`load` may throw the config's `ConfigError`),
 * boots `module(config)` on Fastify (`createFastifyAdapter`: `config.http.limits` timeouts and the
 * per-address connection cap) with Fireline's HTTP conventions and shutdown hooks (SIGTERM drains
 * consumers and leaves Kafka groups), and listens on `config.http`. A start-up failure is logged —
 * a configuration error as its message alone, anything else with its stack, code, cause and inner
 * errors — and exits 1.
 */
export function runService<C extends { http: { host: string; port: number; limits: HttpServerLimits } }>(name: string, load: () => C, module: (config: C) => DynamicModule): void {
  const logger = new Logger(name);
  const start = async (): Promise<void> => {
    const config = load();
    const app = await NestFactory.create<NestFastifyApplication>(module(config), createFastifyAdapter({ bodyLimitBytes: SERVICE_BODY_LIMIT_BYTES, limits: config.http.limits }));
    configureHttpApp(app);
    app.enableShutdownHooks();
    await app.listen({ port: config.http.port, host: config.http.host });
    logger.log(`listening on ${config.http.host}:${config.http.port}`);
  };
  start().catch((error: unknown) => {
    // inspect: the stack plus what the error carries (code, cause, an AggregateError's errors such as
    // one refused connection per address of `localhost`), so the real cause is printed.
    if (error instanceof ConfigError) logger.error(error.message);
    else logger.error(inspect(error, { depth: 4 }));
    process.exit(1);
  });
}
