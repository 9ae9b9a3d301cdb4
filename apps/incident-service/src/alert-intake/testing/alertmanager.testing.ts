import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type request from 'supertest';
import type { CapturedRequest } from './events-v2.testing';

/** The repository root, from this file's place in it (not imported: unit tests must not load the app module). */
const REPO_ROOT = resolve(__dirname, '../../../../..');

/**
 * Loads a webhook delivery Alertmanager 0.25 sent (`test/fixtures/alertmanager-0.25/webhook-v4-*.json`),
 * re-serialized with `JSON.stringify` (keeps key order), with `overrides` on the body (e.g. a fresh
 * `groupKey`, so that tests sharing one database do not share a group).
 */
export function capturedAlertmanagerWebhook(
  file: 'webhook-v4-firing.json' | 'webhook-v4-resolved.json',
  overrides: Record<string, unknown> = {},
): { headers: Record<string, string>; body: string; parsed: Record<string, unknown> } {
  const captured = JSON.parse(readFileSync(resolve(REPO_ROOT, 'test/fixtures/alertmanager-0.25', file), 'utf8')) as CapturedRequest;
  const parsed = { ...captured.body, ...overrides };
  return { headers: captured.headers, body: JSON.stringify(parsed), parsed };
}

/** One `alerts[]` entry of a version-4 webhook body. */
export function anAlertmanagerAlert(fingerprint: string, status: 'firing' | 'resolved' = 'firing', labels: Record<string, string> = {}): Record<string, unknown> {
  return {
    status,
    labels: { alertname: 'DiskFull', instance: `db-${fingerprint}:9100`, severity: 'warning', ...labels },
    annotations: { summary: 'Disk almost full on db' },
    startsAt: '2026-11-21T06:00:00Z',
    endsAt: status === 'firing' ? '0001-01-01T00:00:00Z' : '2026-11-21T06:30:00Z',
    generatorURL: 'http://prometheus.local/graph',
    fingerprint,
  };
}

/** A version-4 webhook body for the group `groupKey` with `alerts` (status derived: firing if any fires). */
export function anAlertmanagerWebhook(groupKey: string, alerts: Record<string, unknown>[], overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    receiver: 'fireline',
    status: alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
    alerts,
    groupLabels: { alertname: 'DiskFull' },
    commonLabels: { alertname: 'DiskFull' },
    commonAnnotations: {},
    externalURL: 'http://alertmanager.local:9093',
    version: '4',
    groupKey,
    truncatedAlerts: 0,
    ...overrides,
  };
}

/** Creates an `alertmanager` integration over HTTP; returns its id, name and bearer token. */
export async function createAlertmanagerIntegration(
  http: ReturnType<typeof request>,
  overrides: Record<string, unknown> = {},
): Promise<{ id: string; name: string; token: string }> {
  const name = `alertmanager-${Math.random().toString(36).slice(2, 8)}`;
  const response = await http.post('/v1/integrations').send({ type: 'alertmanager', name, service: 'checkout', ...overrides });
  if (response.status !== 201) throw new Error(`create integration: ${response.status} ${JSON.stringify(response.body)}`);
  const body = response.body as { id: string; name: string; credentials: { token: string } };
  return { id: body.id, name: body.name, token: body.credentials.token };
}
