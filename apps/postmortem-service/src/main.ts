import 'reflect-metadata';
import { configureHttpApp, problemDetailsFrameworkErrors } from '@fireline/http';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module';
import { loadPostmortemServiceStandaloneConfig } from './config/postmortem-service.config';

/** Runs the postmortem service on its own, with the transport chosen by `MESSAGING_TRANSPORT`. */
async function bootstrap(): Promise<void> {
  const config = loadPostmortemServiceStandaloneConfig(process.env);
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.register(config), new FastifyAdapter({ frameworkErrors: problemDetailsFrameworkErrors }));
  configureHttpApp(app);
  app.enableShutdownHooks();
  await app.listen(config.http.port, config.http.host);
}

void bootstrap();
