import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { ActionItemPriority, ActionItemStatus } from '../domain/postmortem.state';

/** A row of the `action_items` read model (written by `actionItemsProjection`, read here). */
@Entity({ name: 'action_items' })
export class ActionItemEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'postmortem_id', type: 'uuid' })
  postmortemId!: string;

  @Column({ name: 'incident_id', type: 'uuid' })
  incidentId!: string;

  @Column({ type: 'text' })
  title!: string;

  @Column({ type: 'text' })
  owner!: string;

  /** `YYYY-MM-DD`. */
  @Column({ name: 'due_date', type: 'date' })
  dueDate!: string;

  @Column({ type: 'text' })
  priority!: ActionItemPriority;

  @Column({ type: 'text' })
  status!: ActionItemStatus;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @Column({ type: 'integer' })
  version!: number;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
