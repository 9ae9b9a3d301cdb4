import 'reflect-metadata';
import { configureHttpApp, problemDetailsFrameworkErrors } from '@fireline/http';
import { InProcessMessagingModule } from '@fireline/messaging';
import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadPostmortemServiceConfig, loadPostmortemServiceHttpConfig, type PostmortemServiceConfig } from './config/postmortem-service.config';
import { PostmortemServiceModule } from './postmortem-service.module';

/**
 * Standalone root of the postmortem service. TODO(kafka issue): provide the Kafka transport instead of
 * the in-process one; until then incident events reach this process only when published inside it.
 */
@Module({})
class PostmortemServiceStandaloneModule {
  static register(config: PostmortemServiceConfig): DynamicModule {
    return {
      module: PostmortemServiceStandaloneModule,
      imports: [CqrsModule.forRoot(), InProcessMessagingModule, PostmortemServiceModule.register(config)],
    };
  }
}

async function bootstrap(): Promise<void> {
  const config = loadPostmortemServiceConfig(process.env);
  const http = loadPostmortemServiceHttpConfig(process.env);
  const app = await NestFactory.create<NestFastifyApplication>(PostmortemServiceStandaloneModule.register(config), new FastifyAdapter({ frameworkErrors: problemDetailsFrameworkErrors }));
  configureHttpApp(app);
  app.enableShutdownHooks();
  await app.listen(http.port, '0.0.0.0');
}

void bootstrap();
