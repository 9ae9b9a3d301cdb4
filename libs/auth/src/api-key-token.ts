import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { crc32 } from 'node:zlib';

/**
 * Fireline API keys, in the style of GitHub's tokens (github.blog, "Behind GitHub's new authentication
 * token formats", 2021): a prefix that secret scanners can match, then base62 characters ending in a
 * checksum they can verify offline, so a leaked key is found and told apart from random text.
 *
 *     flk_<key id: 12><secret: 38><crc32: 6>      60 characters, e.g. flk_3kTzq0P1mNbc…
 *
 * - key id: 12 base62 characters (71 random bits), public, shown in lists; the lookup is one indexed read;
 * - secret: 38 base62 characters (226 random bits);
 * - checksum: CRC-32 of everything before it, 6 base62 characters, zero-padded.
 *
 * Only `hashApiKey(key)` (sha256, hex) is stored or sent between services; the key itself is shown
 * once. A fast hash is right here: 226 random bits cannot be guessed, unlike a password.
 */
export const API_KEY_PREFIX = 'flk_';
export const API_KEY_ID_LENGTH = 12;
const SECRET_LENGTH = 38;
const CHECKSUM_LENGTH = 6;
/** The whole key: `flk_` and 56 base62 characters. Secret scanners: `\bflk_[0-9A-Za-z]{56}\b`. */
export const API_KEY_PATTERN = /^flk_[0-9A-Za-z]{56}$/;
/** A key id alone (path parameters of `/v1/api-keys/{id}`). */
export const API_KEY_ID_PATTERN = /^[0-9A-Za-z]{12}$/;

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** `length` uniform base62 characters (rejection sampling: bytes ≥ 248 = 4 × 62 would bias the alphabet). */
export function randomBase62(length: number, random: (size: number) => Buffer = randomBytes): string {
  let out = '';
  while (out.length < length) {
    for (const byte of random(length * 2)) {
      if (byte < 248 && out.length < length) out += BASE62[byte % 62];
    }
  }
  return out;
}

function checksumOf(text: string): string {
  let value = crc32(text);
  let encoded = '';
  do {
    encoded = BASE62[value % 62] + encoded;
    value = Math.floor(value / 62);
  } while (value > 0);
  return encoded.padStart(CHECKSUM_LENGTH, '0');
}

/** A new key, as shown once to its owner, with what is stored of it. */
export interface IssuedApiKey {
  keyId: string;
  /** The whole key (`flk_…`): returned once, never stored. */
  key: string;
  /** `hashApiKey(key)`. */
  hashedSecret: string;
}

/** Generates a key (see the format above). `random` is for tests. */
export function generateApiKey(random: (size: number) => Buffer = randomBytes): IssuedApiKey {
  const keyId = randomBase62(API_KEY_ID_LENGTH, random);
  const body = `${API_KEY_PREFIX}${keyId}${randomBase62(SECRET_LENGTH, random)}`;
  const key = `${body}${checksumOf(body)}`;
  return { keyId, key, hashedSecret: hashApiKey(key) };
}

/**
 * The key id of a well-formed key whose checksum matches, else null (a typo, a truncated paste, or
 * something that is not a Fireline key: refused without a database read).
 */
export function parseApiKey(candidate: string): { keyId: string } | null {
  if (!API_KEY_PATTERN.test(candidate)) return null;
  const body = candidate.slice(0, -CHECKSUM_LENGTH);
  if (checksumOf(body) !== candidate.slice(-CHECKSUM_LENGTH)) return null;
  return { keyId: candidate.slice(API_KEY_PREFIX.length, API_KEY_PREFIX.length + API_KEY_ID_LENGTH) };
}

/** sha256 of the whole key, hex (64 characters): what is stored and replicated. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Compares two hex sha256 digests in constant time; false when either is not 64 hex characters. */
export function sameHash(a: string, b: string): boolean {
  const hex = /^[0-9a-f]{64}$/;
  if (!hex.test(a) || !hex.test(b)) return false;
  return timingSafeEqual(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'));
}
