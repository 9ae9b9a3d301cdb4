import { createHmac, timingSafeEqual } from 'node:crypto';

/** Hex digits of an HMAC-SHA256: 32 bytes. */
const V1_SIGNATURE = /^v1=([0-9a-f]{64})$/i;
/** More `v1=` values than this is not a PagerDuty delivery (it sends one, or two while a secret rotates). */
export const MAX_SIGNATURES = 10;

/**
 * The `v1` signatures of an `X-PagerDuty-Signature` header, decoded to 32-byte buffers. The header is a
 * comma-separated list like `v1=<hex>,v1=<hex>` (PagerDuty Webhooks v3,
 * https://developer.pagerduty.com/docs/webhooks/webhook-signatures/). Entries of another version, or whose
 * value is not 64 hex digits, are skipped; a repeated header counts as one comma-joined list.
 */
export function v1SignaturesOf(header: string | readonly string[] | undefined): Buffer[] {
  if (header === undefined) return [];
  const joined = typeof header === 'string' ? header : header.join(',');
  const signatures: Buffer[] = [];
  for (const entry of joined.split(',').slice(0, MAX_SIGNATURES)) {
    const match = V1_SIGNATURE.exec(entry.trim());
    if (match) signatures.push(Buffer.from(match[1], 'hex'));
  }
  return signatures;
}

/** `HMAC-SHA256(secret, body)`, raw 32 bytes. */
export function pagerDutySignatureOf(secret: string, rawBody: Buffer): Buffer {
  return createHmac('sha256', secret).update(rawBody).digest();
}

/**
 * Whether a delivery is authentic: some `v1` signature in `header` equals HMAC-SHA256(secret, rawBody)
 * for some secret in `secrets` (at most two during a rotation). `rawBody` must be the bytes received,
 * never a re-serialization. Every pair is compared with `equal` (constant time, `crypto.timingSafeEqual`
 * by default) on buffers of the same length, and all pairs are compared, so the time taken does not
 * depend on which one matched.
 */
export function isAuthenticPagerDutyDelivery(
  rawBody: Buffer,
  header: string | readonly string[] | undefined,
  secrets: readonly string[],
  equal: (a: Buffer, b: Buffer) => boolean = timingSafeEqual,
): boolean {
  const signatures = v1SignaturesOf(header);
  let authentic = false;
  for (const secret of secrets) {
    if (secret === '') continue;
    const expected = pagerDutySignatureOf(secret, rawBody);
    for (const signature of signatures) {
      if (signature.length === expected.length && equal(signature, expected)) authentic = true;
    }
  }
  return authentic;
}
