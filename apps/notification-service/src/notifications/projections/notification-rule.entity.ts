import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { IncidentEventKindV1, IncidentIntegrationEventTypeV1, SeverityV1 } from '@fireline/contracts';
import type { NotificationChannelType } from '../domain/notification-rule';

/** A row of `notification_rules`. Configuration, edited in place; `deletedAt` set = deleted. */
@Entity({ name: 'notification_rules' })
export class NotificationRuleEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('text')
  name!: string;

  @Column('boolean')
  enabled!: boolean;

  @Column('text', { name: 'match_severities', array: true })
  matchSeverities!: SeverityV1[];

  @Column('text', { name: 'match_services', array: true })
  matchServices!: string[];

  @Column('text', { name: 'match_event_types', array: true })
  matchEventTypes!: IncidentIntegrationEventTypeV1[];

  @Column('text', { name: 'match_kinds', array: true, default: () => "'{}'" })
  matchKinds!: IncidentEventKindV1[];

  @Column('text', { name: 'channel_type' })
  channelType!: NotificationChannelType;

  @Column('text', { name: 'target_url' })
  targetUrl!: string;

  @Column('text', { name: 'webhook_secret', nullable: true })
  webhookSecret!: string | null;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;

  @Column('timestamptz', { name: 'deleted_at', nullable: true })
  deletedAt!: Date | null;
}
