/** Injection tokens of the postmortem service; symbols, so they cannot collide with other services in one process. */
export const POSTMORTEM_PG_POOL = Symbol('POSTMORTEM_PG_POOL');
export const POSTMORTEM_EVENT_STORE = Symbol('POSTMORTEM_EVENT_STORE');
export const POSTMORTEM_SERVICE_CONFIG = Symbol('POSTMORTEM_SERVICE_CONFIG');
