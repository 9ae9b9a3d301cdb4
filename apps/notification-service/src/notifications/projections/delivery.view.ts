import type { DeliveryStatus } from '../domain/delivery.transitions';
import type { NotificationChannelType } from '../domain/notification-rule';
import { maskedTargetUrl } from '../domain/target-url.mask';
import { NotificationSecretBox } from '../secrets/notification-secret-box';
import type { DeliveryAttemptEntity } from './delivery-attempt.entity';
import type { DeliveryEntity } from './delivery.entity';

/**
 * One HTTP attempt. `durationMs` in milliseconds; `error` null for a delivered attempt.
 * `responseExcerpt` (the start of the receiver's answer, which may hold anything the receiver says)
 * only for callers with `notifications:admin`.
 */
export class DeliveryAttemptView {
  attemptNo!: number;
  startedAt!: string;
  durationMs!: number;
  httpStatus!: number | null;
  error!: string | null;
  responseExcerpt?: string | null;
}

/**
 * A delivery and its attempts (newest attempt first). `nextAttemptAt` is set while it is queued
 * (`pending`/`retrying`); `payload` (the exact JSON body sent) only on `GET /v1/deliveries/{id}`.
 */
export class DeliveryView {
  id!: string;
  ruleId!: string;
  eventId!: string;
  eventType!: string;
  incidentId!: string;
  channelType!: NotificationChannelType;
  /** Masked like the rule's URL (`…` + last 4 of every credential in it). */
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
    eventId: entity.eventId,
    eventType: entity.eventType,
    incidentId: entity.incidentId,
    channelType: entity.channelType,
    targetUrl: NotificationSecretBox.readableOr(() => maskedTargetUrl(secrets.openDeliveryTargetUrl(entity.id, entity.targetUrl))),
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
        error: a.error,
        responseExcerpt: a.responseExcerpt,
      })),
    ...(withPayload ? { payload: JSON.parse(entity.payload) as unknown } : {}),
  };
}

/** The delivery without its attempts' `responseExcerpt`: what a caller without `notifications:admin` sees. */
export function withoutResponseExcerpts(view: DeliveryView): DeliveryView {
  return { ...view, attempts: view.attempts.map(({ responseExcerpt: _excerpt, ...attempt }) => attempt) };
}
