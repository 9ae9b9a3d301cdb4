/**
 * How bad an incident is: `SEV1` (most severe: full outage, all hands) … `SEV4` (minor, no customer
 * impact). Same values as the public `SeverityV1`.
 */
export const INCIDENT_SEVERITIES = ['SEV1', 'SEV2', 'SEV3', 'SEV4'] as const;
export type Severity = (typeof INCIDENT_SEVERITIES)[number];

/**
 * The lifecycle, in order: `detected → investigating → identified → mitigating → resolved → closed`.
 * The first four are the open statuses ({@link OPEN_INCIDENT_STATUSES}).
 */
export const INCIDENT_STATUSES = ['detected', 'investigating', 'identified', 'mitigating', 'resolved', 'closed'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

/** The statuses in which work is still going on, in lifecycle order. */
export const OPEN_INCIDENT_STATUSES = ['detected', 'investigating', 'identified', 'mitigating'] as const;
export type OpenIncidentStatus = (typeof OPEN_INCIDENT_STATUSES)[number];

/** The roles someone can hold on an incident; each is held by at most one person. */
export const INCIDENT_ROLES = ['incident_commander', 'technical_lead', 'communications_lead'] as const;
export type IncidentRole = (typeof INCIDENT_ROLES)[number];

/** Who a status update is written for: responders and stakeholders (`internal`) or customers (`external`). */
export const STATUS_UPDATE_AUDIENCES = ['internal', 'external'] as const;
export type StatusUpdateAudience = (typeof STATUS_UPDATE_AUDIENCES)[number];

/** True for `detected`, `investigating`, `identified` and `mitigating`. */
export function isOpenIncidentStatus(status: IncidentStatus): status is OpenIncidentStatus {
  return (OPEN_INCIDENT_STATUSES as readonly IncidentStatus[]).includes(status);
}

/**
 * The public statuses an external update may set by hand on status pages (Statuspage's incident statuses
 * but `resolved`, which only resolving the incident sets).
 */
export const PUBLIC_STATUS_OVERRIDES = ['investigating', 'identified', 'monitoring'] as const;
export type PublicStatusOverride = (typeof PUBLIC_STATUS_OVERRIDES)[number];
