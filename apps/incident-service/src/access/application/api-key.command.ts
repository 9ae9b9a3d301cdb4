import type { Scope } from '@fireline/auth';
import type { CommandMetadata, EventStore } from '@fireline/event-store';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { Pool } from 'pg';
import { INCIDENT_EVENT_STORE, INCIDENT_PG_POOL } from '../../incident-service.tokens';
import { ACCESS_CONFIG, AccessSubscriptions, type AccessConfig } from '../projections/access-subscriptions';
import { issueApiKey, lastUseOf, revokeApiKey, toApiKeyView, type ApiKeyView, type IssueApiKeyInput } from './api-keys';

/** `POST /v1/api-keys`: issue a key no wider than `grantor`'s scopes. Result: the key (once) and its view. */
export class IssueApiKeyCommand extends Command<{ key: string; apiKey: ApiKeyView }> {
  constructor(
    readonly input: IssueApiKeyInput,
    readonly grantor: readonly Scope[],
    readonly metadata: CommandMetadata,
  ) {
    super();
  }
}

/** `POST /v1/api-keys/{id}/revoke`. */
export class RevokeApiKeyCommand extends Command<ApiKeyView> {
  constructor(
    readonly keyId: string,
    readonly reason: string | null,
    readonly metadata: CommandMetadata,
  ) {
    super();
  }
}

@CommandHandler(IssueApiKeyCommand)
export class IssueApiKeyHandler implements ICommandHandler<IssueApiKeyCommand> {
  constructor(
    @Inject(INCIDENT_EVENT_STORE) private readonly store: EventStore,
    @Inject(ACCESS_CONFIG) private readonly config: AccessConfig,
    private readonly subscriptions: AccessSubscriptions,
  ) {}

  async execute({ input, grantor, metadata }: IssueApiKeyCommand): Promise<{ key: string; apiKey: ApiKeyView }> {
    const issued = await issueApiKey(this.store, input, grantor, this.config.apiKeys, metadata);
    this.subscriptions.notify();
    return issued;
  }
}

@CommandHandler(RevokeApiKeyCommand)
export class RevokeApiKeyHandler implements ICommandHandler<RevokeApiKeyCommand> {
  constructor(
    @Inject(INCIDENT_EVENT_STORE) private readonly store: EventStore,
    @Inject(INCIDENT_PG_POOL) private readonly pool: Pool,
    private readonly subscriptions: AccessSubscriptions,
  ) {}

  async execute({ keyId, reason, metadata }: RevokeApiKeyCommand): Promise<ApiKeyView> {
    const key = await revokeApiKey(this.store, keyId, reason, metadata);
    this.subscriptions.notify();
    return toApiKeyView(key, await lastUseOf(this.pool, keyId), metadata.now);
  }
}
