import type { Provider, Type } from '@nestjs/common';
import { ThrottlerStorageService } from '@nestjs/throttler';
import { ConfirmSubscriptionHandler } from './commands/confirm-subscription.command';
import { AddWebhookSubscriberHandler, RemoveSubscriberHandler, UnquarantineSubscriberHandler } from './commands/manage-subscribers.commands';
import { SubscribeByEmailHandler } from './commands/subscribe-by-email.command';
import { UnsubscribeHandler } from './commands/unsubscribe.command';
import { StatusPageSubscribersHttpController } from './http/status-page-subscribers.http.controller';
import { StatusPageSubscriptionsHttpController } from './http/status-page-subscriptions.http.controller';
import { GetSubscriberHandler, ListSubscribersHandler } from './projections/subscriber.queries';
import { GetConfirmationLinkHandler, GetUnsubscribeLinkHandler } from './projections/subscription-links.query';
import { NotifySubscribersWhenStatusPageChangedReactor } from './reactors/notify-subscribers-when-status-page-changed.reactor';
import { SUBSCRIBE_THROTTLER_STORAGE } from './status-pages.tokens';

/**
 * Status-page subscribers inside notification-service: the reactor on `fireline.status-pages.v1`, the
 * management and public routes, their handlers. Needs the module's pool, secret box, config and
 * `SMTP_MAILER`.
 */
export const STATUS_PAGE_SUBSCRIBER_PARTS: { controllers: Type[]; providers: Provider[] } = {
  controllers: [StatusPageSubscribersHttpController, StatusPageSubscriptionsHttpController],
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
  ],
};
