import { ValidationError, type FieldError } from '@fireline/errors';

/**
 * Stable error codes of the alert domain:
 * - `ALERT.INVALID` (ValidationError): command data is malformed; `fieldErrors` lists each field.
 */
export const ALERT_ERROR_CODES = { invalid: 'ALERT.INVALID' } as const;

/** `ALERT.INVALID`: one entry per bad field. */
export function invalidAlertCommand(fieldErrors: FieldError[]): ValidationError {
  return new ValidationError(ALERT_ERROR_CODES.invalid, `Invalid alert command: ${fieldErrors.map((e) => e.field).join(', ')}`, fieldErrors);
}
