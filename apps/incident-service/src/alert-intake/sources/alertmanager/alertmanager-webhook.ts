import type { FieldError } from '@fireline/errors';
import { ALERT_LIMITS } from '../../domain/alert.values';

/*
 * Prometheus Alertmanager's webhook body, `version: "4"`
 * (https://prometheus.io/docs/alerting/latest/configuration/#webhook_config; captured 0.25 deliveries in
 * test/fixtures/alertmanager-0.25/). Checked by hand rather than with class-validator because label and
 * annotation maps have arbitrary keys, and a rejected body is still recorded in the ledger with its
 * field errors. Unknown fields are ignored (later Alertmanager versions may add some). Plain TypeScript:
 * the translator and the ledger's re-processing read it; the OpenAPI shapes are in the request DTO.
 */

export const ALERTMANAGER_ALERT_STATUSES = ['firing', 'resolved'] as const;
export type AlertmanagerAlertStatus = (typeof ALERTMANAGER_ALERT_STATUSES)[number];

/** More alerts than this in one delivery is refused (Alertmanager's `max_alerts` truncates groups anyway). */
export const ALERTMANAGER_MAX_ALERTS = 1000;

/** One `alerts[]` entry. */
export interface AlertmanagerAlert {
  status: AlertmanagerAlertStatus;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
}

/** The whole delivery: one Alertmanager group. */
export interface AlertmanagerWebhook {
  version: '4';
  groupKey: string;
  truncatedAlerts: number;
  status: AlertmanagerAlertStatus;
  receiver: string;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL: string;
  alerts: AlertmanagerAlert[];
}

export type ParsedAlertmanagerWebhook = { ok: true; body: AlertmanagerWebhook } | { ok: false; errors: FieldError[] };

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A label or annotation map; missing (or `null`) counts as empty. */
function stringMap(errors: FieldError[], field: string, value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) {
    errors.push({ field, message: 'must be an object of strings' });
    return {};
  }
  const map: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry !== 'string') errors.push({ field: `${field}.${key}`, message: 'must be a string' });
    else map[key] = entry;
  }
  return map;
}

function optionalString(errors: FieldError[], field: string, value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') errors.push({ field, message: 'must be a string' });
  return typeof value === 'string' ? value : '';
}

function status(errors: FieldError[], field: string, value: unknown): AlertmanagerAlertStatus {
  if (!(ALERTMANAGER_ALERT_STATUSES as readonly unknown[]).includes(value)) errors.push({ field, message: "must be 'firing' or 'resolved'" });
  return value as AlertmanagerAlertStatus;
}

/**
 * Validates a parsed JSON body as an Alertmanager webhook `version: "4"` delivery. Required: `version`
 * "4", a non-blank `groupKey`, `status`, and 1..1000 `alerts[]` each with `status` and a non-blank
 * `fingerprint` (at most 255 characters), distinct within the delivery. The maps and URLs are optional
 * (an absent map reads as empty) so that a hand-written test delivery works too.
 */
export function parseAlertmanagerWebhook(body: unknown): ParsedAlertmanagerWebhook {
  if (!isRecord(body)) return { ok: false, errors: [{ field: 'body', message: 'must be a JSON object' }] };
  const errors: FieldError[] = [];
  if (body.version !== '4') errors.push({ field: 'version', message: 'must be "4" (Alertmanager webhook payload version 4)' });
  if (typeof body.groupKey !== 'string' || body.groupKey.trim() === '') errors.push({ field: 'groupKey', message: 'must be a non-blank string' });
  const groupStatus = status(errors, 'status', body.status);
  const truncatedAlerts = body.truncatedAlerts ?? 0;
  if (typeof truncatedAlerts !== 'number' || !Number.isInteger(truncatedAlerts) || truncatedAlerts < 0) {
    errors.push({ field: 'truncatedAlerts', message: 'must be a non-negative integer' });
  }
  const alerts: AlertmanagerAlert[] = [];
  if (!Array.isArray(body.alerts) || body.alerts.length === 0 || body.alerts.length > ALERTMANAGER_MAX_ALERTS) {
    errors.push({ field: 'alerts', message: `must be an array of 1 to ${ALERTMANAGER_MAX_ALERTS} alerts` });
  } else {
    const seen = new Set<string>();
    body.alerts.forEach((raw: unknown, i: number) => {
      const field = `alerts[${i}]`;
      if (!isRecord(raw)) {
        errors.push({ field, message: 'must be an object' });
        return;
      }
      const fingerprint = raw.fingerprint;
      if (typeof fingerprint !== 'string' || fingerprint.trim() === '' || [...fingerprint].length > ALERT_LIMITS.fingerprintMax) {
        errors.push({ field: `${field}.fingerprint`, message: `must be a non-blank string of at most ${ALERT_LIMITS.fingerprintMax} characters` });
      } else if (seen.has(fingerprint)) {
        errors.push({ field: `${field}.fingerprint`, message: 'appears twice in the delivery' });
      } else {
        seen.add(fingerprint);
      }
      alerts.push({
        status: status(errors, `${field}.status`, raw.status),
        labels: stringMap(errors, `${field}.labels`, raw.labels),
        annotations: stringMap(errors, `${field}.annotations`, raw.annotations),
        startsAt: optionalString(errors, `${field}.startsAt`, raw.startsAt),
        endsAt: optionalString(errors, `${field}.endsAt`, raw.endsAt),
        generatorURL: optionalString(errors, `${field}.generatorURL`, raw.generatorURL),
        fingerprint: typeof fingerprint === 'string' ? fingerprint : '',
      });
    });
  }
  const parsed: AlertmanagerWebhook = {
    version: '4',
    groupKey: typeof body.groupKey === 'string' ? body.groupKey : '',
    truncatedAlerts: typeof truncatedAlerts === 'number' ? truncatedAlerts : 0,
    status: groupStatus,
    receiver: optionalString(errors, 'receiver', body.receiver),
    groupLabels: stringMap(errors, 'groupLabels', body.groupLabels),
    commonLabels: stringMap(errors, 'commonLabels', body.commonLabels),
    commonAnnotations: stringMap(errors, 'commonAnnotations', body.commonAnnotations),
    externalURL: optionalString(errors, 'externalURL', body.externalURL),
    alerts,
  };
  return errors.length > 0 ? { ok: false, errors } : { ok: true, body: parsed };
}
