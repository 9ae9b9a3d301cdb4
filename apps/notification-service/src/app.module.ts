import { AuthModule } from '@fireline/auth';
import { Module, type DynamicModule } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { ObservabilityModule } from '@fireline/observability';
import { InProcessMessagingModule, KafkaMessagingModule } from '@fireline/messaging';
import type { NotificationServiceStandaloneConfig } from './config/notification-service.config';
import { NotificationServiceModule, NOTIFICATION_SERVICE_OBSERVED } from './notification-service.module';

/**
 * notification-service deployed alone. Over Kafka it consumes `fireline.incidents.v1` as the group
 * `notification-service.notify` and `fireline.access.v1` (API keys) as `notification-service.access`,
 * and publishes nothing; in-process (the default) it only receives what
 * is published in this process.
 */
@Module({})
export class AppModule {
  static register(config: Pick<NotificationServiceStandaloneConfig, 'service' | 'messaging' | 'auth'>): DynamicModule {
    const messaging = config.messaging.transport === 'kafka' ? KafkaMessagingModule.register({ ...config.messaging.kafka, publishTopics: [] }) : InProcessMessagingModule;
    return {
      module: AppModule,
      imports: [CqrsModule.forRoot(), messaging, AuthModule.forRoot(config.auth), NotificationServiceModule.register(config.service), ObservabilityModule.register([NOTIFICATION_SERVICE_OBSERVED])],
    };
  }
}
