import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { cursorCodec, cursorKey, toPage, type Page } from '@fireline/http';
import { IsNull, Repository } from 'typeorm';
import { z } from 'zod';
import { INCIDENT_DATA_SOURCE } from '../../incidents/incident-service.tokens';
import type { Integration } from '../domain/integration';
import type { AutoResolvePolicy, IntegrationType, SeverityMapping } from '../domain/integration.values';
import { IntegrationEntity } from './integration.entity';

function toIntegration(entity: IntegrationEntity): Integration {
  return {
    id: entity.id,
    type: entity.type,
    name: entity.name,
    service: entity.service,
    severityMapping: entity.severityMapping,
    autoResolve: entity.autoResolve,
    signingSecrets: entity.signingSecrets,
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

/** Cursor of the integration list: the last row's `[createdAt, id]` (created by the API: millisecond times). */
const INTEGRATION_CURSOR = cursorCodec('integrations', z.tuple([cursorKey.timestamp(), cursorKey.uuid()]));

/** Integrations in incident-service's database (TypeORM). Deleted ones are soft-deleted (`deleted_at`). */
@Injectable()
export class IntegrationRepository {
  constructor(@InjectRepository(IntegrationEntity, INCIDENT_DATA_SOURCE) private readonly rows: Repository<IntegrationEntity>) {}

  async create(integration: Integration, credentialHash: string | null): Promise<void> {
    await this.rows.insert({ ...integration, credentialHash });
  }

  /** The integration, deleted or not; `null` when it never existed. */
  async findAnyById(id: string): Promise<Integration | null> {
    const row = await this.rows.findOneBy({ id });
    return row ? toIntegration(row) : null;
  }

  /** The integration unless it is deleted. */
  async findActiveById(id: string): Promise<Integration | null> {
    const row = await this.rows.findOneBy({ id, deletedAt: IsNull() });
    return row ? toIntegration(row) : null;
  }

  /** The live integration of `type` whose credential hashes to `credentialHash`. */
  async findActiveByCredentialHash(type: IntegrationType, credentialHash: string): Promise<Integration | null> {
    const row = await this.rows.findOneBy({ type, credentialHash, deletedAt: IsNull() });
    return row ? toIntegration(row) : null;
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
    return { items: page.items.map(toIntegration), nextCursor: page.nextCursor };
  }

  /** Changes the settings of a live integration. @returns the integration as changed, `null` when it is unknown or deleted. */
  async update(id: string, changes: IntegrationChanges): Promise<Integration | null> {
    if (Object.keys(changes).length > 0) await this.rows.update({ id, deletedAt: IsNull() }, changes);
    return this.findActiveById(id);
  }

  /** Marks it deleted (keeps the row: its deliveries stay auditable). @returns false when it never existed. */
  async softDelete(id: string, now: Date): Promise<boolean> {
    const result = await this.rows.update({ id, deletedAt: IsNull() }, { deletedAt: now });
    if ((result.affected ?? 0) > 0) return true;
    return (await this.rows.existsBy({ id })) === true;
  }
}
