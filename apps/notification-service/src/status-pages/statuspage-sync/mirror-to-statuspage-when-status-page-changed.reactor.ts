import { Inject, Injectable } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import { TOPICS, type IntegrationEvent, type TopicName } from '@fireline/contracts';
import { MESSAGE_TRANSPORT, type MessageTransport } from '@fireline/messaging';
import { NOTIFICATION_PG_POOL } from '../../notifications/notification.tokens';
import { asStatusPageEventV1 } from '../domain/status-page-copy';
import { statuspageCallsFor } from './statuspage-requests';

/**
 * Consumes `fireline.status-pages.v1` as `notification-service.statuspage-sync`: an event of a page that
 * mirrors to Statuspage becomes a job in `statuspage_sync_jobs`, in the inbox transaction (a redelivered
 * event queues nothing twice: the inbox, and `UNIQUE (page_id, event_id)`). The HTTP calls are the
 * `StatuspageSyncWorker`'s, outside the consumer, so that Statuspage's rate limit never holds up the topic.
 */
@Injectable()
export class MirrorToStatuspageWhenStatusPageChangedReactor {
  static readonly topic: TopicName = TOPICS.statusPages;
  static readonly consumer = 'notification-service.statuspage-sync';

  constructor(
    @Inject(MESSAGE_TRANSPORT) private readonly transport: MessageTransport,
    @Inject(NOTIFICATION_PG_POOL) private readonly pool: Pool,
  ) {}

  subscribe(): void {
    this.transport.subscribe({
      topic: MirrorToStatuspageWhenStatusPageChangedReactor.topic,
      consumer: MirrorToStatuspageWhenStatusPageChangedReactor.consumer,
      pool: this.pool,
      handle: (event, tx) => this.handle(event, tx),
    });
  }

  async handle(envelope: IntegrationEvent, tx: PoolClient): Promise<void> {
    const event = asStatusPageEventV1(envelope);
    if (event === null || statuspageCallsFor(event).length === 0) return;
    await tx.query(
      `INSERT INTO statuspage_sync_jobs (page_id, event_id, event_type, event, status)
       SELECT page_id, $2, $3, $4::jsonb, 'pending' FROM statuspage_sync_configs WHERE page_id = $1
       ON CONFLICT (page_id, event_id) DO NOTHING`,
      [event.data.pageId, event.eventId, event.type, JSON.stringify(event)],
    );
  }
}
