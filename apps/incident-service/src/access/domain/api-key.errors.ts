import { IllegalStateError, NotFoundError, ValidationError, type FieldError } from '@fireline/errors';

/**
 * Stable error codes of API keys:
 * - `API_KEY.INVALID` (ValidationError): bad name, scopes or expiry; `fieldErrors` lists each field.
 * - `API_KEY.NOT_FOUND` (NotFoundError): no key with that id.
 * - `API_KEY.ALREADY_ISSUED` (IllegalStateError): a key id that exists (a generated id repeated).
 */
export const API_KEY_ERROR_CODES = {
  invalid: 'API_KEY.INVALID',
  notFound: 'API_KEY.NOT_FOUND',
  alreadyIssued: 'API_KEY.ALREADY_ISSUED',
} as const;

export function invalidApiKey(fieldErrors: FieldError[]): ValidationError {
  return new ValidationError(API_KEY_ERROR_CODES.invalid, `Invalid API key request: ${fieldErrors.map((e) => e.field).join(', ')}`, fieldErrors);
}

export function apiKeyNotFound(keyId: string): NotFoundError {
  return new NotFoundError(API_KEY_ERROR_CODES.notFound, `API key ${keyId} does not exist`, { keyId });
}

export function apiKeyAlreadyIssued(keyId: string): IllegalStateError {
  return new IllegalStateError(API_KEY_ERROR_CODES.alreadyIssued, `API key ${keyId} already exists`, { keyId });
}
