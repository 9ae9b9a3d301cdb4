import { decodeEncryptionKey, KEY_ID_PATTERN, newEncryptionKeyText } from '@fireline/secrets';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The key file's content: `{ "keyId": "local-…", "key": "<base64 of 32 bytes>" }`. */
interface KeyFile {
  keyId: string;
  key: string;
}

/** What `embeddedEncryptionKey` did, for the platform to log. */
export type EmbeddedKeyOutcome = { source: 'environment' } | { source: 'file'; path: string; created: boolean; looseMode: boolean };

/** `<data dir>/../encryption-key.json`: next to the embedded PostgreSQL data (`.fireline/encryption-key.json` by default). */
export function encryptionKeyFileOf(dataDir: string): string {
  return join(dirname(resolve(dataDir)), 'encryption-key.json');
}

/**
 * For the embedded platform (`npm start`) only: when `FIRELINE_ENCRYPTION_KEY` is not set, the key
 * comes from `encryptionKeyFileOf(dataDir)`, created on first start (32 random bytes, mode 0600, never
 * overwritten), so that secrets are encrypted at rest without any set-up and stay readable across
 * restarts. Losing the file loses every stored secret, as losing the data directory would. A service run
 * alone never does this: it refuses to start without a key.
 * @returns the environment to configure the services with, and where the key came from.
 * @throws Error when the file exists but does not hold a valid key.
 */
export function embeddedEncryptionKey(env: NodeJS.ProcessEnv, dataDir: string, now: Date = new Date()): { env: NodeJS.ProcessEnv; outcome: EmbeddedKeyOutcome } {
  if ((env.FIRELINE_ENCRYPTION_KEY ?? '').trim() !== '') return { env, outcome: { source: 'environment' } };
  const path = encryptionKeyFileOf(dataDir);
  let created = false;
  let file: KeyFile;
  try {
    file = JSON.parse(readFileSync(path, 'utf8')) as KeyFile;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`${path} is not a Fireline key file: ${(error as Error).message}`);
    file = { keyId: `local-${now.toISOString().slice(0, 10)}`, key: newEncryptionKeyText() };
    mkdirSync(dirname(path), { recursive: true });
    // `wx`: never replace a key another process wrote meanwhile (that would make its secrets unreadable).
    writeFileSync(path, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    created = true;
  }
  if (typeof file.keyId !== 'string' || !KEY_ID_PATTERN.test(file.keyId) || typeof file.key !== 'string' || decodeEncryptionKey(file.key) === null) {
    throw new Error(`${path} does not hold a valid key ({ "keyId": "<${KEY_ID_PATTERN.source}>", "key": "<base64 of 32 bytes>" })`);
  }
  const looseMode = process.platform !== 'win32' && (statSync(path).mode & 0o077) !== 0;
  return {
    env: { ...env, FIRELINE_ENCRYPTION_KEY: file.key, FIRELINE_ENCRYPTION_KEY_ID: file.keyId },
    outcome: { source: 'file', path, created, looseMode },
  };
}
