import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { configureHttpApp, problemDetailsFrameworkErrors } from '@fireline/http';
import { InProcessMessagingModule } from '@fireline/messaging';
import { loadNotificationServiceStandaloneConfig } from './config/notification-service.config';
import { NotificationServiceModule } from './notification-service.module';

/**
 * Runs the notification service on its own. The transport is in-process for now, so standalone it
 * only receives what is published in this process.
 * TODO(kafka): swap InProcessMessagingModule for the Kafka messaging module once libs/messaging has it.
 */
async function bootstrap(): Promise<void> {
  const config = loadNotificationServiceStandaloneConfig(process.env);
  const app = await NestFactory.create<NestFastifyApplication>(
    {
      module: class NotificationServiceStandaloneRoot {},
      imports: [CqrsModule.forRoot(), InProcessMessagingModule, NotificationServiceModule.register(config.service)],
    },
    new FastifyAdapter({ frameworkErrors: problemDetailsFrameworkErrors }),
  );
  configureHttpApp(app);
  app.enableShutdownHooks();
  await app.listen(config.http.port, config.http.host);
  new Logger('NotificationService').log(`Listening on ${config.http.host}:${config.http.port}`);
}

void bootstrap();
