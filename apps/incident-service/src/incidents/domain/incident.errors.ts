import { IllegalStateError, NotFoundError, ValidationError, type FieldError } from '@fireline/errors';
import type { IncidentStatus } from './incident.values';

/**
 * The stable error codes of the incident domain (never change a code's meaning; add new ones):
 * - `INCIDENT.INVALID` (ValidationError): command data is malformed; `fieldErrors` lists each field.
 * - `INCIDENT.RESOLVE_REQUIRES_SUMMARY` (ValidationError): `ChangeIncidentStatus` to `resolved`; use
 *   `ResolveIncident`, which carries the summary.
 * - `INCIDENT.NOT_FOUND` (NotFoundError): no incident with that id.
 * - `INCIDENT.ALREADY_DECLARED` (IllegalStateError): declaring an id that exists.
 * - `INCIDENT.ILLEGAL_TRANSITION` (IllegalStateError): a backward status move other than back to
 *   `investigating`; details `{ incidentId, from, to }`.
 * - `INCIDENT.ALREADY_RESOLVED` (IllegalStateError): resolving (or acknowledging) a resolved incident.
 * - `INCIDENT.NOT_RESOLVED` (IllegalStateError): closing or reopening an incident that is still open.
 * - `INCIDENT.ALREADY_CLOSED` (IllegalStateError): closing a closed incident.
 * - `INCIDENT.CLOSED` (IllegalStateError): any other change to a closed incident.
 */
export const INCIDENT_ERROR_CODES = {
  invalid: 'INCIDENT.INVALID',
  resolveRequiresSummary: 'INCIDENT.RESOLVE_REQUIRES_SUMMARY',
  notFound: 'INCIDENT.NOT_FOUND',
  alreadyDeclared: 'INCIDENT.ALREADY_DECLARED',
  illegalTransition: 'INCIDENT.ILLEGAL_TRANSITION',
  alreadyResolved: 'INCIDENT.ALREADY_RESOLVED',
  notResolved: 'INCIDENT.NOT_RESOLVED',
  alreadyClosed: 'INCIDENT.ALREADY_CLOSED',
  closed: 'INCIDENT.CLOSED',
} as const;

export type IncidentErrorCode = (typeof INCIDENT_ERROR_CODES)[keyof typeof INCIDENT_ERROR_CODES];

/** `INCIDENT.INVALID`: one entry per bad field (dotted path, e.g. `services[2]`). */
export function invalidIncidentCommand(fieldErrors: FieldError[]): ValidationError {
  const fields = fieldErrors.map((error) => error.field).join(', ');
  return new ValidationError(INCIDENT_ERROR_CODES.invalid, `Invalid incident command: ${fields}`, fieldErrors);
}

/** `INCIDENT.RESOLVE_REQUIRES_SUMMARY`: status `resolved` asked for without a summary. */
export function resolveRequiresSummary(): ValidationError {
  return new ValidationError(
    INCIDENT_ERROR_CODES.resolveRequiresSummary,
    'Resolving an incident requires a summary: use the resolve command instead of a status change',
    [{ field: 'status', message: 'must not be "resolved"; resolve the incident with a summary instead' }],
  );
}

/** `INCIDENT.NOT_FOUND`. */
export function incidentNotFound(incidentId: string): NotFoundError {
  return new NotFoundError(INCIDENT_ERROR_CODES.notFound, `Incident ${incidentId} does not exist`, { incidentId });
}

/** `INCIDENT.ALREADY_DECLARED`. */
export function incidentAlreadyDeclared(incidentId: string): IllegalStateError {
  return new IllegalStateError(INCIDENT_ERROR_CODES.alreadyDeclared, `Incident ${incidentId} is already declared`, { incidentId });
}

/** `INCIDENT.ILLEGAL_TRANSITION`, details `{ incidentId, from, to }`. */
export function illegalIncidentTransition(incidentId: string, from: IncidentStatus, to: IncidentStatus): IllegalStateError {
  return new IllegalStateError(
    INCIDENT_ERROR_CODES.illegalTransition,
    `Incident ${incidentId} cannot move from ${from} to ${to}`,
    { incidentId, from, to },
  );
}

/** `INCIDENT.ALREADY_RESOLVED`. */
export function incidentAlreadyResolved(incidentId: string): IllegalStateError {
  return new IllegalStateError(INCIDENT_ERROR_CODES.alreadyResolved, `Incident ${incidentId} is already resolved`, { incidentId });
}

/** `INCIDENT.NOT_RESOLVED`, details `{ incidentId, status }`. */
export function incidentNotResolved(incidentId: string, status: IncidentStatus): IllegalStateError {
  return new IllegalStateError(
    INCIDENT_ERROR_CODES.notResolved,
    `Incident ${incidentId} is ${status}, not resolved`,
    { incidentId, status },
  );
}

/** `INCIDENT.ALREADY_CLOSED`. */
export function incidentAlreadyClosed(incidentId: string): IllegalStateError {
  return new IllegalStateError(INCIDENT_ERROR_CODES.alreadyClosed, `Incident ${incidentId} is already closed`, { incidentId });
}

/** `INCIDENT.CLOSED`: a closed incident can only be read. */
export function incidentClosed(incidentId: string): IllegalStateError {
  return new IllegalStateError(INCIDENT_ERROR_CODES.closed, `Incident ${incidentId} is closed and can no longer change`, { incidentId });
}
