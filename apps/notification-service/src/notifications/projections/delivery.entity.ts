import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { DeliveryChannelType } from '../domain/notification-rule';
import type { DeliveryStatus } from '../domain/delivery.transitions';

/** A row of `deliveries`: one notification of one rule or one status-page subscriber about one event, and its queue state. */
@Entity({ name: 'deliveries' })
export class DeliveryEntity {
  @PrimaryColumn('uuid')
  id!: string;

  /** Insertion order; bigint comes back from pg as a decimal string. */
  @Column({ type: 'bigint', insert: false, update: false })
  seq!: string;

  /** The rule it was queued for; null for a status-page subscriber's delivery. */
  @Column('uuid', { name: 'rule_id', nullable: true })
  ruleId!: string | null;

  /** The status-page subscriber it was queued for; null for a rule's delivery. */
  @Column('uuid', { name: 'subscriber_id', nullable: true })
  subscriberId!: string | null;

  /** The status page it is about (subscriber deliveries). */
  @Column('uuid', { name: 'status_page_id', nullable: true })
  statusPageId!: string | null;

  @Column('uuid', { name: 'event_id' })
  eventId!: string;

  @Column('text', { name: 'event_type' })
  eventType!: string;

  /** Null for a notification about a component or a maintenance, or a confirmation email. */
  @Column('text', { name: 'incident_id', nullable: true })
  incidentId!: string | null;

  @Column('text', { name: 'channel_type' })
  channelType!: DeliveryChannelType;

  @Column('text', { name: 'target_url' })
  targetUrl!: string;

  @Column('text')
  payload!: string;

  @Column('text')
  status!: DeliveryStatus;

  @Column('integer', { name: 'attempt_count' })
  attemptCount!: number;

  @Column('integer', { name: 'round_start_attempt' })
  roundStartAttempt!: number;

  @Column('timestamptz', { name: 'next_attempt_at' })
  nextAttemptAt!: Date;

  @Column('timestamptz', { name: 'lease_expires_at', nullable: true })
  leaseExpiresAt!: Date | null;

  @Column('text', { name: 'last_error', nullable: true })
  lastError!: string | null;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;

  @Column('timestamptz', { name: 'delivered_at', nullable: true })
  deliveredAt!: Date | null;

  @Column('timestamptz', { name: 'dead_lettered_at', nullable: true })
  deadLetteredAt!: Date | null;
}
