import type { AlertSeverity } from '../../domain/alert.values';

/*
 * The PagerDuty Events API v2 event as sent to `POST /v2/enqueue`, once validated
 * (https://developer.pagerduty.com/docs/events-api-v2/trigger-events/, …/acknowledge-events/,
 * …/resolve-events/). Field names are PagerDuty's (snake_case). Plain TypeScript, for the translator;
 * the validation rules and OpenAPI shapes are the request DTO's (`EventsV2EventRequest`).
 */

export const EVENT_ACTIONS = ['trigger', 'acknowledge', 'resolve'] as const;
export type EventAction = (typeof EVENT_ACTIONS)[number];

/** `links[]`: a link shown with the alert. */
export interface EventsV2Link {
  href: string;
  text?: string;
}

/** `images[]`: an image shown with the alert. */
export interface EventsV2Image {
  src: string;
  href?: string;
  alt?: string;
}

/** `payload`: what the alert is about (required on trigger). */
export interface EventsV2Payload {
  summary: string;
  source: string;
  severity: AlertSeverity;
  timestamp?: string;
  component?: string;
  group?: string;
  class?: string;
  /** Any JSON (Alertmanager sends an object of strings: `firing`, `resolved`, `num_firing`, `num_resolved`). */
  custom_details?: unknown;
}

/** A validated event. */
export interface EventsV2Event {
  routing_key: string;
  event_action: EventAction;
  dedup_key?: string | null;
  payload?: EventsV2Payload;
  links?: EventsV2Link[];
  images?: EventsV2Image[];
  client?: string;
  client_url?: string;
}
