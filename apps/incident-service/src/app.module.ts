import { AuthModule } from '@fireline/auth';
import { Module, type DynamicModule } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { ObservabilityModule } from '@fireline/observability';
import { TOPICS } from '@fireline/contracts';
import { InProcessMessagingModule, KafkaMessagingModule, type MessagingConfig } from '@fireline/messaging';
import type { IncidentServiceStandaloneConfig } from './config/incident-service.config';
import { IncidentServiceModule, INCIDENT_SERVICE_OBSERVED } from './incident-service.module';

/**
 * incident-service deployed alone. Over Kafka its relays publish `fireline.incidents.v1` and
 * `fireline.access.v1` (API keys) for the other services; in-process (the default), with no other
 * service in the process, its events stay in its event store (the outbox). Authenticated by its own keys.
 */
@Module({})
export class AppModule {
  static register(config: Omit<IncidentServiceStandaloneConfig, 'http'>): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CqrsModule.forRoot(),
        messagingModuleOf(config.messaging),
        AuthModule.forRoot(config.auth),
        IncidentServiceModule.register(config.service),
        ObservabilityModule.register([INCIDENT_SERVICE_OBSERVED]),
      ],
    };
  }
}

function messagingModuleOf(messaging: MessagingConfig): DynamicModule | typeof InProcessMessagingModule {
  return messaging.transport === 'kafka' ? KafkaMessagingModule.register({ ...messaging.kafka, publishTopics: [TOPICS.incidents, TOPICS.statusPages, TOPICS.access] }) : InProcessMessagingModule;
}
