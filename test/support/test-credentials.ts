import { DEFAULT_AUTH_CONFIG, generateApiKey, scopesOf, type AuthConfig, type Role, type Scope } from '@fireline/auth';
import { TOPICS, type ApiKeyIssuedV1 } from '@fireline/contracts';
import { EventStore } from '@fireline/event-store';
import { MESSAGE_TRANSPORT, type MessageTransport } from '@fireline/messaging';
import type { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import request from 'supertest';
import { DEFAULT_API_KEY_POLICY, issueApiKey, revokeApiKey } from '../../apps/incident-service/src/access/application/api-keys';
import { AccessSubscriptions } from '../../apps/incident-service/src/access/projections/access-subscriptions';
import { INCIDENT_EVENT_STORE } from '../../apps/incident-service/src/incident-service.tokens';

/**
 * Authentication as the test harnesses use it: real keys, issued through the real paths, sent as
 * `Authorization: Bearer`. The per-credential and failed-authentication limits are raised so that load
 * and sweep tests are not throttled (the limits themselves are tested with their defaults).
 */
export const TEST_AUTH_CONFIG: AuthConfig = Object.freeze({ ...DEFAULT_AUTH_CONFIG, rateLimits: Object.freeze({ perCredentialPerMinute: 1_000_000, authFailuresPerMinute: 100_000 }) });

/** What a test key grants: a role, scopes, or both; `expiresAt` and `now` (issue time) for expired keys. */
export interface TestKeyOptions {
  role?: Role;
  scopes?: Scope[];
  name?: string;
  expiresAt?: Date;
  now?: Date;
}

/** A supertest agent that sends `Authorization: Bearer <key>` on every request. */
export type AuthedAgent = ReturnType<typeof request.agent>;

/** supertest on `target` (an app's server or a base URL) with `key` on every request. */
export function withKey(target: Parameters<typeof request.agent>[0], key: string): AuthedAgent {
  return request.agent(target).set('authorization', `Bearer ${key}`);
}

const keysByApp = new WeakMap<object, string>();

/** The admin key a harness issued for `app` (`createServiceTestApp`, `createPlatformTestApp`, the postmortem test app). */
export function adminKeyOf(app: INestApplication): string {
  const key = keysByApp.get(app);
  if (!key) throw new Error('This app was not booted by a test harness that issues an admin key');
  return key;
}

/** supertest on a harness-booted app, as its admin. */
export function api(app: INestApplication): AuthedAgent {
  return withKey(app.getHttpServer(), adminKeyOf(app));
}

/**
 * Issues a key in an app that runs incident-service, through its command path (actor
 * `system:test`), and wakes its access relay. Returns the key.
 */
export async function issueKeyIn(app: INestApplication, options: TestKeyOptions = { role: 'admin' }): Promise<{ key: string; keyId: string }> {
  const { key, apiKey } = await issueApiKey(
    app.get<EventStore>(INCIDENT_EVENT_STORE),
    { name: options.name ?? 'test', role: options.role ?? null, scopes: options.scopes ?? [], expiresAt: options.expiresAt },
    null,
    { ...DEFAULT_API_KEY_POLICY, maxLifetimeDays: 3650 },
    { now: options.now ?? new Date(), actor: 'system:test', correlationId: randomUUID() },
  );
  app.get(AccessSubscriptions).notify();
  return { key, keyId: apiKey.id };
}

/** Revokes a key in an app that runs incident-service (actor `system:test`). */
export async function revokeKeyIn(app: INestApplication, keyId: string): Promise<void> {
  await revokeApiKey(app.get<EventStore>(INCIDENT_EVENT_STORE), keyId, 'test', { now: new Date(), actor: 'system:test', correlationId: randomUUID() });
  app.get(AccessSubscriptions).notify();
}

/**
 * For an app without incident-service (notification-service or postmortem-service alone): publishes an
 * `ApiKeyIssuedV1` on its in-process transport, as incident-service's relay would; `publish` resolves
 * once the service's replica consumer has committed it.
 */
export async function publishKeyTo(app: INestApplication, options: TestKeyOptions = { role: 'admin' }): Promise<{ key: string; keyId: string }> {
  const issued = generateApiKey();
  const now = options.now ?? new Date();
  const event: ApiKeyIssuedV1 = {
    eventId: randomUUID(),
    type: 'ApiKeyIssued',
    version: 1,
    occurredAt: now.toISOString(),
    correlationId: randomUUID(),
    causationId: null,
    streamId: `api-key-${issued.keyId}`,
    data: {
      keyId: issued.keyId,
      hashedSecret: issued.hashedSecret,
      scopes: scopesOf(options.scopes ?? [], options.role ? [options.role] : []),
      expiresAt: (options.expiresAt ?? new Date(now.getTime() + 90 * 86_400_000)).toISOString(),
      issuedAt: now.toISOString(),
      issuedBy: 'system:test',
    },
  };
  await app.get<MessageTransport>(MESSAGE_TRANSPORT).publish(TOPICS.access, [event]);
  return { key: issued.key, keyId: issued.keyId };
}

/** True when the app runs incident-service (it owns the keys). */
function ownsKeys(app: INestApplication): boolean {
  try {
    app.get(INCIDENT_EVENT_STORE);
    return true;
  } catch {
    return false;
  }
}

/** Issues the harness's admin key for `app` (see `adminKeyOf`), by the path its services use. */
export async function registerAdminKey(app: INestApplication): Promise<string> {
  const { key } = ownsKeys(app) ? await issueKeyIn(app) : await publishKeyTo(app);
  keysByApp.set(app, key);
  return key;
}

/**
 * Issues a key straight into an incident-service database, as `npm run keys -- create` does (for
 * services running as processes). The running incident-service's relay publishes it to the others.
 */
export async function issueKeyInDatabase(databaseUrl: string, options: TestKeyOptions = { role: 'admin' }): Promise<{ key: string; keyId: string }> {
  const pool = new Pool({ connectionString: databaseUrl, max: 1 });
  try {
    const { key, apiKey } = await issueApiKey(
      new EventStore(pool),
      { name: options.name ?? 'test', role: options.role ?? null, scopes: options.scopes ?? [], expiresAt: options.expiresAt },
      null,
      DEFAULT_API_KEY_POLICY,
      { now: options.now ?? new Date(), actor: 'system:test', correlationId: randomUUID() },
    );
    return { key, keyId: apiKey.id };
  } finally {
    await pool.end();
  }
}

/** The actor events record for the harness's admin key of `app`: `key:<key id>`. */
export function adminActorOf(app: INestApplication): string {
  return `key:${adminKeyOf(app).slice(4, 16)}`;
}
