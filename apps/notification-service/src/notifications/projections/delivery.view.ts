import type { DeliveryStatus } from '../domain/delivery.transitions';
import type { DeliveryChannelType } from '../domain/notification-rule';
import { maskedTargetUrl } from '../domain/target-url.mask';
import { displayedSubscriberPayload } from '../../status-pages/domain/subscriber-payload.mask';
import { NotificationSecretBox } from '../secrets/notification-secret-box';
import type { DeliveryAttemptEntity } from './delivery-attempt.entity';
import type { DeliveryEntity } from './delivery.entity';

/**
 * One attempt. `durationMs` in milliseconds; `error` null for a delivered attempt. An email attempt has
 * the SMTP server's reply code in `smtpReplyCode` and its reply text in `responseExcerpt`.
 * `responseExcerpt` (the start of the receiver's answer, which may hold anything the receiver says)
 * only for callers with `notifications:admin`.
 */
export class DeliveryAttemptView {
  attemptNo!: number;
  startedAt!: string;
  durationMs!: number;
  httpStatus!: number | null;
  smtpReplyCode!: number | null;
  error!: string | null;
  responseExcerpt?: string | null;
}

/**
 * A delivery and its attempts (newest attempt first). `nextAttemptAt` is set while it is queued
 * (`pending`/`retrying`); `payload` (the exact JSON body sent) only on `GET /v1/deliveries/{id}`. A
 * delivery belongs to a notification rule (`ruleId`) or to a status-page subscriber (`subscriberId`,
 * `statusPageId`); a subscriber's payload is shown with its unsubscribe token masked, an email's as
 * its subject only.
 */
export class DeliveryView {
  id!: string;
  ruleId!: string | null;
  subscriberId!: string | null;
  statusPageId!: string | null;
  eventId!: string;
  eventType!: string;
  incidentId!: string | null;
  channelType!: DeliveryChannelType;
  /** Masked like the rule's URL (`…` + last 4 of every credential in it); `mailto:<address>` for an email. */
  targetUrl!: string;
  status!: DeliveryStatus;
  attemptCount!: number;
  nextAttemptAt!: string | null;
  lastError!: string | null;
  createdAt!: string;
  updatedAt!: string;
  deliveredAt!: string | null;
  deadLetteredAt!: string | null;
  attempts!: DeliveryAttemptView[];
  payload?: unknown;
}

/** A page of the delivery log, newest first. Pass `nextCursor` back as `cursor`; null = last page. */
export class DeliveryPageView {
  items!: DeliveryView[];
  nextCursor!: string | null;
}

/**
 * Maps a delivery row and its attempts (newest first) to the API shape, its sealed target URL opened
 * with `secrets` and masked; `withPayload` adds the sent body.
 */
export function toDeliveryView(entity: DeliveryEntity, attempts: DeliveryAttemptEntity[], secrets: NotificationSecretBox, withPayload = false): DeliveryView {
  const queued = entity.status === 'pending' || entity.status === 'retrying';
  return {
    id: entity.id,
    ruleId: entity.ruleId,
    subscriberId: entity.subscriberId,
    statusPageId: entity.statusPageId,
    eventId: entity.eventId,
    eventType: entity.eventType,
    incidentId: entity.incidentId,
    channelType: entity.channelType,
    targetUrl: NotificationSecretBox.readableOr(() => {
      const target = secrets.openDeliveryTargetUrl(entity.id, entity.targetUrl);
      return entity.channelType === 'email' ? target : maskedTargetUrl(target);
    }),
    status: entity.status,
    attemptCount: entity.attemptCount,
    nextAttemptAt: queued ? entity.nextAttemptAt.toISOString() : null,
    lastError: entity.lastError,
    createdAt: entity.createdAt.toISOString(),
    updatedAt: entity.updatedAt.toISOString(),
    deliveredAt: entity.deliveredAt?.toISOString() ?? null,
    deadLetteredAt: entity.deadLetteredAt?.toISOString() ?? null,
    attempts: [...attempts]
      .sort((a, b) => b.attemptNo - a.attemptNo)
      .map((a) => ({
        attemptNo: a.attemptNo,
        startedAt: a.startedAt.toISOString(),
        durationMs: a.durationMs,
        httpStatus: a.httpStatus,
        smtpReplyCode: a.smtpReplyCode,
        error: a.error,
        responseExcerpt: a.responseExcerpt,
      })),
    ...(withPayload ? { payload: payloadOf(entity, secrets) } : {}),
  };
}

/** What the log shows of a delivery's body: a rule's as sent; a subscriber's without its unsubscribe token. */
function payloadOf(entity: DeliveryEntity, secrets: NotificationSecretBox): unknown {
  if (entity.subscriberId === null) return JSON.parse(entity.payload) as unknown;
  try {
    return displayedSubscriberPayload(entity.channelType, secrets.openDeliveryPayload(entity.id, entity.payload));
  } catch {
    return NotificationSecretBox.UNREADABLE;
  }
}

/** The delivery without its attempts' `responseExcerpt`: what a caller without `notifications:admin` sees. */
export function withoutResponseExcerpts(view: DeliveryView): DeliveryView {
  return { ...view, attempts: view.attempts.map(({ responseExcerpt: _excerpt, ...attempt }) => attempt) };
}
