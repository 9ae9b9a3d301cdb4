import type { CommandMetadata } from '@fireline/event-store/command-metadata';
import type { AlertImage, AlertLink, AlertSeverity } from './alert.values';

/** Which alert a command addresses: one stream per `(integrationId, dedupKey)`. */
export interface AlertKey {
  integrationId: string;
  dedupKey: string;
}

interface AlertCommandOf<TType extends string, TData> {
  type: TType;
  data: AlertKey & TData;
  metadata: CommandMetadata;
}

/**
 * What a trigger reports (PagerDuty Events API v2 `payload` plus `links`, `images`, `client`, `client_url`:
 * https://developer.pagerduty.com/docs/events-api-v2/trigger-events/). `timestamp` is the sender's,
 * as sent (ISO 8601) or `null`; our clock is `metadata.now`. `severity` is the one the alert's labels
 * name when they do (see `alert-labels.ts`), else the sender's.
 */
export interface AlertDetails {
  summary: string;
  source: string;
  severity: AlertSeverity;
  timestamp: string | null;
  component: string | null;
  group: string | null;
  class: string | null;
  customDetails: unknown;
  links: AlertLink[];
  images: AlertImage[];
  client: string | null;
  clientUrl: string | null;
  /**
   * The service the alert's own labels name (`ALERT_SERVICE_LABELS`), or `null`: the incident then gets
   * the integration's service. Absent on events stored before it existed (read as `null`).
   */
  service?: string | null;
}

/**
 * Optional on trigger and resolve: which member of a grouped alert stream the command is about
 * (Alertmanager's per-alert `fingerprint`; the stream is the Alertmanager group). Absent for Events API
 * v2, whose stream is one alert.
 */
export interface AlertMember {
  fingerprint?: string;
}

/**
 * Opens the alert (a new incarnation) or, while it is open, counts one more trigger. With a
 * `fingerprint`: a member already firing in the open incarnation is a no-op (a group re-send).
 */
export type TriggerAlert = AlertCommandOf<'TriggerAlert', AlertDetails & AlertMember>;
/** Acknowledges the open alert; dropped (no events) when no alert is open or it is acknowledged already. */
export type AcknowledgeAlert = AlertCommandOf<'AcknowledgeAlert', object>;
/**
 * Resolves the open alert; dropped (no events) when no alert is open. `expired`: sent by alert expiry
 * (no re-send for `ALERT_EXPIRE_AFTER_MS`), not by the source. With a `fingerprint`: resolves
 * that member only, and the incarnation only once no member is firing any more.
 */
export type ResolveAlert = AlertCommandOf<'ResolveAlert', { summary: string | null; expired?: boolean } & AlertMember>;

export type AlertCommand = TriggerAlert | AcknowledgeAlert | ResolveAlert;
