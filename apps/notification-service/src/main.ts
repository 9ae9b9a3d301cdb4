import 'reflect-metadata';
import { runService } from '@fireline/http';
import { AppModule } from './app.module';
import { loadNotificationServiceStandaloneConfig } from './config/notification-service.config';

/**
 * `node dist/apps/notification-service/src/main.js`: notification-service on its own, configured by the environment
 * (`loadNotificationServiceStandaloneConfig`: `PORT`, its database, `MESSAGING_TRANSPORT`/`KAFKA_*`).
 */
runService('notification-service', () => loadNotificationServiceStandaloneConfig(process.env), (config) => AppModule.register(config));
