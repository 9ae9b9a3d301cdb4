import 'reflect-metadata';
import { runService } from '@fireline/http';
import { AppModule } from './app.module';
import { loadPostmortemServiceStandaloneConfig } from './config/postmortem-service.config';

/**
 * `node dist/apps/postmortem-service/src/main.js`: postmortem-service on its own, configured by the environment
 * (`loadPostmortemServiceStandaloneConfig`: `PORT`, its database, `MESSAGING_TRANSPORT`/`KAFKA_*`).
 */
runService('postmortem-service', () => loadPostmortemServiceStandaloneConfig(process.env), (config) => AppModule.register(config));
