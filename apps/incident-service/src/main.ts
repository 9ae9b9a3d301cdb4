import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { configureHttpApp, problemDetailsFrameworkErrors } from '@fireline/http';
import { AppModule } from './app.module';
import { loadIncidentServiceStandaloneConfig } from './config/incident-service.config';

/** Runs incident-service alone from environment config (the keys of `loadIncidentServiceStandaloneConfig`: `PORT` 3001, transport included). */
async function main(): Promise<void> {
  const config = loadIncidentServiceStandaloneConfig(process.env);
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.register(config), new FastifyAdapter({ bodyLimit: 1024 * 1024, frameworkErrors: problemDetailsFrameworkErrors }));
  configureHttpApp(app);
  app.enableShutdownHooks();
  await app.listen({ port: config.http.port, host: config.http.host });
  new Logger('incident-service').log(`listening on ${config.http.host}:${config.http.port}`);
}

main().catch((error: unknown) => {
  new Logger('incident-service').error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
