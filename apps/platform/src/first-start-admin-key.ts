import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { EventStore } from '@fireline/event-store';
import type { Pool } from 'pg';
import { anyUsableApiKey, issueApiKey, type ApiKeyPolicy } from '../../incident-service/src/access/application/api-keys';

/** Lifetime of the key first start issues (days). */
export const FIRST_START_KEY_DAYS = 90;

/**
 * `npm start` on a database with no usable API key (none, or all revoked or expired): issues an admin
 * key (`FIRST_START_KEY_DAYS` days) through incident-service's command path (actor
 * `system:first-start`), writes it to `keyFile` with mode 0600 (read by `npm run demo`), and returns it
 * so that the caller prints it once. Returns null when a usable key exists: nothing is issued.
 */
export async function issueFirstStartAdminKey(pool: Pool, store: EventStore, policy: ApiKeyPolicy, keyFile: string, now = new Date()): Promise<{ key: string; keyId: string; expiresAt: string } | null> {
  if (await anyUsableApiKey(pool, now)) return null;
  const lifetime = Math.min(FIRST_START_KEY_DAYS, policy.maxLifetimeDays);
  const { key, apiKey } = await issueApiKey(
    store,
    { name: 'admin (first start)', role: 'admin', expiresAt: new Date(now.getTime() + lifetime * 86_400_000) },
    null,
    policy,
    { now, actor: 'system:first-start', correlationId: randomUUID() },
  );
  mkdirSync(dirname(keyFile), { recursive: true });
  writeFileSync(keyFile, `${key}\n`, { mode: 0o600 });
  chmodSync(keyFile, 0o600);
  return { key, keyId: apiKey.id, expiresAt: apiKey.expiresAt };
}

/** The framed block `npm start` prints once around a new admin key. */
export function firstStartBanner(issued: { key: string; keyId: string; expiresAt: string }, keyFile: string): string {
  const lines = [
    'FIRST START: an admin API key was created. It is shown this once:',
    '',
    `    ${issued.key}`,
    '',
    `Saved (mode 0600) to ${keyFile}; npm run demo reads it from there.`,
    `Use it as "Authorization: Bearer <key>". It expires ${issued.expiresAt} (key id ${issued.keyId}).`,
    'Create narrower keys with POST /v1/api-keys or npm run keys -- create --name ci --role responder,',
    'and revoke this one (npm run keys -- revoke <id>) once you have them.',
  ];
  const width = Math.max(...lines.map((line) => line.length)) + 4;
  const bar = `+${'-'.repeat(width)}+`;
  return ['', bar, ...lines.map((line) => `|  ${line.padEnd(width - 2)}|`), bar, ''].join('\n');
}
