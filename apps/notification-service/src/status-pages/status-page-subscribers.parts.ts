import type { Provider, Type } from '@nestjs/common';
import { ThrottlerStorageService } from '@nestjs/throttler';
import { ConfirmSubscriptionHandler } from './commands/confirm-subscription.command';
import { AddWebhookSubscriberHandler, RemoveSubscriberHandler, UnquarantineSubscriberHandler } from './commands/manage-subscribers.command';
import { SubscribeByEmailHandler } from './commands/subscribe-by-email.command';
import { UnsubscribeHandler } from './commands/unsubscribe.command';
import { StatusPageSubscribersHttpController } from './http/status-page-subscribers.http.controller';
import { StatusPageSubscriptionsHttpController } from './http/status-page-subscriptions.http.controller';
import { GetSubscriberHandler, ListSubscribersHandler } from './projections/subscriber.query';
import { GetConfirmationLinkHandler, GetUnsubscribeLinkHandler } from './projections/subscription-links.query';
import { NotifySubscribersWhenStatusPageChangedReactor } from './reactors/notify-subscribers-when-status-page-changed.reactor';
import { STATUSPAGE_SYNC_WORKER, SUBSCRIBE_THROTTLER_STORAGE } from './status-pages.tokens';
import type { NotificationServiceConfig } from '../config/notification-service.config';
import { DEFAULT_STATUS_PAGE_NOTIFICATIONS_CONFIG } from '../config/status-page-notifications.config';
import { NOTIFICATION_PG_POOL, NOTIFICATION_SECRET_BOX, NOTIFICATION_SERVICE_CONFIG } from '../notifications/notification.tokens';
import type { NotificationSecretBox } from '../notifications/secrets/notification-secret-box';
import type { Pool } from 'pg';
import { MirrorToStatuspageWhenStatusPageChangedReactor } from './statuspage-sync/mirror-to-statuspage-when-status-page-changed.reactor';
import { StatuspageClient, StatuspageRateLimiter } from './statuspage-sync/statuspage.client';
import { ConfigureStatuspageSyncHandler, GetStatuspageSyncHandler, RemoveStatuspageSyncHandler } from './statuspage-sync/statuspage-sync-config.command';
import { StatuspageSyncHttpController } from './statuspage-sync/statuspage-sync.http.controller';
import { StatuspageSyncWorker } from './statuspage-sync/statuspage-sync.worker';

/** The Statuspage sync worker polls at most this often (ms). */
const STATUSPAGE_SYNC_MIN_POLL_MS = 200;

/**
 * Status-page subscribers and the Statuspage mirror inside notification-service: the reactors on
 * `fireline.status-pages.v1`, the management and public routes, their handlers, the sync worker. Needs the module's pool, secret box, config and
 * `SMTP_MAILER`.
 */
export const STATUS_PAGE_SUBSCRIBER_PARTS: { controllers: Type[]; providers: Provider[] } = {
  controllers: [StatusPageSubscribersHttpController, StatusPageSubscriptionsHttpController, StatuspageSyncHttpController],
  providers: [
    // A class provider, so that Nest calls its `onApplicationShutdown` (clears the sweep timer).
    { provide: SUBSCRIBE_THROTTLER_STORAGE, useClass: ThrottlerStorageService },
    NotifySubscribersWhenStatusPageChangedReactor,
    SubscribeByEmailHandler,
    ConfirmSubscriptionHandler,
    UnsubscribeHandler,
    AddWebhookSubscriberHandler,
    RemoveSubscriberHandler,
    UnquarantineSubscriberHandler,
    ListSubscribersHandler,
    GetSubscriberHandler,
    GetConfirmationLinkHandler,
    GetUnsubscribeLinkHandler,
    MirrorToStatuspageWhenStatusPageChangedReactor,
    ConfigureStatuspageSyncHandler,
    RemoveStatuspageSyncHandler,
    GetStatuspageSyncHandler,
    {
      provide: STATUSPAGE_SYNC_WORKER,
      useFactory: (pool: Pool, secrets: NotificationSecretBox, config: NotificationServiceConfig) => {
        const settings = (config.statusPages ?? DEFAULT_STATUS_PAGE_NOTIFICATIONS_CONFIG).statuspage;
        // One limiter per process: every page mirrored with the same key shares its 1 request/s.
        const client = new StatuspageClient(new StatuspageRateLimiter(settings.minRequestIntervalMs), config.delivery.timeoutMs);
        return new StatuspageSyncWorker(pool, secrets, client, {
          apiUrl: settings.apiUrl,
          // Statuspage takes 1 request/s: polling faster than 5 times a second buys nothing.
          pollIntervalMs: Math.max(config.delivery.pollIntervalMs, STATUSPAGE_SYNC_MIN_POLL_MS),
          retryWindowMs: config.delivery.retryWindowMs,
          baseDelayMs: config.delivery.baseDelayMs,
          maxDelayMs: config.delivery.maxDelayMs,
        });
      },
      inject: [NOTIFICATION_PG_POOL, NOTIFICATION_SECRET_BOX, NOTIFICATION_SERVICE_CONFIG],
    },
  ],
};
