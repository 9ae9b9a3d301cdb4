import { Injectable, type PipeTransform } from '@nestjs/common';
import { ValidationError } from '@fireline/errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A path `{id}` that must be a UUID; anything else is a 400 `REQUEST.INVALID_ID` (not a 500 from pg). */
@Injectable()
export class UuidParamPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!UUID.test(value)) {
      throw new ValidationError('REQUEST.INVALID_ID', 'The id in the path must be a UUID', [{ field: 'id', message: 'must be a UUID' }]);
    }
    return value.toLowerCase();
  }
}
