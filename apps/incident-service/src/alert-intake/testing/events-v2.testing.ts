import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import request from 'supertest';
import { createServiceTestApp } from '../../../../../test/support/nest-test-app';
import { api, type AuthedAgent } from '../../../../../test/support/test-credentials';
import { createTestDatabase, type TestDatabase } from '../../../../../test/support/test-database';
import { TEST_ENCRYPTION_KEYS } from '../../../../../test/support/test-secrets';
import type { IncidentServiceConfig } from '../../config/incident-service.config';
import { IncidentServiceModule } from '../../incident-service.module';

/** The repository root (`/work/main`), from this file's place in it. */
export const REPO_ROOT = resolve(__dirname, '../../../../..');

/** A captured request: `{ method, url, headers, body }` (see the fixtures' README). */
export interface CapturedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

/**
 * Loads a request Alertmanager 0.25 sent to a PagerDuty Events API v2 URL, captured in
 * `test/fixtures/alertmanager-0.25/` (a byte-identical copy of `../shared/fixtures`). The body is stored there as
 * parsed JSON, so it is re-serialized with `JSON.stringify`, which keeps its key order; the only
 * change is `routing_key`, replaced by the integration's key (the capture used a placeholder).
 */
export function capturedAlertmanagerRequest(file: string, routingKey: string): { headers: Record<string, string>; body: string; parsed: Record<string, unknown> } {
  const captured = JSON.parse(readFileSync(resolve(REPO_ROOT, 'test/fixtures/alertmanager-0.25', file), 'utf8')) as CapturedRequest;
  const parsed = { ...captured.body, routing_key: routingKey };
  return { headers: captured.headers, body: JSON.stringify(parsed), parsed };
}

/** A booted incident-service on a fresh database, with supertest on it. */
export interface AlertTestApp {
  db: TestDatabase;
  app: NestFastifyApplication;
  /** supertest as the app's admin key. */
  http: AuthedAgent;
  close(): Promise<void>;
}

/**
 * `alerts` defaults to `DEFAULT_ALERTS_CONFIG` (left out, as callers composing the module may), and so
 * does `overrides.unauthenticatedDeliveries`. Secrets are sealed with `TEST_ENCRYPTION_KEYS`.
 */
export async function bootAlertTestApp(
  prefix: string,
  poolSize = 30,
  alerts?: IncidentServiceConfig['alerts'],
  overrides: Pick<IncidentServiceConfig, 'unauthenticatedDeliveries' | 'alertIntake'> = {},
): Promise<AlertTestApp> {
  const db = await createTestDatabase(prefix);
  const app = await createServiceTestApp(
    IncidentServiceModule.register({
      database: { url: db.url, poolSize, migrationsRun: true },
      projections: { pollIntervalMs: 20 },
      encryption: TEST_ENCRYPTION_KEYS,
      ...(alerts ? { alerts } : {}),
      ...overrides,
    }),
  );
  return {
    db,
    app,
    http: api(app),
    async close() {
      await app.close();
      await db.drop();
    },
  };
}

/** Creates an integration over HTTP; returns its id and (events-v2) routing key. */
export async function createIntegration(
  http: AuthedAgent | ReturnType<typeof request>,
  overrides: Record<string, unknown> = {},
): Promise<{ id: string; routingKey: string; name: string; body: Record<string, unknown> }> {
  const name = `prometheus-${Math.random().toString(36).slice(2, 8)}`;
  const response = await http.post('/v1/integrations').send({ type: 'events-v2', name, service: 'checkout', ...overrides });
  if (response.status !== 201) throw new Error(`create integration: ${response.status} ${JSON.stringify(response.body)}`);
  const body = response.body as { id: string; name: string; credentials?: { routingKey?: string } };
  return { id: body.id, name: body.name, routingKey: body.credentials?.routingKey ?? '', body: response.body as Record<string, unknown> };
}

/** A minimal valid Events API v2 event. */
export function anEventsV2Event(routingKey: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: 'disk-full/db-1',
    payload: { summary: 'Disk 95% full on db-1', source: 'db-1', severity: 'error' },
    ...overrides,
  };
}

/** Runs `tasks` with at most `concurrency` in flight; resolves with their results in order. */
export async function withConcurrency<T>(concurrency: number, tasks: (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = new Array<T>(tasks.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, tasks.length) }, async () => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await tasks[index]();
    }
  });
  await Promise.all(lanes);
  return results;
}
