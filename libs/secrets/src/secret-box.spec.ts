import { parseEnvironment } from '@fireline/config';
import { randomBytes } from 'node:crypto';
import { decodeEncryptionKey, encryptionKeysSchema, optionalEncryptionKeysSchema } from './encryption-keys.config';
import { isSealed, SecretBox, type EncryptionKey } from './secret-box';

const key = (id: string): EncryptionKey => ({ id, key: randomBytes(32) });

describe(SecretBox.name, () => {
  const k1 = key('k1');
  const k2 = key('k2');
  const box = new SecretBox({ current: k1, previous: [] });

  it('seals to an fl1 envelope that holds no trace of the plaintext and opens it again', () => {
    const sealed = box.seal('whsec_super-secret-value', 'notification_rules.webhook_secret:r1');
    expect(sealed).toMatch(/^fl1:k1:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain('super-secret');
    expect(isSealed(sealed)).toBe(true);
    expect(box.open(sealed, 'notification_rules.webhook_secret:r1')).toBe('whsec_super-secret-value');
  });

  it('uses a fresh IV every time, so equal secrets do not look equal', () => {
    expect(box.seal('same', 'c')).not.toBe(box.seal('same', 'c'));
  });

  it('never repeats an IV across pool refills (1,000 seals: ~3 refills of 341 IVs), and each value opens', () => {
    const sealed = Array.from({ length: 1_000 }, (_, i) => box.seal(`v${i}`, 'c'));
    const ivs = sealed.map((value) => value.split(':')[2]);
    expect(new Set(ivs).size).toBe(1_000);
    expect(ivs.every((iv) => Buffer.from(iv as string, 'base64url').length === 12)).toBe(true);
    sealed.forEach((value, i) => expect(box.open(value, 'c')).toBe(`v${i}`));
  });

  it('refuses a ciphertext moved to another row or column (the context is authenticated)', () => {
    const sealed = box.seal('https://hooks.slack.com/services/T0/B0/abc', 'notification_rules.target_url:r1');
    expect(() => box.open(sealed, 'notification_rules.target_url:r2')).toThrow(expect.objectContaining({ code: 'SECRET.UNREADABLE' }));
    expect(() => box.open(sealed, 'deliveries.target_url:r1')).toThrow(expect.objectContaining({ code: 'SECRET.UNREADABLE' }));
  });

  it('refuses a tampered ciphertext, a swapped key id and a truncated value', () => {
    const sealed = box.seal('secret', 'c');
    const [v, kid, iv, body] = sealed.split(':');
    const flipped = Buffer.from(body, 'base64url');
    flipped[0] ^= 1;
    expect(() => box.open([v, kid, iv, flipped.toString('base64url')].join(':'), 'c')).toThrow(expect.objectContaining({ code: 'SECRET.UNREADABLE' }));
    const both = new SecretBox({ current: k1, previous: [k2] });
    expect(() => both.open([v, 'k2', iv, body].join(':'), 'c')).toThrow(expect.objectContaining({ code: 'SECRET.UNREADABLE' }));
    expect(() => box.open('fl1:k1:AAAAAAAAAAAAAAAA:AAAA', 'c')).toThrow(expect.objectContaining({ code: 'SECRET.NOT_SEALED' }));
  });

  it('names the missing key when a value was sealed with a key that is not configured', () => {
    const sealed = new SecretBox({ current: k2, previous: [] }).seal('secret', 'c');
    expect(() => box.open(sealed, 'c')).toThrow(expect.objectContaining({ code: 'SECRET.UNKNOWN_KEY', message: expect.stringContaining('k2') }));
  });

  it('rotates: a new current key opens old values through previous keys, and reseals them with itself', () => {
    const old = box.seal('secret', 'c');
    const rotated = new SecretBox({ current: k2, previous: [k1] });
    expect(rotated.open(old, 'c')).toBe('secret');
    expect(rotated.needsReseal(old)).toBe(true);
    const resealed = rotated.resealed(old, 'c')!;
    expect(resealed.startsWith('fl1:k2:')).toBe(true);
    expect(rotated.resealed(resealed, 'c')).toBeNull();
    expect(new SecretBox({ current: k2, previous: [] }).open(resealed, 'c')).toBe('secret');
  });

  it('seals plaintext left from before encryption, and reads it as it is until then', () => {
    expect(box.needsReseal('whsec_plain')).toBe(true);
    expect(box.openOrPlaintext('whsec_plain', 'c')).toBe('whsec_plain');
    expect(box.open(box.resealed('whsec_plain', 'c')!, 'c')).toBe('whsec_plain');
  });

  it('rejects keys that are not 32 bytes and duplicate key ids', () => {
    expect(() => new SecretBox({ current: { id: 'k1', key: randomBytes(16) }, previous: [] })).toThrow(/32 bytes/);
    expect(() => new SecretBox({ current: k1, previous: [{ ...k2, id: 'k1' }] })).toThrow(/twice/);
    expect(() => new SecretBox({ current: { ...k1, id: 'bad id' }, previous: [] })).toThrow(/must match/);
  });
});

describe('encryption key configuration', () => {
  const text = randomBytes(32).toString('base64');
  const old = randomBytes(32).toString('base64url');

  it('reads the current key, its id and old keys', () => {
    const { keys } = parseEnvironment('test', { FIRELINE_ENCRYPTION_KEY: text, FIRELINE_ENCRYPTION_KEY_ID: '2025-03', FIRELINE_ENCRYPTION_OLD_KEYS: `k1:${old}` }, { keys: encryptionKeysSchema });
    expect(keys.current.id).toBe('2025-03');
    expect(keys.current.key.equals(Buffer.from(text, 'base64'))).toBe(true);
    expect(keys.previous).toEqual([{ id: 'k1', key: Buffer.from(old, 'base64url') }]);
  });

  it('refuses to start without a key, and names every bad key at once', () => {
    expect(() => parseEnvironment('svc', {}, { keys: encryptionKeysSchema })).toThrow(/FIRELINE_ENCRYPTION_KEY: is required/);
    expect(() =>
      parseEnvironment('svc', { FIRELINE_ENCRYPTION_KEY: 'c2hvcnQ=', FIRELINE_ENCRYPTION_KEY_ID: 'a b', FIRELINE_ENCRYPTION_OLD_KEYS: 'k0' }, { keys: encryptionKeysSchema }),
    ).toThrow(/FIRELINE_ENCRYPTION_KEY: must be 32 random bytes[\s\S]*FIRELINE_ENCRYPTION_KEY_ID[\s\S]*FIRELINE_ENCRYPTION_OLD_KEYS/);
    expect(() => parseEnvironment('svc', { FIRELINE_ENCRYPTION_KEY: text, FIRELINE_ENCRYPTION_OLD_KEYS: `k1:${old}` }, { keys: encryptionKeysSchema })).toThrow(
      /key ids must differ/,
    );
  });

  it('is optional for tools that touch no secret', () => {
    expect(parseEnvironment('migrate', {}, { keys: optionalEncryptionKeysSchema }).keys).toBeNull();
  });

  it.each([
    ['44 characters of base64', randomBytes(32).toString('base64'), true],
    ['43 characters of base64url', randomBytes(32).toString('base64url'), true],
    ['16 bytes', randomBytes(16).toString('base64'), false],
    ['64 hex digits', randomBytes(32).toString('hex'), false],
    ['a passphrase', 'correct horse battery staple correct horse!', false],
  ])('decodes %s', (_what, value, ok) => {
    expect(decodeEncryptionKey(value) !== null).toBe(ok);
  });
});
