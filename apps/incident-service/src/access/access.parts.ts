import { API_KEY_STORE } from '@fireline/auth';
import type { EventStore } from '@fireline/event-store';
import type { Provider } from '@nestjs/common';
import type { Pool } from 'pg';
import { INCIDENT_EVENT_STORE, INCIDENT_PG_POOL } from '../incident-service.tokens';
import { IssueApiKeyHandler, RevokeApiKeyHandler } from './application/api-key.command';
import { EventSourcedApiKeyStore } from './application/api-keys';
import { ApiKeysHttpController } from './http/api-keys.http.controller';
import { CreateApiKeys1732000003100 } from './projections/api-keys.migration';
import { AccessSubscriptions } from './projections/access-subscriptions';

/**
 * The access feature's parts (API keys), for `IncidentServiceModule` to register with one line each:
 * the key routes, the command handlers, the `api_keys` projection and `fireline.access.v1` relay, and
 * the service's `API_KEY_STORE` (keys read from their streams). `ACCESS_CONFIG` is provided by the module.
 */
export const ACCESS = {
  migrations: [CreateApiKeys1732000003100],
  controllers: [ApiKeysHttpController],
  providers: [
    AccessSubscriptions,
    IssueApiKeyHandler,
    RevokeApiKeyHandler,
    { provide: API_KEY_STORE, useFactory: (store: EventStore, pool: Pool) => new EventSourcedApiKeyStore(store, pool), inject: [INCIDENT_EVENT_STORE, INCIDENT_PG_POOL] } satisfies Provider,
  ],
} as const;
