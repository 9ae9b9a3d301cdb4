import { IANAZone } from 'luxon';

/**
 * Component statuses of Atlassian Statuspage (public API v2 `components[].status`), listed from the least
 * to the most severe: the order decides which status wins when several sources (the status set by hand,
 * open incidents' impacts, running maintenance) apply to one component.
 */
export const COMPONENT_STATUSES = ['operational', 'under_maintenance', 'degraded_performance', 'partial_outage', 'major_outage'] as const;
export type ComponentStatus = (typeof COMPONENT_STATUSES)[number];

/** Statuspage's public incident statuses (`incidents[].status`), without `postmortem`. */
export const PUBLIC_INCIDENT_STATUSES = ['investigating', 'identified', 'monitoring', 'resolved'] as const;
export type PublicIncidentStatus = (typeof PUBLIC_INCIDENT_STATUSES)[number];

/** Statuspage's scheduled-maintenance lifecycle, in order. */
export const MAINTENANCE_STATUSES = ['scheduled', 'in_progress', 'verifying', 'completed'] as const;
export type MaintenanceStatus = (typeof MAINTENANCE_STATUSES)[number];

/** Statuspage's page `status.indicator` and incident `impact`, least to most severe. */
export const STATUS_INDICATORS = ['none', 'minor', 'major', 'critical'] as const;
export type StatusIndicator = (typeof STATUS_INDICATORS)[number];

/** Size limits of status-page data, in characters (Unicode code points) or entries. */
export const STATUS_PAGE_LIMITS = {
  idMax: 200,
  slugMax: 63,
  nameMax: 100,
  descriptionMax: 1_000,
  urlMax: 500,
  timeZoneMax: 64,
  groupsMax: 20,
  componentsMax: 100,
  bodyMax: 10_000,
  maintenanceNameMax: 200,
  /** Longest maintenance window, days. */
  maintenanceMaxDays: 30,
  /** How far ahead a maintenance can be scheduled, days. */
  scheduleAheadMaxDays: 366,
} as const;

/** A slug: 1..63 lower-case letters, digits and inner hyphens (a DNS label), e.g. `checkout-eu`. */
export const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** True for an IANA time zone name the runtime knows (`Europe/Berlin`, `UTC`); offsets like `+01:00` are refused. */
export function isValidTimeZone(value: string): boolean {
  return value.length <= STATUS_PAGE_LIMITS.timeZoneMax && /^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(value) && IANAZone.isValidZone(value);
}

/** Severity rank of a component status (its index in `COMPONENT_STATUSES`). */
export const COMPONENT_STATUS_RANK: Readonly<Record<ComponentStatus, number>> = Object.freeze({
  operational: 0,
  under_maintenance: 1,
  degraded_performance: 2,
  partial_outage: 3,
  major_outage: 4,
});

/** The most severe of `statuses` (`operational` for none). */
export function worstComponentStatus(statuses: Iterable<ComponentStatus>): ComponentStatus {
  let worst: ComponentStatus = 'operational';
  for (const status of statuses) if (COMPONENT_STATUS_RANK[status] > COMPONENT_STATUS_RANK[worst]) worst = status;
  return worst;
}

/** An ISO-8601 date-time with a zone (`Z` or `±hh:mm`), e.g. `2026-03-01T22:00:00Z`. */
export const ISO_INSTANT_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Statuspage's incident `impact` / page `indicator` for a component status: major outage → critical,
 * partial outage → major, degraded performance → minor, operational or under maintenance → none.
 */
export function indicatorOf(status: ComponentStatus): StatusIndicator {
  switch (status) {
    case 'major_outage':
      return 'critical';
    case 'partial_outage':
      return 'major';
    case 'degraded_performance':
      return 'minor';
    case 'under_maintenance':
    case 'operational':
      return 'none';
    default: {
      const _never: never = status;
      return _never;
    }
  }
}

/**
 * The page's `status` object (Statuspage `status.json`), from its components' statuses (the worst wins).
 * Under maintenance keeps indicator `none` (the issue's four values) with Statuspage's description.
 */
export function pageStatusOf(statuses: Iterable<ComponentStatus>): { indicator: StatusIndicator; description: string } {
  const worst = worstComponentStatus(statuses);
  const description: Record<ComponentStatus, string> = {
    operational: 'All Systems Operational',
    under_maintenance: 'Service Under Maintenance',
    degraded_performance: 'Partially Degraded Service',
    partial_outage: 'Partial System Outage',
    major_outage: 'Major System Outage',
  };
  return { indicator: indicatorOf(worst), description: description[worst] };
}

/** Human label of a component status, e.g. `Partial outage`. */
export const COMPONENT_STATUS_LABELS: Record<ComponentStatus, string> = {
  operational: 'Operational',
  under_maintenance: 'Under maintenance',
  degraded_performance: 'Degraded performance',
  partial_outage: 'Partial outage',
  major_outage: 'Major outage',
};
