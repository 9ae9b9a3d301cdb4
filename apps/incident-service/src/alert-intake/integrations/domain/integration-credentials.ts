import { createHash, randomBytes } from 'node:crypto';
import type { IntegrationType } from './integration.values';

/** A credential shown once at creation, and what we store of it. */
export interface IssuedCredential {
  /** Returned to the caller once, never stored. */
  secret: string;
  /** `sha256(secret)` in hex: stored, unique, used for the lookup. */
  hash: string;
}

const ROUTING_KEY_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
/** PagerDuty routing keys are 32 characters of `[a-z0-9]` (Events API v2 rejects other lengths). */
export const ROUTING_KEY_LENGTH = 32;
export const ROUTING_KEY_PATTERN = /^[a-z0-9]{32}$/;
/** Prefix of our bearer tokens, so that secret scanners can recognise a leaked one. */
export const BEARER_TOKEN_PREFIX = 'flt_';

/** sha256 hex of a credential: what is stored and looked up, never the credential itself. */
export function credentialHash(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

const hashesByHolder = new WeakMap<object, { secret: string; hash: string }>();

/**
 * `credentialHash(secret)`, remembered for as long as `holder` lives (the parsed request body the secret
 * came from): the Events v2 rate limiter and the intake both need the routing key's hash, and hashing it
 * once per delivery instead of twice is ~1% of an intake request's CPU. The secret stays only as long as
 * the body holding it anyway; a holder asked about another secret gets that secret's hash.
 */
export function credentialHashFor(holder: object, secret: string): string {
  const known = hashesByHolder.get(holder);
  if (known !== undefined && known.secret === secret) return known.hash;
  const hash = credentialHash(secret);
  hashesByHolder.set(holder, { secret, hash });
  return hash;
}

/** 32 characters of `[a-z0-9]`, uniform (rejection sampling over random bytes). */
export function newRoutingKey(random: (size: number) => Buffer = randomBytes): string {
  let key = '';
  while (key.length < ROUTING_KEY_LENGTH) {
    for (const byte of random(ROUTING_KEY_LENGTH * 2)) {
      // 252 = 7 * 36: bytes at or above it would bias the first letters.
      if (byte < 252 && key.length < ROUTING_KEY_LENGTH) key += ROUTING_KEY_ALPHABET[byte % 36];
    }
  }
  return key;
}

/** `flt_` + 43 characters of base64url (256 random bits). */
export function newBearerToken(random: (size: number) => Buffer = randomBytes): string {
  return `${BEARER_TOKEN_PREFIX}${random(32).toString('base64url')}`;
}

/**
 * The credential a new integration of `type` gets: a routing key (`events-v2`), a bearer token
 * (`alertmanager`), or none (`pagerduty-webhooks-v3` is verified with the signing secrets the user gives).
 */
export function issueCredential(type: IntegrationType, random: (size: number) => Buffer = randomBytes): IssuedCredential | null {
  switch (type) {
    case 'events-v2': {
      const secret = newRoutingKey(random);
      return { secret, hash: credentialHash(secret) };
    }
    case 'alertmanager': {
      const secret = newBearerToken(random);
      return { secret, hash: credentialHash(secret) };
    }
    case 'pagerduty-webhooks-v3':
      return null;
    default: {
      const _exhaustive: never = type;
      throw new Error(`unknown integration type ${String(_exhaustive)}`);
    }
  }
}
