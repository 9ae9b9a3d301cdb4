import { IllegalStateError, NotFoundError, ValidationError, type FieldError } from '@fireline/errors';

/**
 * Stable error codes of status pages (never change a code's meaning):
 * - `STATUS_PAGE.INVALID` (ValidationError): malformed command data, `fieldErrors` per field;
 * - `STATUS_PAGE.NOT_FOUND` (NotFoundError): no page with that id or slug (at that time, for `?at=`);
 * - `STATUS_PAGE.SLUG_TAKEN` (IllegalStateError): a page with that slug exists;
 * - `STATUS_PAGE.COMPONENT_NOT_FOUND`, `STATUS_PAGE.GROUP_NOT_FOUND`, `STATUS_PAGE.MAINTENANCE_NOT_FOUND`,
 *   `STATUS_PAGE.INCIDENT_NOT_PUBLISHED` (NotFoundError);
 * - `STATUS_PAGE.INCIDENT_ALREADY_PUBLISHED` (IllegalStateError): change it instead;
 * - `STATUS_PAGE.LIMIT_REACHED` (IllegalStateError): too many components or groups;
 * - `STATUS_PAGE.ILLEGAL_MAINTENANCE_TRANSITION` (IllegalStateError): a backward maintenance move;
 * - `STATUS_PAGE.HISTORY_TOO_LONG` (IllegalStateError): `?at=` would replay more events than allowed.
 */
export const STATUS_PAGE_ERROR_CODES = {
  invalid: 'STATUS_PAGE.INVALID',
  notFound: 'STATUS_PAGE.NOT_FOUND',
  slugTaken: 'STATUS_PAGE.SLUG_TAKEN',
  componentNotFound: 'STATUS_PAGE.COMPONENT_NOT_FOUND',
  groupNotFound: 'STATUS_PAGE.GROUP_NOT_FOUND',
  maintenanceNotFound: 'STATUS_PAGE.MAINTENANCE_NOT_FOUND',
  incidentNotPublished: 'STATUS_PAGE.INCIDENT_NOT_PUBLISHED',
  incidentAlreadyPublished: 'STATUS_PAGE.INCIDENT_ALREADY_PUBLISHED',
  limitReached: 'STATUS_PAGE.LIMIT_REACHED',
  illegalMaintenanceTransition: 'STATUS_PAGE.ILLEGAL_MAINTENANCE_TRANSITION',
  historyTooLong: 'STATUS_PAGE.HISTORY_TOO_LONG',
} as const;

export function invalidStatusPageCommand(fieldErrors: FieldError[]): ValidationError {
  return new ValidationError(STATUS_PAGE_ERROR_CODES.invalid, `Invalid status page command: ${fieldErrors.map((e) => e.field).join(', ')}`, fieldErrors);
}

export function statusPageNotFound(pageIdOrSlug: string): NotFoundError {
  return new NotFoundError(STATUS_PAGE_ERROR_CODES.notFound, `Status page ${pageIdOrSlug} does not exist`, { page: pageIdOrSlug });
}

export function slugTaken(slug: string): IllegalStateError {
  return new IllegalStateError(STATUS_PAGE_ERROR_CODES.slugTaken, `A status page with slug ${slug} exists`, { slug });
}

export function componentNotFound(componentId: string): NotFoundError {
  return new NotFoundError(STATUS_PAGE_ERROR_CODES.componentNotFound, `Component ${componentId} is not on this page`, { componentId });
}

export function groupNotFound(groupId: string): NotFoundError {
  return new NotFoundError(STATUS_PAGE_ERROR_CODES.groupNotFound, `Component group ${groupId} is not on this page`, { groupId });
}

export function maintenanceNotFound(maintenanceId: string): NotFoundError {
  return new NotFoundError(STATUS_PAGE_ERROR_CODES.maintenanceNotFound, `Maintenance ${maintenanceId} is not on this page`, { maintenanceId });
}

export function incidentNotPublished(incidentId: string): NotFoundError {
  return new NotFoundError(STATUS_PAGE_ERROR_CODES.incidentNotPublished, `Incident ${incidentId} is not published on this page`, { incidentId });
}

export function incidentAlreadyPublished(incidentId: string): IllegalStateError {
  return new IllegalStateError(STATUS_PAGE_ERROR_CODES.incidentAlreadyPublished, `Incident ${incidentId} is already published on this page`, { incidentId });
}

export function limitReached(what: string, max: number): IllegalStateError {
  return new IllegalStateError(STATUS_PAGE_ERROR_CODES.limitReached, `A status page has at most ${max} ${what}`, { what, max });
}

export function illegalMaintenanceTransition(maintenanceId: string, from: string, to: string): IllegalStateError {
  return new IllegalStateError(STATUS_PAGE_ERROR_CODES.illegalMaintenanceTransition, `Maintenance ${maintenanceId} cannot move from ${from} to ${to}`, {
    maintenanceId,
    from,
    to,
  });
}

export function historyTooLong(events: number, max: number): IllegalStateError {
  return new IllegalStateError(STATUS_PAGE_ERROR_CODES.historyTooLong, `The page's history has ${events} events; at most ${max} are replayed`, { events, max });
}
