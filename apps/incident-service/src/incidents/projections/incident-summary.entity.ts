import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One row per incident: the read model behind `GET /v1/incidents` and `GET /v1/dashboard`. Written only
 * by `IncidentSummaryProjection`; rebuildable from the event store at any time.
 */
@Entity('incident_summaries')
export class IncidentSummaryEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('text')
  title!: string;

  @Column('text')
  severity!: string;

  @Column('text')
  status!: string;

  @Column('text', { array: true })
  services!: string[];

  @Column('text', { name: 'detection_source' })
  detectionSource!: string;

  @Column('timestamptz', { name: 'declared_at' })
  declaredAt!: Date;

  @Column('timestamptz', { name: 'acknowledged_at', nullable: true })
  acknowledgedAt!: Date | null;

  @Column('timestamptz', { name: 'resolved_at', nullable: true })
  resolvedAt!: Date | null;

  @Column('timestamptz', { name: 'closed_at', nullable: true })
  closedAt!: Date | null;

  @Column('text', { nullable: true })
  commander!: string | null;

  /** A human actor (not `integration:*`/`system:*`) declared the incident or acted on it. */
  @Column('boolean', { name: 'human_acted' })
  humanActed!: boolean;

  /** Declared from an alert (`alert:…`) and resolved with no human action; cleared by a reopen. */
  @Column('boolean', { name: 'auto_resolved' })
  autoResolved!: boolean;

  @Column('integer')
  version!: number;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;
}
