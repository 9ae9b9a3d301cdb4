import { createHash } from 'node:crypto';
import { integrationActor } from '../../integrations/domain/integration';
import type { AlertCommand, AlertDetails } from '../../domain/alert.commands';
import { ALERT_LIMITS, type AlertSeverity } from '../../domain/alert.values';
import type { AlertmanagerAlert, AlertmanagerWebhook } from './alertmanager-webhook';
import type { AlertDeliveryRef } from '../../domain/alert-delivery';
import { alertLabelFacts, DEFAULT_ALERT_LABEL_NAMES, type AlertLabelNames } from '../../domain/alert-labels';

/**
 * The alert severity of an Alertmanager alert, from its severity label (`names.severity`, default
 * `severity`; case-insensitive):
 * `critical`, `error`, `warning`, `info` as they are; a missing or any other value (`page`, `none`…)
 * reads as `warning`, so the integration's mapping for `warning` (SEV3 by default) decides. Chosen
 * over refusing the delivery: an alert with an odd label must still page someone.
 */
export function alertSeverityOfLabels(labels: Record<string, string>, names: AlertLabelNames = DEFAULT_ALERT_LABEL_NAMES): AlertSeverity {
  return alertLabelFacts(labels, names).severity ?? 'warning';
}

/**
 * The dedup key (alert stream) of a group: its `groupKey`, unique per route and group labels. A group
 * key longer than the 255-character dedup-key limit (long label values) becomes `sha256:<hex>` of it.
 */
export function dedupKeyOfGroup(groupKey: string): string {
  if ([...groupKey].length <= ALERT_LIMITS.dedupKeyMax) return groupKey;
  return `sha256:${createHash('sha256').update(groupKey, 'utf8').digest('hex')}`;
}

function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/** The incident title of an alert: `annotations.summary`, else the group's common summary, else `alertname`. */
function summaryOf(alert: AlertmanagerAlert, group: AlertmanagerWebhook): string {
  const candidates = [alert.annotations.summary, group.commonAnnotations.summary, alert.labels.alertname, group.groupLabels.alertname, group.groupKey];
  const summary = candidates.find((c): c is string => typeof c === 'string' && c.trim() !== '') ?? 'Alertmanager alert';
  return clip(summary.trim(), ALERT_LIMITS.summaryMax);
}

function detailsOf(alert: AlertmanagerAlert, group: AlertmanagerWebhook, names: AlertLabelNames): AlertDetails {
  const source = [alert.labels.instance, alert.labels.job, group.receiver].find((c) => c !== undefined && c.trim() !== '') ?? 'Alertmanager';
  const links = [
    ...(alert.generatorURL.trim() !== '' ? [{ href: alert.generatorURL, text: 'Source (generatorURL)' }] : []),
    ...(group.externalURL.trim() !== '' ? [{ href: group.externalURL, text: 'Alertmanager' }] : []),
  ];
  return {
    summary: summaryOf(alert, group),
    source: clip(source, ALERT_LIMITS.textMax),
    severity: alertSeverityOfLabels(alert.labels, names),
    service: alertLabelFacts(alert.labels, names).service ?? alertLabelFacts(group.commonLabels, names).service,
    timestamp: alert.startsAt !== '' ? alert.startsAt : null,
    component: alert.labels.service ?? alert.labels.job ?? null,
    group: alert.labels.alertname ?? null,
    class: null,
    customDetails: { fingerprint: alert.fingerprint, labels: alert.labels, annotations: alert.annotations, groupLabels: group.groupLabels },
    links,
    images: [],
    client: 'Alertmanager',
    clientUrl: group.externalURL !== '' ? group.externalURL : null,
  };
}

/**
 * The alert commands of one Alertmanager delivery, one per `alerts[]` entry, on the group's stream
 * (dedup key = `groupKey`): `TriggerAlert` for a firing alert, `ResolveAlert` for a resolved one, each
 * naming its member by `fingerprint`. Time is the delivery's `received_at`, and the command id is
 * `<row id>:<index in alerts[]>`, so processing the row again appends nothing new; a re-send of the
 * same group state (a new row) decides nothing (no-op decisions).
 *
 * Firing alerts go first (in their listed order; the first one that opens an incarnation gives the
 * incident its title and severity), resolved ones after: resolving the last firing member before a
 * newly firing one joined would close the incarnation and open a second incident for one group.
 */
export function alertCommandsOfAlertmanager(
  delivery: AlertmanagerWebhook,
  row: AlertDeliveryRef,
  labels: AlertLabelNames = DEFAULT_ALERT_LABEL_NAMES,
): AlertCommand[] {
  const key = { integrationId: row.integrationId, dedupKey: dedupKeyOfGroup(delivery.groupKey) };
  const indexed = delivery.alerts.map((alert, index) => ({ alert, index }));
  const ordered = [...indexed.filter(({ alert }) => alert.status === 'firing'), ...indexed.filter(({ alert }) => alert.status !== 'firing')];
  return ordered.map(({ alert, index }): AlertCommand => {
    const metadata = { now: row.receivedAt, actor: integrationActor(row.integrationId), correlationId: row.id, commandId: `${row.id}:${index}` };
    if (alert.status === 'firing') {
      return { type: 'TriggerAlert', data: { ...key, ...detailsOf(alert, delivery, labels), fingerprint: alert.fingerprint }, metadata };
    }
    return { type: 'ResolveAlert', data: { ...key, summary: summaryOf(alert, delivery), fingerprint: alert.fingerprint }, metadata };
  });
}
