import type { PipeTransform } from '@nestjs/common';
import { ValidationError } from '@fireline/errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A path parameter that must be a UUID (any version: ids derived from an `Idempotency-Key` are
 * name-based). Anything else is a 400 `REQUEST.INVALID_ID` naming the parameter, never a lookup.
 * Returns the id in lower case. Usage: `@Param('id', uuidParam('id')) id: string`.
 */
export function uuidParam(name = 'id'): PipeTransform<string, string> {
  return {
    transform(value: string): string {
      if (!UUID.test(value)) {
        throw new ValidationError('REQUEST.INVALID_ID', `${name} must be a UUID`, [{ field: name, message: 'must be a UUID' }]);
      }
      return value.toLowerCase();
    },
  };
}
