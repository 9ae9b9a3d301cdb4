import { AuthModule } from '@fireline/auth';
import { Module, type DynamicModule } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { ObservabilityModule } from '@fireline/observability';
import { TOPICS } from '@fireline/contracts';
import { InProcessMessagingModule, KafkaMessagingModule } from '@fireline/messaging';
import type { PostmortemServiceStandaloneConfig } from './config/postmortem-service.config';
import { PostmortemServiceModule, POSTMORTEM_SERVICE_OBSERVED } from './postmortem-service.module';

/**
 * The postmortem service deployed alone. Over Kafka it consumes `fireline.incidents.v1` and
 * `fireline.access.v1` (API keys, group `postmortem-service.access`), and its relay
 * publishes `fireline.postmortems.v1`; in-process (the default) incident events reach it only when
 * published inside this process.
 */
@Module({})
export class AppModule {
  static register(config: Pick<PostmortemServiceStandaloneConfig, 'service' | 'messaging' | 'auth'>): DynamicModule {
    const messaging =
      config.messaging.transport === 'kafka' ? KafkaMessagingModule.register({ ...config.messaging.kafka, publishTopics: [TOPICS.postmortems] }) : InProcessMessagingModule;
    return {
      module: AppModule,
      imports: [CqrsModule.forRoot(), messaging, AuthModule.forRoot(config.auth), PostmortemServiceModule.register(config.service), ObservabilityModule.register([POSTMORTEM_SERVICE_OBSERVED])],
    };
  }
}
