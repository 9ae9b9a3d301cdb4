import { AuthModule, DEFAULT_AUTH_CONFIG, type AuthConfig } from '@fireline/auth';
import { Module, type DynamicModule } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { InProcessMessagingModule } from '@fireline/messaging';
import { ObservabilityModule } from '@fireline/observability';
import type { IncidentServiceConfig } from '../../incident-service/src/config/incident-service.config';
import { INCIDENT_SERVICE_OBSERVED, IncidentServiceModule } from '../../incident-service/src/incident-service.module';
import type { NotificationServiceConfig } from '../../notification-service/src/config/notification-service.config';
import { NOTIFICATION_SERVICE_OBSERVED, NotificationServiceModule } from '../../notification-service/src/notification-service.module';
import type { PostmortemServiceConfig } from '../../postmortem-service/src/config/postmortem-service.config';
import { POSTMORTEM_SERVICE_OBSERVED, PostmortemServiceModule } from '../../postmortem-service/src/postmortem-service.module';

/** The configuration of each composed service. */
export interface PlatformServicesConfig {
  incident: IncidentServiceConfig;
  notification: NotificationServiceConfig;
  postmortem: PostmortemServiceConfig;
}

/**
 * The one composition root: all three services in one process, each with its own database, talking
 * only through the in-process transport (exactly the integration events they would send over Kafka).
 * One auth guard for the process (`auth`); each service checks API keys against its own data.
 */
@Module({})
export class PlatformModule {
  static register(services: PlatformServicesConfig, auth: AuthConfig = DEFAULT_AUTH_CONFIG): DynamicModule {
    return {
      module: PlatformModule,
      imports: [
        CqrsModule.forRoot(),
        InProcessMessagingModule,
        AuthModule.forRoot(auth),
        IncidentServiceModule.register(services.incident),
        NotificationServiceModule.register(services.notification),
        PostmortemServiceModule.register(services.postmortem),
        ObservabilityModule.register([INCIDENT_SERVICE_OBSERVED, NOTIFICATION_SERVICE_OBSERVED, POSTMORTEM_SERVICE_OBSERVED]),
      ],
    };
  }
}
