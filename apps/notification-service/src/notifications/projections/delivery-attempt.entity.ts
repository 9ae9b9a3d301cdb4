import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A row of `delivery_attempts`: one HTTP or SMTP attempt of a delivery, written by the worker. */
@Entity({ name: 'delivery_attempts' })
export class DeliveryAttemptEntity {
  @PrimaryColumn('uuid', { name: 'delivery_id' })
  deliveryId!: string;

  /** 1-based over the delivery's whole life (manual retries continue the count). */
  @PrimaryColumn('integer', { name: 'attempt_no' })
  attemptNo!: number;

  @Column('timestamptz', { name: 'started_at' })
  startedAt!: Date;

  @Column('integer', { name: 'duration_ms' })
  durationMs!: number;

  @Column('integer', { name: 'http_status', nullable: true })
  httpStatus!: number | null;

  @Column('text', { nullable: true })
  error!: string | null;

  @Column('text', { name: 'response_excerpt', nullable: true })
  responseExcerpt!: string | null;

  /** The SMTP server's reply code (250, 451, 550, …) of an email attempt. */
  @Column('integer', { name: 'smtp_reply_code', nullable: true })
  smtpReplyCode!: number | null;
}
