import { blankAsUnset } from '@fireline/config';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { KEY_ID_PATTERN, type EncryptionKey, type EncryptionKeys } from './secret-box';

/** The environment keys of encryption at rest, shared by every service that stores secrets. */
export const ENCRYPTION_ENV_KEYS = ['FIRELINE_ENCRYPTION_KEY', 'FIRELINE_ENCRYPTION_KEY_ID', 'FIRELINE_ENCRYPTION_OLD_KEYS'] as const;

export const DEFAULT_ENCRYPTION_KEY_ID = 'k1';

/**
 * 32 bytes written as base64 or base64url (44 or 43 characters): what
 * `node -e "console.log(require('crypto').randomBytes(32).toString('base64'))"` prints.
 * @returns null when `text` is not exactly that (any other length, stray characters, non-canonical padding).
 */
export function decodeEncryptionKey(text: string): Buffer | null {
  const trimmed = text.trim();
  if (!/^[A-Za-z0-9+/_-]{43}={0,1}$/.test(trimmed)) return null;
  const bytes = Buffer.from(trimmed.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''), 'base64url');
  if (bytes.length !== 32 || bytes.toString('base64url') !== trimmed.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')) return null;
  return bytes;
}

/** A fresh random key, base64: for the embedded platform's first start and for `README` instructions. */
export function newEncryptionKeyText(): string {
  return randomBytes(32).toString('base64');
}

const KEY_MESSAGE = 'must be 32 random bytes in base64 (e.g. `openssl rand -base64 32`)';

const keyText = z.string().refine((value) => decodeEncryptionKey(value) !== null, KEY_MESSAGE);
const keyId = z.string().regex(KEY_ID_PATTERN, 'must be 1-32 characters of A-Z a-z 0-9 _ -');

/** `kid:key,kid:key` -> keys; an empty list when unset. */
const oldKeys = z
  .string()
  .transform((value, ctx) => {
    const keys: EncryptionKey[] = [];
    for (const entry of value.split(',').map((part) => part.trim()).filter((part) => part !== '')) {
      const separator = entry.indexOf(':');
      const id = separator > 0 ? entry.slice(0, separator) : '';
      const key = decodeEncryptionKey(separator > 0 ? entry.slice(separator + 1) : '');
      if (!KEY_ID_PATTERN.test(id) || key === null) {
        ctx.addIssue({ code: 'custom', message: `entries must be <key id>:<key>, each key ${KEY_MESSAGE} (entry ${keys.length + 1} is not)` });
        return z.NEVER;
      }
      keys.push({ id, key });
    }
    return keys;
  });

function encryptionSchema(required: boolean) {
  return z
    .object({
      FIRELINE_ENCRYPTION_KEY: required ? blankAsUnset(z.string({ error: `is required: ${KEY_MESSAGE}` }).pipe(keyText)) : blankAsUnset(keyText.optional()),
      FIRELINE_ENCRYPTION_KEY_ID: blankAsUnset(keyId.default(DEFAULT_ENCRYPTION_KEY_ID)),
      FIRELINE_ENCRYPTION_OLD_KEYS: blankAsUnset(oldKeys.default([])),
    })
    .superRefine((env, ctx) => {
      const ids = [env.FIRELINE_ENCRYPTION_KEY_ID, ...env.FIRELINE_ENCRYPTION_OLD_KEYS.map((key) => key.id)];
      if (new Set(ids).size !== ids.length) {
        ctx.addIssue({ code: 'custom', path: ['FIRELINE_ENCRYPTION_OLD_KEYS'], message: 'key ids must differ from each other and from FIRELINE_ENCRYPTION_KEY_ID' });
      }
    })
    .transform((env): EncryptionKeys | null =>
      env.FIRELINE_ENCRYPTION_KEY === undefined
        ? null
        : { current: { id: env.FIRELINE_ENCRYPTION_KEY_ID, key: decodeEncryptionKey(env.FIRELINE_ENCRYPTION_KEY)! }, previous: env.FIRELINE_ENCRYPTION_OLD_KEYS },
    );
}

/**
 * `FIRELINE_ENCRYPTION_KEY` (required: base64 of 32 bytes), `FIRELINE_ENCRYPTION_KEY_ID` (default `k1`)
 * and `FIRELINE_ENCRYPTION_OLD_KEYS` (`kid:key,…`, keys that still decrypt during a rotation), parsed
 * with `parseEnvironment`. A service that stores secrets refuses to start without a key.
 */
export const encryptionKeysSchema = encryptionSchema(true) as z.ZodType<EncryptionKeys, Record<string, unknown>>;

/** The same keys, all optional (null without a key): for tools that never touch a secret, e.g. `migrate.js`. */
export const optionalEncryptionKeysSchema = encryptionSchema(false);
