/**
 * Text PostgreSQL cannot store: NUL (U+0000), which neither `text` nor `jsonb` holds (`jsonb` also
 * refuses the `\u0000` escape), and UTF-16 surrogates without their pair, which `jsonb` refuses as
 * escapes and `text` receives as U+FFFD (the driver encodes them so), silently changing the value.
 * JSON allows both (RFC 8259 §7), so any JSON body may carry them.
 *
 * Two policies, one pair of functions:
 * - the management API refuses such input (`findUnstorableText` → 400 naming each field);
 * - alert receivers store it safely (`sanitizeUnstorableText`: each such character becomes U+FFFD,
 *   deterministically, so the same raw body always becomes the same alert).
 */
// eslint-disable-next-line no-control-regex -- NUL is exactly what this looks for
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** What each unstorable character becomes: U+FFFD REPLACEMENT CHARACTER. */
export const REPLACEMENT_CHARACTER = '\uFFFD';

/** Field paths reported at most (a hostile body could name thousands). */
const MAX_PATHS = 100;

function hasUnstorable(text: string): boolean {
  UNSTORABLE.lastIndex = 0;
  return UNSTORABLE.test(text);
}

function replaceUnstorable(text: string): string {
  return text.replace(UNSTORABLE, REPLACEMENT_CHARACTER);
}

function pathOf(parent: string, key: string): string {
  return parent === '' ? key : `${parent}.${key}`;
}

/**
 * The dotted paths (`payload.summary`, `services.0`; `''` for a string at the root) of every string
 * value or object key in `value` that holds NUL or a lone surrogate, at most 100, each once. A key is
 * reported under its own path, sanitized (`labels.team\uFFFD`), so that the path itself is storable.
 * Walks iteratively: no recursion, whatever the depth.
 */
export function findUnstorableText(value: unknown): string[] {
  const paths = new Set<string>();
  const stack: [unknown, string][] = [[value, '']];
  while (stack.length > 0 && paths.size < MAX_PATHS) {
    const [current, path] = stack.pop()!;
    if (typeof current === 'string') {
      if (hasUnstorable(current)) paths.add(path);
    } else if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--) stack.push([current[i], pathOf(path, String(i))]);
    } else if (current !== null && typeof current === 'object') {
      const entries = Object.entries(current as Record<string, unknown>);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, child] = entries[i]!;
        const childPath = pathOf(path, replaceUnstorable(key));
        if (hasUnstorable(key)) paths.add(childPath);
        stack.push([child, childPath]);
      }
    }
  }
  return [...paths].slice(0, MAX_PATHS);
}

/**
 * A copy of `value` (parsed JSON) in which every NUL and every lone surrogate of every string value
 * and object key is replaced with U+FFFD, and the paths where it happened (as `findUnstorableText`
 * names them). Deterministic: the same input always gives the same output. Two keys that sanitize to
 * the same key keep the later one's value, as `JSON.parse` does for duplicate keys. Iterative.
 */
export function sanitizeUnstorableText<T>(value: T): { value: T; fields: string[] } {
  const fields = findUnstorableText(value);
  if (fields.length === 0) return { value, fields };
  const root: { value: unknown } = { value: undefined };
  const stack: [unknown, (copy: unknown) => void][] = [[value, (copy) => (root.value = copy)]];
  while (stack.length > 0) {
    const [current, assign] = stack.pop()!;
    if (typeof current === 'string') assign(replaceUnstorable(current));
    else if (Array.isArray(current)) {
      const copy: unknown[] = new Array<unknown>(current.length);
      assign(copy);
      current.forEach((item, index) => stack.push([item, (c) => (copy[index] = c)]));
    } else if (current !== null && typeof current === 'object') {
      const copy: Record<string, unknown> = {};
      assign(copy);
      for (const [key, child] of Object.entries(current as Record<string, unknown>)) {
        const safeKey = replaceUnstorable(key);
        // Own data property even for `__proto__` (the parser refuses it anyway; never pollute a prototype).
        stack.push([child, (c) => Object.defineProperty(copy, safeKey, { value: c, enumerable: true, writable: true, configurable: true })]);
      }
    } else assign(current);
  }
  return { value: root.value as T, fields };
}
