import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { configureHttpApp, problemDetailsFrameworkErrors } from '@fireline/http';
import { AppModule } from './app.module';
import { loadNotificationServiceStandaloneConfig } from './config/notification-service.config';

/** Runs the notification service on its own, with the transport chosen by `MESSAGING_TRANSPORT`. */
async function bootstrap(): Promise<void> {
  const config = loadNotificationServiceStandaloneConfig(process.env);
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.register(config), new FastifyAdapter({ frameworkErrors: problemDetailsFrameworkErrors }));
  configureHttpApp(app);
  app.enableShutdownHooks();
  await app.listen(config.http.port, config.http.host);
  new Logger('NotificationService').log(`Listening on ${config.http.host}:${config.http.port}`);
}

void bootstrap();
