import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
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

  /** Live integrations, newest first (configuration: a few hundred at most, so no paging yet). */
  async listActive(limit = 500): Promise<Integration[]> {
    const rows = await this.rows.find({ where: { deletedAt: IsNull() }, order: { createdAt: 'DESC', id: 'DESC' }, take: limit });
    return rows.map(toIntegration);
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
