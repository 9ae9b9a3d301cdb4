import { ValidationPipe, type ArgumentMetadata, type Type, type ValidationError as ClassValidatorError } from '@nestjs/common';
import { ValidationError, type FieldError } from '@fireline/errors';
import { getMetadataStorage, ValidateIf, ValidationTypes } from 'class-validator';
import { findUnstorableText } from './unstorable-text';

function flatten(errors: ClassValidatorError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/** Keys that name the prototype chain: Nest deletes them silently; we refuse them like any other unknown field. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
/** Field errors reported at most per request. */
const MAX_FIELD_ERRORS = 100;

/** Paths of prototype keys at any depth; iterative (a deeply nested value cannot overflow the stack), at most 100. */
export function prototypeKeysOf(value: unknown): string[] {
  const found: string[] = [];
  const stack: [unknown, string][] = [[value, '']];
  while (stack.length > 0 && found.length < MAX_FIELD_ERRORS) {
    const [current, parent] = stack.pop()!;
    if (current === null || typeof current !== 'object') continue;
    for (const key of Object.keys(current)) {
      const field = parent ? `${parent}.${key}` : key;
      if (PROTOTYPE_KEYS.has(key)) found.push(field);
      stack.push([(current as Record<string, unknown>)[key], field]);
    }
  }
  return found;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * Members a DTO validates as nested objects (`@ValidateNested()`) that hold something else: a string,
 * a number, an array where an object belongs, or a `null`/non-object inside an array of objects
 * (`"channel": [null]`). class-transformer would turn those into DTO instances first, and some shapes
 * crash it (a discriminated `@Type` reads `null.type`), so they are refused before it runs. Recurses
 * into nested DTOs whose class TypeScript recorded (`design:type`); iterative.
 */
export function wrongContainerTypes(metatype: Type<unknown>, value: unknown): FieldError[] {
  const errors: FieldError[] = [];
  const stack: [Type<unknown>, unknown, string][] = [[metatype, value, '']];
  while (stack.length > 0 && errors.length < MAX_FIELD_ERRORS) {
    const [type, current, parent] = stack.pop()!;
    if (!isPlainObject(current)) continue;
    const nested = getMetadataStorage()
      .getTargetValidationMetadatas(type, '', true, false)
      .filter((m) => m.type === ValidationTypes.NESTED_VALIDATION);
    for (const { propertyName, each } of nested) {
      const member = current[propertyName];
      const field = parent ? `${parent}.${propertyName}` : propertyName;
      if (member === undefined || member === null) continue; // absent: @IsDefined / @IsOptional decide
      if (each) {
        if (!Array.isArray(member)) errors.push({ field, message: `${field} must be an array of objects` });
        else member.forEach((item, i) => !isPlainObject(item) && errors.push({ field: `${field}.${i}`, message: `${field}.${i} must be an object` }));
        continue;
      }
      if (!isPlainObject(member)) {
        errors.push({ field, message: `${field} must be an object` });
        continue;
      }
      const declared: unknown = Reflect.getMetadata('design:type', type.prototype as object, propertyName);
      if (typeof declared === 'function' && declared !== Object && declared !== Array) stack.push([declared as Type<unknown>, member, field]);
    }
  }
  return errors;
}

const refuse = (fields: FieldError[]): ValidationError => new ValidationError('REQUEST.INVALID', 'The request is not valid', fields);

/**
 * Nest's `ValidationPipe` plus the refusals it does not make, before class-transformer runs:
 * - a JSON `null` body (Nest validates it as `{}`, so an all-optional DTO such as a PATCH would accept it);
 * - prototype keys (`__proto__`, `constructor`, `prototype`, which Nest strips without telling);
 * - text PostgreSQL cannot store (NUL, lone surrogates: `findUnstorableText`) in a DTO body, a DTO
 *   query string or a path parameter, each offending field named;
 * - a wrong container type for a nested DTO (`wrongContainerTypes`).
 * Bodies taken as `unknown` (the alert receivers, which store such text safely instead) are not checked.
 */
class FirelineValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' || metadata.type === 'query') {
      if (metadata.type === 'body' && value === null) {
        throw refuse([{ field: 'body', message: 'must be a JSON object, not null' }]);
      }
      const forbidden = prototypeKeysOf(value);
      if (forbidden.length > 0) throw refuse(forbidden.map((field) => ({ field, message: `property ${field} should not exist` })));
    }
    const dto = this.toValidate(metadata) ? metadata.metatype : undefined;
    if (dto !== undefined || metadata.type === 'param') {
      const unstorable = findUnstorableText(value).map((path) => (metadata.type === 'param' ? metadata.data ?? 'param' : path || metadata.type));
      if (unstorable.length > 0) {
        throw refuse(unstorable.map((field) => ({ field, message: `${field} must not contain NUL characters or unpaired UTF-16 surrogates` })));
      }
    }
    if (dto !== undefined && (metadata.type === 'body' || metadata.type === 'query')) {
      const wrong = wrongContainerTypes(dto, value);
      if (wrong.length > 0) throw refuse(wrong);
    }
    return super.transform(value, metadata);
  }
}

/**
 * The global DTO validation: unknown fields are rejected (`forbidNonWhitelisted`, prototype keys
 * included), a `null` body, unstorable text and wrong container types are refused (see
 * `FirelineValidationPipe`), payloads are turned into DTO instances, and failures become one
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

/**
 * For optional fields where `null` is not a value (e.g. of a PATCH, where absent means "leave as is"):
 * the field's validators run unless it is absent, so `null` fails them. Use instead of `@IsOptional()`,
 * which lets `null` through; keep `@IsOptional()` for fields documented as nullable.
 */
export const IsAbsentOrDefined = (): PropertyDecorator => ValidateIf((_object: object, value: unknown) => value !== undefined);
