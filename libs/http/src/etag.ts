import { ValidationError } from '@fireline/errors';

/** Strong ETag of a stream version: version 7 -> `"7"`. */
export function etagOf(version: number): string {
  return `"${version}"`;
}

/**
 * Parses `If-Match` into the expected stream version. Accepts `"7"`, `W/"7"` and bare `7`;
 * absent or `*` -> undefined (no precondition).
 * @throws ValidationError `REQUEST.INVALID_IF_MATCH` for anything else (e.g. a list of tags).
 */
export function parseIfMatch(header: string | string[] | undefined): number | undefined {
  if (header === undefined) return undefined;
  const value = (Array.isArray(header) ? header.join(',') : header).trim();
  if (value === '*' || value === '') return undefined;
  const match = /^(?:W\/)?"?(\d{1,15})"?$/.exec(value);
  if (!match) {
    throw new ValidationError('REQUEST.INVALID_IF_MATCH', 'If-Match must be one ETag returned by this API, e.g. "3"', [
      { field: 'If-Match', message: 'expected a single ETag such as "3"' },
    ]);
  }
  return Number(match[1]);
}
