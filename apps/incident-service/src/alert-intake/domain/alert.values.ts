/**
 * Alert severities, as in the PagerDuty Events API v2 `payload.severity`
 * (https://developer.pagerduty.com/docs/events-api-v2/trigger-events/), most severe first.
 */
export const ALERT_SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

/** A link attached to an alert (Events API v2 `links[]`). */
export interface AlertLink {
  href: string;
  text?: string;
}

/** An image attached to an alert (Events API v2 `images[]`). */
export interface AlertImage {
  src: string;
  href?: string;
  alt?: string;
}

/**
 * Limits of alert data, in characters. `dedupKey` and `summary` follow PagerDuty's Events API v2
 * (`dedup_key` at most 255, `payload.summary` at most 1024); the other text fields are ours
 * (`fingerprint`: Alertmanager's are 16 hex digits).
 */
export const ALERT_LIMITS = {
  dedupKeyMax: 255,
  fingerprintMax: 255,
  summaryMax: 1024,
  textMax: 1024,
} as const;
