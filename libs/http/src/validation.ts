import { ValidationPipe, type ArgumentMetadata, type ValidationError as ClassValidatorError } from '@nestjs/common';
import { ValidationError, type FieldError } from '@fireline/errors';

function flatten(errors: ClassValidatorError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/** Keys that name the prototype chain: Nest deletes them silently; we refuse them like any other unknown field. */
const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype'];

function prototypeKeysOf(value: unknown, parent = ''): string[] {
  if (value === null || typeof value !== 'object') return [];
  return Object.keys(value).flatMap((key) => {
    const field = parent ? `${parent}.${key}` : key;
    const own = PROTOTYPE_KEYS.includes(key) ? [field] : [];
    return [...own, ...prototypeKeysOf((value as Record<string, unknown>)[key], field)];
  });
}

/**
 * Nest's `ValidationPipe` plus two refusals it does not make: a JSON `null` body (Nest validates it as
 * `{}`, so an all-optional DTO such as a PATCH would accept it) and prototype keys (`__proto__`,
 * `constructor`, `prototype`, which Nest strips without telling, e.g. from a query string).
 */
class FirelineValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' || metadata.type === 'query') {
      if (metadata.type === 'body' && value === null) {
        throw new ValidationError('REQUEST.INVALID', 'The request body must be a JSON object', [{ field: 'body', message: 'must be a JSON object, not null' }]);
      }
      const forbidden = prototypeKeysOf(value);
      if (forbidden.length > 0) {
        throw new ValidationError(
          'REQUEST.INVALID',
          'The request is not valid',
          forbidden.map((field) => ({ field, message: `property ${field} should not exist` })),
        );
      }
    }
    return super.transform(value, metadata);
  }
}

/**
 * The global DTO validation: unknown fields are rejected (`forbidNonWhitelisted`, prototype keys
 * included), a `null` body is refused, payloads are turned into DTO instances, and failures become one
 * `ValidationError` (`REQUEST.INVALID`, 400) listing every field error as `{ field: 'a.b', message }`.
 */
export function createValidationPipe(): ValidationPipe {
  return new FirelineValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new ValidationError('REQUEST.INVALID', 'The request is not valid', flatten(errors)),
  });
}
