import { NotFoundError, ValidationError, type FieldError } from '@fireline/errors';

/**
 * Stable error codes of integrations:
 * - `INTEGRATION.NOT_FOUND` (NotFoundError): no such integration, or it was deleted.
 * - `INTEGRATION.INVALID` (ValidationError): the integration's settings do not fit its type.
 */
export const INTEGRATION_ERROR_CODES = { notFound: 'INTEGRATION.NOT_FOUND', invalid: 'INTEGRATION.INVALID' } as const;

export function integrationNotFound(integrationId: string): NotFoundError {
  return new NotFoundError(INTEGRATION_ERROR_CODES.notFound, `Integration ${integrationId} does not exist`, { integrationId });
}

export function invalidIntegration(fieldErrors: FieldError[]): ValidationError {
  return new ValidationError(INTEGRATION_ERROR_CODES.invalid, `Invalid integration: ${fieldErrors.map((e) => e.field).join(', ')}`, fieldErrors);
}
