import { createHash, randomBytes as nodeRandomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Tokens of the public subscription links. Each is 32 random bytes, base64url (43 characters):
 * - the confirmation token (double opt-in) is kept only as `tokenHash` (sha256), expires, and is
 *   cleared when used;
 * - the unsubscribe token goes into every message the subscriber gets (`List-Unsubscribe`, the
 *   webhook's `meta.unsubscribe`), so it must be read back: it is kept sealed (AES-256-GCM, bound to the
 *   subscriber's row) and compared in constant time; it stays valid while the subscription exists
 *   (RFC 8058 links must keep working after the message was sent).
 */
export function newToken(randomBytes: (size: number) => Buffer = nodeRandomBytes): string {
  return randomBytes(32).toString('base64url');
}

/** Lower-case hex sha256 of the token: what the database keeps of a confirmation token. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Constant-time comparison of two tokens (false when their lengths differ). */
export function sameToken(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** What the per-address limit counts by: sha256 of the lower-cased, trimmed address (no address kept in the counter table). */
export function addressKey(email: string): string {
  return createHash('sha256').update(normalizedEmail(email), 'utf8').digest('hex');
}

/** The address as subscriptions compare it: trimmed and lower-cased. */
export function normalizedEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** The shape of a token in a link: 43 base64url characters. */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
