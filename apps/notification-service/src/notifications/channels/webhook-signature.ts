import { createHmac, randomBytes as nodeRandomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Fireline webhook signatures (the scheme Stripe and Svix use). Every webhook request carries:
 *
 * - `Fireline-Delivery-Id: <uuid>`: the same on every retry of one delivery; receivers dedupe on it.
 * - `Fireline-Timestamp: <unix seconds>`: when this attempt was signed (integer seconds since the epoch).
 * - `Fireline-Signature: v1=<hex>`: lower-case hex HMAC-SHA256 keyed with the rule's secret (its UTF-8
 *   bytes) over `${timestamp}.${rawBody}`, where rawBody is exactly the request body bytes. Receivers
 *   must verify against the raw bytes, before any JSON parsing. Several comma-separated `v1=` values
 *   may appear (reserved for secret rotation); one matching is enough.
 */
export const FIRELINE_HEADERS = {
  deliveryId: 'Fireline-Delivery-Id',
  timestamp: 'Fireline-Timestamp',
  signature: 'Fireline-Signature',
} as const;

const SCHEME = 'v1';

function bytesOf(body: string | Uint8Array): Buffer {
  return typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body);
}

/** The hex HMAC-SHA256 of `${timestampS}.${rawBody}` under `secret`. */
export function computeFirelineSignature(secret: string, timestampS: number, rawBody: string | Uint8Array): string {
  return createHmac('sha256', Buffer.from(secret, 'utf8'))
    .update(Buffer.from(`${timestampS}.`, 'utf8'))
    .update(bytesOf(rawBody))
    .digest('hex');
}

/**
 * The three Fireline headers for one attempt. `now` is the attempt's clock; the timestamp is its whole
 * seconds.
 */
export function firelineSignatureHeaders(input: {
  deliveryId: string;
  secret: string;
  rawBody: string | Uint8Array;
  now: Date;
}): Record<string, string> {
  const timestampS = Math.floor(input.now.getTime() / 1000);
  return {
    [FIRELINE_HEADERS.deliveryId]: input.deliveryId,
    [FIRELINE_HEADERS.timestamp]: String(timestampS),
    [FIRELINE_HEADERS.signature]: `${SCHEME}=${computeFirelineSignature(input.secret, timestampS, input.rawBody)}`,
  };
}

/** Request headers as Node's `IncomingHttpHeaders` (lower-case keys) or a fetch `Headers`. */
export type HeaderSource = Headers | Record<string, string | string[] | undefined>;

function headerValue(headers: HeaderSource, name: string): string | undefined {
  // Duck-typed: a fetch `Headers` may come from another realm; Node's header objects hold no functions.
  if (typeof headers.get === 'function') return (headers as Headers).get(name) ?? undefined;
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers as Record<string, string | string[] | undefined>)) {
    if (key.toLowerCase() === wanted) return Array.isArray(value) ? value.join(',') : value;
  }
  return undefined;
}

/**
 * For receivers: true when `headers` carry a `Fireline-Signature` that matches `rawBody` under `secret`
 * and a `Fireline-Timestamp` within `toleranceS` seconds of `now` (either direction; rejects replays
 * of old requests). Compares in constant time. Pass the raw body bytes exactly as received.
 */
export function verifyFirelineSignature(
  secret: string,
  rawBody: string | Uint8Array,
  headers: HeaderSource,
  toleranceS: number,
  now: Date = new Date(),
): boolean {
  const timestampHeader = headerValue(headers, FIRELINE_HEADERS.timestamp)?.trim();
  const signatureHeader = headerValue(headers, FIRELINE_HEADERS.signature);
  if (!timestampHeader || !signatureHeader || !/^\d{1,12}$/.test(timestampHeader)) return false;
  const timestampS = Number(timestampHeader);
  if (Math.abs(Math.floor(now.getTime() / 1000) - timestampS) > toleranceS) return false;

  const expected = Buffer.from(computeFirelineSignature(secret, timestampS, rawBody), 'hex');
  let matched = false;
  for (const part of signatureHeader.split(',')) {
    const [scheme, value] = part.trim().split('=', 2);
    if (scheme !== SCHEME || value === undefined || !/^[0-9a-f]{64}$/i.test(value)) continue;
    const candidate = Buffer.from(value, 'hex');
    // No early exit: the time taken does not depend on which value matched.
    if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) matched = true;
  }
  return matched;
}

/**
 * A new webhook signing secret: `whsec_` plus 32 random bytes in hex (64 characters). The HMAC key is
 * the whole string's UTF-8 bytes.
 */
export function generateWebhookSecret(randomBytes: (size: number) => Buffer = nodeRandomBytes): string {
  return `whsec_${randomBytes(32).toString('hex')}`;
}
