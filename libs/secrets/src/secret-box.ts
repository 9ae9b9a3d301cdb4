import { createCipheriv, createDecipheriv, randomFillSync } from 'node:crypto';

/** A 256-bit AES key and the id stored beside everything sealed with it, so that keys can rotate. */
export interface EncryptionKey {
  /** 1–32 characters of `[A-Za-z0-9_-]`; stored in every envelope (`fl1:<id>:…`). */
  id: string;
  /** 32 bytes. */
  key: Buffer;
}

/** The key new values are sealed with, and older keys that can still open what they sealed. */
export interface EncryptionKeys {
  current: EncryptionKey;
  /** Kept for decryption during a rotation, until every row has been re-sealed with `current`. */
  previous: EncryptionKey[];
}

/** Why a sealed value could not be opened. */
export type SecretBoxErrorCode = 'SECRET.UNKNOWN_KEY' | 'SECRET.UNREADABLE' | 'SECRET.NOT_SEALED';

/** Thrown by `SecretBox.open`: never includes the value or the key. */
export class SecretBoxError extends Error {
  constructor(
    readonly code: SecretBoxErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SecretBoxError';
  }
}

export const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
const VERSION = 'fl1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const ENVELOPE = /^fl1:([A-Za-z0-9_-]{1,32}):([A-Za-z0-9_-]{16}):([A-Za-z0-9_-]{22,})$/;

/** Random bytes drawn from the CSPRNG this many at a time, for IVs (341 IVs per fill). */
const IV_POOL_BYTES = 4096;

/**
 * Fresh IVs from a pool of CSPRNG output (`randomFillSync`, like `randomBytes`), filled 4 KB at a time
 * instead of one call per IV: every IV is a copy of bytes never handed out before, as random as
 * `randomBytes(12)`; a call per IV was ~3% of an intake request's CPU (each intake seals its body).
 * Node's `randomUUID` caches its random bytes the same way.
 */
class IvPool {
  private readonly pool = Buffer.alloc(IV_POOL_BYTES);
  private offset = IV_POOL_BYTES;

  next(): Buffer {
    if (this.offset + IV_BYTES > IV_POOL_BYTES) {
      randomFillSync(this.pool);
      this.offset = 0;
    }
    const iv = Buffer.from(this.pool.subarray(this.offset, this.offset + IV_BYTES));
    this.offset += IV_BYTES;
    return iv;
  }
}

/** Whether `value` looks like a `SecretBox` envelope (`fl1:<kid>:<iv>:<ct+tag>`), as opposed to legacy plaintext. */
export function isSealed(value: string): boolean {
  return ENVELOPE.test(value);
}

/**
 * Authenticated encryption of small secrets at rest (AES-256-GCM from `node:crypto`, NIST SP 800-38D):
 * a random 96-bit IV per value and a 128-bit tag. The envelope is one string,
 * `fl1:<key id>:<iv, base64url>:<ciphertext ‖ tag, base64url>`, so it fits the `text` column the
 * plaintext used to live in. `context` (e.g. `notification_rules.webhook_secret:<rule id>`) is the
 * additional authenticated data, together with the version and key id: a ciphertext copied into
 * another row or column does not open there.
 */
export class SecretBox {
  private readonly keys: Map<string, Buffer>;
  private readonly ivs = new IvPool();

  constructor(private readonly encryptionKeys: EncryptionKeys) {
    this.keys = new Map();
    for (const key of [encryptionKeys.current, ...encryptionKeys.previous]) {
      if (!KEY_ID_PATTERN.test(key.id)) throw new Error(`Encryption key id ${JSON.stringify(key.id)} must match ${KEY_ID_PATTERN.source}`);
      if (key.key.length !== 32) throw new Error(`Encryption key ${key.id} must be 32 bytes, not ${key.key.length}`);
      if (this.keys.has(key.id)) throw new Error(`Encryption key id ${key.id} is given twice`);
      this.keys.set(key.id, key.key);
    }
  }

  /** The id new values are sealed with. */
  get currentKeyId(): string {
    return this.encryptionKeys.current.id;
  }

  /** Every key id this box can open. */
  get keyIds(): string[] {
    return [...this.keys.keys()];
  }

  /** Encrypts `plaintext` (UTF-8) with the current key, bound to `context`. */
  seal(plaintext: string, context: string): string {
    const { id, key } = this.encryptionKeys.current;
    const iv = this.ivs.next();
    const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(aad(id, context));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `${VERSION}:${id}:${iv.toString('base64url')}:${ciphertext.toString('base64url')}`;
  }

  /**
   * Decrypts an envelope sealed for `context`.
   * @throws SecretBoxError `SECRET.NOT_SEALED` (not an envelope), `SECRET.UNKNOWN_KEY` (its key id is not
   * configured), `SECRET.UNREADABLE` (wrong key, tampered, or sealed for another context).
   */
  open(sealed: string, context: string): string {
    const match = ENVELOPE.exec(sealed);
    if (!match) throw new SecretBoxError('SECRET.NOT_SEALED', 'Value is not a sealed envelope');
    const [, id, ivText, bodyText] = match;
    const key = this.keys.get(id);
    if (!key) throw new SecretBoxError('SECRET.UNKNOWN_KEY', `Sealed with encryption key ${id}, which is not configured (FIRELINE_ENCRYPTION_OLD_KEYS)`);
    const body = Buffer.from(bodyText, 'base64url');
    if (body.length < TAG_BYTES) throw new SecretBoxError('SECRET.UNREADABLE', 'Sealed value is truncated');
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(ivText, 'base64url'), { authTagLength: TAG_BYTES });
      decipher.setAAD(aad(id, context));
      decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
      return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretBoxError('SECRET.UNREADABLE', `Sealed value does not open with key ${id} for this row`);
    }
  }

  /**
   * `open`, except that a value stored before encryption existed (plaintext, not an envelope) is
   * returned as it is: rows are re-sealed at start-up (`resealed`), and a rolling upgrade may still
   * have an old instance writing plaintext meanwhile.
   */
  openOrPlaintext(value: string, context: string): string {
    return isSealed(value) ? this.open(value, context) : value;
  }

  /** Whether `value` is plaintext or sealed with a key other than the current one. */
  needsReseal(value: string): boolean {
    const match = ENVELOPE.exec(value);
    return match === null || match[1] !== this.encryptionKeys.current.id;
  }

  /**
   * `value` sealed with the current key (plaintext is sealed, an envelope of an older key is opened and
   * sealed again), or null when it already is.
   * @throws SecretBoxError as `open`.
   */
  resealed(value: string, context: string): string | null {
    return this.needsReseal(value) ? this.seal(this.openOrPlaintext(value, context), context) : null;
  }
}

function aad(keyId: string, context: string): Buffer {
  return Buffer.from(`${VERSION}|${keyId}|${context}`, 'utf8');
}
