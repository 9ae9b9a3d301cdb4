import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { embeddedEncryptionKey, encryptionKeyFileOf } from './encryption-key-file';

describe(embeddedEncryptionKey.name, () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'fireline-key-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('creates a 0600 key file next to the data directory on first start, and reads the same key afterwards', () => {
    const dataDir = join(root, '.fireline', 'postgres');
    const first = embeddedEncryptionKey({}, dataDir, new Date('2025-03-01T00:00:00Z'));
    const path = join(root, '.fireline', 'encryption-key.json');
    expect(first.outcome).toEqual({ source: 'file', path, created: true, looseMode: false });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(first.env.FIRELINE_ENCRYPTION_KEY_ID).toBe('local-2025-03-01');
    expect(Buffer.from(first.env.FIRELINE_ENCRYPTION_KEY!, 'base64')).toHaveLength(32);

    const again = embeddedEncryptionKey({}, dataDir);
    expect(again.outcome).toMatchObject({ created: false });
    expect(again.env.FIRELINE_ENCRYPTION_KEY).toBe(first.env.FIRELINE_ENCRYPTION_KEY);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ keyId: 'local-2025-03-01', key: first.env.FIRELINE_ENCRYPTION_KEY });
  });

  it('leaves a configured key alone and writes no file', () => {
    const dataDir = join(root, 'data');
    const env = { FIRELINE_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64') };
    expect(embeddedEncryptionKey(env, dataDir)).toEqual({ env, outcome: { source: 'environment' } });
    expect(() => statSync(encryptionKeyFileOf(dataDir))).toThrow(/ENOENT/);
  });

  it('refuses a damaged key file instead of making a new key (that would orphan every stored secret), and notices loose permissions', () => {
    const dataDir = join(root, 'data');
    writeFileSync(encryptionKeyFileOf(dataDir), '{"keyId":"k1","key":"short"}');
    expect(() => embeddedEncryptionKey({}, dataDir)).toThrow(/does not hold a valid key/);
    writeFileSync(encryptionKeyFileOf(dataDir), 'not json');
    expect(() => embeddedEncryptionKey({}, dataDir)).toThrow(/is not a Fireline key file/);
    writeFileSync(encryptionKeyFileOf(dataDir), JSON.stringify({ keyId: 'k1', key: Buffer.alloc(32, 2).toString('base64') }));
    chmodSync(encryptionKeyFileOf(dataDir), 0o644);
    expect(embeddedEncryptionKey({}, dataDir).outcome).toMatchObject({ looseMode: true });
  });
});
