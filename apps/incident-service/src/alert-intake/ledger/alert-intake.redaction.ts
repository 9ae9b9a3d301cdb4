import { isSecretLikeName, maskedSecret } from '@fireline/secrets';

/** What the ledger shows instead of a credential header's value: that it was sent, never what it was. */
export const REDACTED = '[redacted]';

/** The most of a body the ledger shows (characters); the whole body is kept encrypted for processing. */
export const DISPLAY_BODY_MAX_CHARS = 65_536;

/**
 * Header names that carry credentials, by the words in them: `Authorization`, `Proxy-Authorization`,
 * `Cookie`, `X-Api-Key`, `X-Auth-Token`, `X-PagerDuty-Signature`, `X-Hub-Signature-256`, `X-Amz-Security-Token`,
 * `X-Session-Id`… (any name containing token, secret, key, password, passwd, signature, auth, cookie,
 * session or credential). Broad on purpose: a header the ledger hides costs a reader little.
 */
const CREDENTIAL_HEADER = /token|secret|key|passw(or)?d|signature|auth|cookie|session|credential/i;

/** `scheme://user:password@host` -> `scheme://…@host`, anywhere in a string. */
function withoutUrlCredentials(value: string): string {
  // Most values hold no URL: skip the pattern for them.
  return value.includes('://') ? value.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/\s@]+@/gi, '$1…@') : value;
}

/**
 * The request headers as the ledger stores them: lower-case names; a credential header (see
 * `CREDENTIAL_HEADER`) kept as `[redacted]`, so a reader can tell it was sent (did Alertmanager send its
 * token? did PagerDuty sign?) without it being stored; credentials inside URLs in other headers masked.
 */
export function redactedHeaders(headers: Record<string, string | string[] | undefined>): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const [rawName, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const name = rawName.toLowerCase();
    if (CREDENTIAL_HEADER.test(name)) kept[name] = REDACTED;
    else kept[name] = Array.isArray(value) ? value.map(withoutUrlCredentials) : withoutUrlCredentials(value);
  }
  return kept;
}

/** A JSON value with every member under a secret-looking name masked, and credentials in URLs removed. */
function redactValue(value: unknown, secretName: boolean): unknown {
  if (secretName) {
    if (typeof value === 'string') return maskedSecret(value);
    return value === null ? null : REDACTED;
  }
  if (typeof value === 'string') return withoutUrlCredentials(value);
  if (Array.isArray(value)) return value.map((item) => redactValue(item, false));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([name, member]) => [name, redactValue(member, isSecretLikeName(name))]));
  }
  return value;
}

/** `name=value`, `name: value` and `"name": "value"` pairs with secret-looking names, in text that is not JSON. */
const SECRET_PAIR = /("?)([A-Za-z0-9_.-]+)\1(\s*[:=]\s*)("?)([^"&\s,;}]+)\4/g;

/**
 * A delivery's body as the ledger shows it: for JSON, the same document with the value of every member
 * whose name looks secret (`routing_key`, `token`, `password`, `client_secret`, `apiKey`, `signature`…,
 * see `isSecretLikeName`) shown as `…` + its last 4 characters, and `user:password@` removed from URLs
 * anywhere; other text gets the same masking by pattern. At most `DISPLAY_BODY_MAX_CHARS`.
 * For display only: processing reads the encrypted original, so a false positive here changes nothing.
 */
export function redactedBodyForDisplay(rawBody: string): string {
  let shown: string;
  try {
    shown = JSON.stringify(redactValue(JSON.parse(rawBody) as unknown, false));
  } catch {
    shown = withoutUrlCredentials(rawBody).replace(SECRET_PAIR, (pair, q1: string, name: string, separator: string, q2: string, value: string) =>
      isSecretLikeName(name) ? `${q1}${name}${q1}${separator}${q2}${maskedSecret(value)}${q2}` : pair,
    );
  }
  return shown.length > DISPLAY_BODY_MAX_CHARS ? `${shown.slice(0, DISPLAY_BODY_MAX_CHARS)}…` : shown;
}
