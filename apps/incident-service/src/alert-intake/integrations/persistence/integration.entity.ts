import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { AutoResolvePolicy, IntegrationType, SeverityMapping } from '../domain/integration.values';

/**
 * One row per integration (configuration, not event-sourced). `credential_hash` is the sha256 of the
 * routing key or bearer token, which is shown once and never stored; `signing_secrets` are stored sealed
 * (`SecretBox` envelopes) because verifying a PagerDuty webhook signature needs them in the clear.
 */
@Entity('integrations')
export class IntegrationEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('text')
  type!: IntegrationType;

  @Column('text')
  name!: string;

  @Column('text')
  service!: string;

  @Column('jsonb', { name: 'severity_mapping' })
  severityMapping!: SeverityMapping;

  @Column('text', { name: 'auto_resolve' })
  autoResolve!: AutoResolvePolicy;

  @Column('text', { name: 'credential_hash', nullable: true })
  credentialHash!: string | null;

  @Column('text', { name: 'signing_secrets', array: true })
  signingSecrets!: string[];

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'deleted_at', nullable: true })
  deletedAt!: Date | null;
}
