/** Injection tokens private to incident-service (unique symbols: the platform composes several services). */
export const INCIDENT_PG_POOL = Symbol('INCIDENT_PG_POOL');
export const INCIDENT_EVENT_STORE = Symbol('INCIDENT_EVENT_STORE');
export const INCIDENT_DATA_SOURCE = 'incident';
/** The `SecretBox` sealing PagerDuty signing secrets and recorded delivery bodies at rest. */
export const INCIDENT_SECRET_BOX = Symbol('INCIDENT_SECRET_BOX');
