import { LRUCache } from 'lru-cache';

/** Words that make a field, header or parameter name hold a credential wherever they appear in it. */
const SECRET_WORDS = new Set([
  'password',
  'passwd',
  'pwd',
  'passphrase',
  'secret',
  'secrets',
  'token',
  'tokens',
  'auth',
  'authorization',
  'authentication',
  'credential',
  'credentials',
  'signature',
  'sig',
  'cookie',
  'session',
  'sessionid',
  'bearer',
  'jwt',
  'apikey',
  'privatekey',
  'clientsecret',
  'accesstoken',
  'refreshtoken',
]);

/** `<word> key` pairs that name a credential (`api_key`, `routingKey`, `x-access-key`); a bare `key` or `dedup_key` does not. */
const KEY_QUALIFIERS = new Set(['api', 'access', 'private', 'routing', 'integration', 'service', 'secret', 'signing', 'encryption', 'client', 'app', 'master', 'license', 'subscription', 'webhook', 'auth', 'session', 'account']);

/** `routing_key`, `X-Api-Key`, `clientSecret` -> lower-case words. */
function wordsOf(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== '');
}

/** Recent answers of `isSecretLikeName`. */
const SECRET_LIKE_NAMES = new LRUCache<string, boolean>({ max: 10_000 });

/**
 * Whether a JSON member, query parameter or similar name looks like it holds a credential:
 * `password`, `token`, `client_secret`, `routing_key`, `apiKey`, `X-Auth-Token`, `signature`… but not
 * `dedup_key`, `key`, `author` or `tokenizer_version`. A heuristic for what reads mask; it errs on the
 * side of masking, and is never applied to what is processed. Answers for names up to 256 characters
 * are remembered (the last 10,000 names): every delivery of a source repeats the same few dozen.
 */
export function isSecretLikeName(name: string): boolean {
  const known = SECRET_LIKE_NAMES.get(name);
  if (known !== undefined) return known;
  const words = wordsOf(name);
  const secretLike = words.some((word) => SECRET_WORDS.has(word)) || words.some((word, i) => word === 'key' && i > 0 && KEY_QUALIFIERS.has(words[i - 1]));
  if (name.length <= 256) SECRET_LIKE_NAMES.set(name, secretLike);
  return secretLike;
}

/** `…` and the last 4 characters (nothing of values under 12 characters): enough to tell two apart, not to use one. */
export function maskedSecret(value: string): string {
  return value.length >= 12 ? `…${value.slice(-4)}` : '…';
}
