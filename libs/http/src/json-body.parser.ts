import { ValidationError } from '@fireline/errors';
import { parse as secureJsonParse } from 'secure-json-parse';

/**
 * The deepest JSON Fireline accepts: 32 nested objects/arrays (`{}` is depth 1). Our own bodies
 * nest 3 levels at most; Alertmanager's and PagerDuty's 4–6; PagerDuty Events v2 `custom_details` is
 * free-form, and 32 leaves room for anything a monitoring tool sends, while recursion anywhere
 * downstream (validation, class-transformer, `JSON.stringify`) stays far from the stack limit.
 */
export const MAX_JSON_DEPTH = 32;

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Whether JSON text nests objects/arrays deeper than `maxDepth`, by one pass over the characters
 * (strings skipped, escapes honoured), before anything is parsed or allocated.
 */
export function jsonNestsDeeperThan(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > maxDepth) return true;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
  }
  return false;
}

/**
 * Parses a JSON request body the way every Fireline route (alert receivers included) receives it:
 * - empty (or whitespace) → `ValidationError` `REQUEST.EMPTY_JSON_BODY`;
 * - nested deeper than `maxDepth` (default `MAX_JSON_DEPTH`) → `REQUEST.TOO_DEEPLY_NESTED`, checked
 *   before parsing, without recursion;
 * - not JSON → `REQUEST.MALFORMED_JSON`;
 * - a `__proto__` key or a `constructor.prototype` pair anywhere → `REQUEST.INVALID` (prototype
 *   poisoning; `secure-json-parse`, the parser Fastify itself uses, finds them).
 * @returns the parsed value (any JSON value: the DTO validation decides what a route takes).
 * @throws ValidationError with the codes above (HTTP 400).
 */
export function parseJsonBody(text: string, maxDepth = MAX_JSON_DEPTH): unknown {
  if (text.trim() === '') {
    throw new ValidationError('REQUEST.EMPTY_JSON_BODY', 'The body is empty but its content type is application/json', [{ field: 'body', message: 'must not be empty' }]);
  }
  if (jsonNestsDeeperThan(text, maxDepth)) {
    throw new ValidationError('REQUEST.TOO_DEEPLY_NESTED', `JSON nested deeper than ${maxDepth} levels is not accepted`, [
      { field: 'body', message: `must not nest objects or arrays deeper than ${maxDepth} levels` },
    ]);
  }
  try {
    return secureJsonParse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
  } catch (error: unknown) {
    const message = error instanceof Error ? error.message : String(error);
    if (/forbidden prototype property/i.test(message)) {
      throw new ValidationError('REQUEST.INVALID', 'The request is not valid', [
        { field: 'body', message: 'must not contain a __proto__ key or a constructor.prototype key' },
      ]);
    }
    throw new ValidationError('REQUEST.MALFORMED_JSON', `The body is not valid JSON: ${message}`, [{ field: 'body', message: 'is not valid JSON' }]);
  }
}
