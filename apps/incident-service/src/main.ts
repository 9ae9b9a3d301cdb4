import 'reflect-metadata';
import { runService } from '@fireline/http';
import { AppModule } from './app.module';
import { loadIncidentServiceStandaloneConfig } from './config/incident-service.config';

/**
 * `node dist/apps/incident-service/src/main.js`: incident-service on its own, configured by the environment
 * (`loadIncidentServiceStandaloneConfig`: `PORT`, its database, `MESSAGING_TRANSPORT`/`KAFKA_*`).
 */
runService('incident-service', () => loadIncidentServiceStandaloneConfig(process.env), (config) => AppModule.register(config));
