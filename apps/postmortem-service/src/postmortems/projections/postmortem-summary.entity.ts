import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { PostmortemStatus } from '../domain/postmortem.state';

/** A row of the `postmortem_summaries` read model (written by `postmortemSummaryProjection`, read here). */
@Entity({ name: 'postmortem_summaries' })
export class PostmortemSummaryEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'incident_id', type: 'uuid' })
  incidentId!: string;

  @Column({ type: 'text' })
  title!: string;

  @Column({ type: 'text' })
  status!: PostmortemStatus;

  @Column({ name: 'due_at', type: 'timestamptz' })
  dueAt!: Date;

  @Column({ name: 'action_items_total', type: 'integer' })
  actionItemsTotal!: number;

  @Column({ name: 'action_items_open', type: 'integer' })
  actionItemsOpen!: number;

  @Column({ type: 'integer' })
  version!: number;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
