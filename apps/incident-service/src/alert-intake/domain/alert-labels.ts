import { ALERT_SEVERITIES, type AlertSeverity } from './alert.values';

/**
 * Which alert labels carry the service and the severity (configured: `ALERT_SERVICE_LABELS`,
 * `ALERT_SEVERITY_LABELS`; the first label present wins).
 */
export interface AlertLabelNames {
  service: readonly string[];
  severity: readonly string[];
}

/** Prometheus' conventional names: `service`, `severity`. */
export const DEFAULT_ALERT_LABEL_NAMES: Readonly<AlertLabelNames> = Object.freeze({ service: ['service'], severity: ['severity'] });

/** What an alert's labels say about routing: `null` when no configured label is present (or it is blank). */
export interface AlertLabelFacts {
  service: string | null;
  severity: AlertSeverity | null;
}

function firstLabel(labels: Readonly<Record<string, string>>, names: readonly string[]): string | null {
  for (const name of names) {
    const value = labels[name];
    if (typeof value === 'string' && value.trim() !== '') return value.trim();
  }
  return null;
}

/**
 * The alert severity a label value names, case-insensitive: `critical`, `error`, `warning`, `info`
 * (PagerDuty's four, which Prometheus rules conventionally use); anything else is `null`.
 */
export function alertSeverityOfLabelValue(value: string | null): AlertSeverity | null {
  const normalized = (value ?? '').trim().toLowerCase();
  return (ALERT_SEVERITIES as readonly string[]).includes(normalized) ? (normalized as AlertSeverity) : null;
}

/** The more severe of two (`critical` > `error` > `warning` > `info`). */
export function higherAlertSeverity(a: AlertSeverity, b: AlertSeverity): AlertSeverity {
  return ALERT_SEVERITIES.indexOf(a) <= ALERT_SEVERITIES.indexOf(b) ? a : b;
}

/** The service and severity of one label set, by the configured label names. */
export function alertLabelFacts(labels: Readonly<Record<string, string>>, names: AlertLabelNames): AlertLabelFacts {
  return { service: firstLabel(labels, names.service), severity: alertSeverityOfLabelValue(firstLabel(labels, names.severity)) };
}

/**
 * The facts of several alerts sent as one (an Alertmanager group): the most severe severity any of
 * them names, and the first service named (in the order given).
 */
export function groupLabelFacts(labelSets: readonly Readonly<Record<string, string>>[], names: AlertLabelNames): AlertLabelFacts {
  let service: string | null = null;
  let severity: AlertSeverity | null = null;
  for (const labels of labelSets) {
    const facts = alertLabelFacts(labels, names);
    service ??= facts.service;
    if (facts.severity !== null) severity = severity === null ? facts.severity : higherAlertSeverity(severity, facts.severity);
  }
  return { service, severity };
}

/**
 * The label sets of Alertmanager's default `pagerduty_configs` details text (`custom_details.firing`,
 * rendered by the `pagerduty.default.instances` template of Alertmanager 0.25: per alert a `Labels:`
 * line, then ` - name = value` lines, then `Annotations:` and `Source:`). Lines that do not match are
 * skipped; a text without `Labels:` gives no sets.
 */
export function labelSetsOfAlertmanagerText(text: string): Record<string, string>[] {
  const sets: Record<string, string>[] = [];
  let current: Record<string, string> | null = null;
  for (const line of text.split('\n')) {
    if (line.trim() === 'Labels:') {
      current = {};
      sets.push(current);
      continue;
    }
    if (/^\S/.test(line)) {
      current = null; // `Annotations:`, `Source: …`
      continue;
    }
    const match = /^ - ([^=]+?) = (.*)$/.exec(line);
    if (current !== null && match) current[match[1].trim()] = match[2];
  }
  return sets;
}
