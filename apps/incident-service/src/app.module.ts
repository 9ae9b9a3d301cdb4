import { Module, type DynamicModule } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { InProcessMessagingModule } from '@fireline/messaging';
import type { IncidentServiceConfig } from './config/incident-service.config';
import { IncidentServiceModule } from './incident-service.module';

/**
 * incident-service deployed alone. The transport is in-process for now: with no other service in the
 * process its events stay in its event store (the outbox) until the Kafka adapter publishes them.
 */
@Module({})
export class AppModule {
  static register(config: IncidentServiceConfig): DynamicModule {
    return { module: AppModule, imports: [CqrsModule.forRoot(), InProcessMessagingModule, IncidentServiceModule.register(config)] };
  }
}
