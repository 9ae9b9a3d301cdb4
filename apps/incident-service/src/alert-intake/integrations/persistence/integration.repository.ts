import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { cursorCodec, cursorKey, toPage, type Page } from '@fireline/http';
import type { SecretBox } from '@fireline/secrets';
import { LRUCache } from 'lru-cache';
import { IsNull, Repository } from 'typeorm';
import { z } from 'zod';
import { INCIDENT_DATA_SOURCE, INCIDENT_SECRET_BOX } from '../../../incident-service.tokens';
import type { Integration } from '../domain/integration';
import type { AutoResolvePolicy, IntegrationType, SeverityMapping } from '../domain/integration.values';
import { IntegrationEntity } from './integration.entity';

/** The context each element of `integrations.signing_secrets` is sealed for. */
export const signingSecretContext = (integrationId: string) => `integrations.signing_secrets:${integrationId}`;

function toIntegration(entity: IntegrationEntity, signingSecrets: string[]): Integration {
  return {
    id: entity.id,
    type: entity.type,
    name: entity.name,
    service: entity.service,
    severityMapping: entity.severityMapping,
    autoResolve: entity.autoResolve,
    signingSecrets,
    createdAt: entity.createdAt,
    deletedAt: entity.deletedAt,
  };
}

/** The settings `PATCH /v1/integrations/{id}` may change. */
export interface IntegrationChanges {
  name?: string;
  service?: string;
  severityMapping?: SeverityMapping;
  autoResolve?: AutoResolvePolicy;
  signingSecrets?: string[];
}

/**
 * How long a receiver may keep using an integration it looked up by credential, ms. Changes made through
 * this instance take effect at once (the cache is cleared); another instance sees a deleted
 * integration or changed settings at most this late.
 */
export const CREDENTIAL_LOOKUP_TTL_MS = 5_000;
const CREDENTIAL_LOOKUP_MAX_ENTRIES = 10_000;

/** Cursor of the integration list: the last row's `[createdAt, id]` (created by the API: millisecond times). */
const INTEGRATION_CURSOR = cursorCodec('integrations', z.tuple([cursorKey.timestamp(), cursorKey.uuid()]));

/**
 * Integrations in incident-service's database (TypeORM). Deleted ones are soft-deleted (`deleted_at`).
 * PagerDuty signing secrets are stored sealed (AES-256-GCM, one envelope per secret) and opened on read:
 * verifying a signature needs them in the clear, nothing else does (responses show only their count).
 * A secret sealed with a key that is not configured is left out (and logged): no delivery verifies
 * against it until the key is configured again.
 *
 * Receivers look integrations up by the hash of their credential on every delivery: the live ones found
 * are kept for `CREDENTIAL_LOOKUP_TTL_MS` (LRU, 10,000 entries; unknown credentials are not kept, so
 * guessing keys cannot fill it), so an alert storm does not query the same row thousands of times a second.
 */
@Injectable()
export class IntegrationRepository {
  private readonly byCredential = new LRUCache<string, Integration>({ max: CREDENTIAL_LOOKUP_MAX_ENTRIES, ttl: CREDENTIAL_LOOKUP_TTL_MS });
  private readonly types = new LRUCache<string, IntegrationType>({ max: CREDENTIAL_LOOKUP_MAX_ENTRIES });

  constructor(
    @InjectRepository(IntegrationEntity, INCIDENT_DATA_SOURCE) private readonly rows: Repository<IntegrationEntity>,
    @Inject(INCIDENT_SECRET_BOX) private readonly box: SecretBox,
  ) {}

  private readonly logger = new Logger(IntegrationRepository.name);

  private opened(entity: IntegrationEntity): Integration {
    const secrets: string[] = [];
    for (const secret of entity.signingSecrets) {
      try {
        secrets.push(this.box.openOrPlaintext(secret, signingSecretContext(entity.id)));
      } catch (error) {
        this.logger.error(`A signing secret of integration ${entity.id} cannot be opened: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    return toIntegration(entity, secrets);
  }

  private sealed(integrationId: string, secrets: string[]): string[] {
    return secrets.map((secret) => this.box.seal(secret, signingSecretContext(integrationId)));
  }

  async create(integration: Integration, credentialHash: string | null): Promise<void> {
    this.byCredential.clear();
    await this.rows.insert({ ...integration, signingSecrets: this.sealed(integration.id, integration.signingSecrets), credentialHash });
  }

  /**
   * The type of integration `id`, deleted or not; `null` when it never existed. A type never changes
   * (`PATCH` cannot set it), so the answer is remembered (LRU, 10,000 integrations): the intake worker
   * asks it for every delivery it processes.
   */
  async typeOf(id: string): Promise<IntegrationType | null> {
    const known = this.types.get(id);
    if (known !== undefined) return known;
    const row = await this.rows.findOne({ select: { id: true, type: true }, where: { id } });
    if (row) this.types.set(id, row.type);
    return row?.type ?? null;
  }

  /** The integration, deleted or not; `null` when it never existed. */
  async findAnyById(id: string): Promise<Integration | null> {
    const row = await this.rows.findOneBy({ id });
    return row ? this.opened(row) : null;
  }

  /** The integration unless it is deleted. */
  async findActiveById(id: string): Promise<Integration | null> {
    const row = await this.rows.findOneBy({ id, deletedAt: IsNull() });
    return row ? this.opened(row) : null;
  }

  /** The live integration of `type` whose credential hashes to `credentialHash`. */
  async findActiveByCredentialHash(type: IntegrationType, credentialHash: string): Promise<Integration | null> {
    const key = `${type}:${credentialHash}`;
    const cached = this.byCredential.get(key);
    if (cached !== undefined) return cached;
    const row = await this.rows.findOneBy({ type, credentialHash, deletedAt: IsNull() });
    if (!row) return null;
    const integration = this.opened(row);
    this.byCredential.set(key, integration);
    return integration;
  }

  /**
   * One page of live integrations, newest first, keyset-paginated on `(created_at, id)`.
   * @throws ValidationError `REQUEST.INVALID_CURSOR` for a cursor this list did not return.
   */
  async listActive(limit: number, cursor?: string): Promise<Page<Integration>> {
    const query = this.rows.createQueryBuilder('i').where('i.deleted_at IS NULL');
    if (cursor !== undefined) {
      const [createdAt, id] = INTEGRATION_CURSOR.decode(cursor);
      query.andWhere('(i.created_at, i.id) < (CAST(:createdAt AS timestamptz), CAST(:id AS uuid))', { createdAt, id });
    }
    const rows = await query.orderBy('i.created_at', 'DESC').addOrderBy('i.id', 'DESC').limit(limit + 1).getMany();
    const page = toPage(rows, limit, INTEGRATION_CURSOR, (row): [string, string] => [row.createdAt.toISOString(), row.id]);
    return { items: page.items.map((row) => this.opened(row)), nextCursor: page.nextCursor };
  }

  /** Changes the settings of a live integration. @returns the integration as changed, `null` when it is unknown or deleted. */
  async update(id: string, changes: IntegrationChanges): Promise<Integration | null> {
    this.byCredential.clear();
    const stored = changes.signingSecrets === undefined ? changes : { ...changes, signingSecrets: this.sealed(id, changes.signingSecrets) };
    if (Object.keys(stored).length > 0) await this.rows.update({ id, deletedAt: IsNull() }, stored);
    this.byCredential.clear(); // again: a lookup that read the old row meanwhile may have cached it
    return this.findActiveById(id);
  }

  /** Marks it deleted (keeps the row: its deliveries stay auditable). @returns false when it never existed. */
  async softDelete(id: string, now: Date): Promise<boolean> {
    this.byCredential.clear();
    const result = await this.rows.update({ id, deletedAt: IsNull() }, { deletedAt: now });
    this.byCredential.clear(); // again: a lookup that read the old row meanwhile may have cached it
    if ((result.affected ?? 0) > 0) return true;
    return (await this.rows.existsBy({ id })) === true;
  }
}
