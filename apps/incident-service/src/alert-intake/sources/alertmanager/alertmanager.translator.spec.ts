import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseAlertmanagerWebhook, type AlertmanagerWebhook } from './alertmanager-webhook';
import { anAlertmanagerAlert, anAlertmanagerWebhook } from '../../testing/alertmanager.testing';
import { alertCommandsOfAlertmanager, alertSeverityOfLabels, dedupKeyOfGroup } from './alertmanager.translator';

const row = { id: 'row-1', integrationId: 'int-1', receivedAt: new Date('2026-11-21T06:12:00Z') };
const fixture = (file: string): unknown =>
  (JSON.parse(readFileSync(resolve(__dirname, '../../../../../../test/fixtures/alertmanager-0.25', file), 'utf8')) as { body: unknown }).body;
const parsed = (body: unknown): AlertmanagerWebhook => {
  const result = parseAlertmanagerWebhook(body);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.body;
};

describe('alertCommandsOfAlertmanager', () => {
  it('turns the captured firing delivery into one trigger per alert on the group stream, ids from the row', () => {
    const commands = alertCommandsOfAlertmanager(parsed(fixture('webhook-v4-firing.json')), row);
    expect(commands).toHaveLength(2);
    expect(commands[0]).toMatchObject({
      type: 'TriggerAlert',
      data: {
        integrationId: 'int-1',
        dedupKey: '{}:{alertname="HighErrorRate", service="checkout"}',
        fingerprint: '6c2d91d028909ef5',
        summary: '5xx rate above 15% on checkout',
        severity: 'critical',
        source: 'checkout-2b1c:8080',
      },
      metadata: { now: row.receivedAt, actor: 'integration:int-1', correlationId: 'row-1', commandId: 'row-1:0' },
    });
    expect(commands[1]).toMatchObject({ type: 'TriggerAlert', data: { fingerprint: '6869b58d4fba9f11' }, metadata: { commandId: 'row-1:1' } });
  });

  it('turns the captured resolved delivery into per-alert resolves', () => {
    const commands = alertCommandsOfAlertmanager(parsed(fixture('webhook-v4-resolved.json')), row);
    expect(commands.map((c) => [c.type, (c.data as { fingerprint?: string }).fingerprint])).toEqual([
      ['ResolveAlert', '6c2d91d028909ef5'],
      ['ResolveAlert', '6869b58d4fba9f11'],
    ]);
  });

  it('runs firing alerts before resolved ones, keeping each alert index in its command id', () => {
    const delivery = parsed(anAlertmanagerWebhook('g', [anAlertmanagerAlert('a', 'resolved'), anAlertmanagerAlert('b')]));
    expect(alertCommandsOfAlertmanager(delivery, row).map((c) => [c.type, c.metadata.commandId])).toEqual([
      ['TriggerAlert', 'row-1:1'],
      ['ResolveAlert', 'row-1:0'],
    ]);
  });
});

describe('alertCommandsOfAlertmanager labels', () => {
  it('routes by the service label (configured names), else the group\'s common label, else none', () => {
    const delivery = parsed(
      anAlertmanagerWebhook('g', [
        anAlertmanagerAlert('a', 'firing', { app: 'payments', severity: 'critical' }),
        anAlertmanagerAlert('b', 'firing', { severity: 'page' }),
      ]),
    );
    const [a, b] = alertCommandsOfAlertmanager(delivery, row, { service: ['app', 'service'], severity: ['severity'] });
    expect(a.data).toMatchObject({ service: 'payments', severity: 'critical' });
    expect(b.data).toMatchObject({ service: null, severity: 'warning' });
  });
});

describe('alertSeverityOfLabels', () => {
  it('keeps known severities (any case) and reads a missing or unknown one as warning', () => {
    expect(alertSeverityOfLabels({ severity: 'critical' })).toBe('critical');
    expect(alertSeverityOfLabels({ severity: 'ERROR' })).toBe('error');
    expect(alertSeverityOfLabels({ severity: 'info' })).toBe('info');
    expect(alertSeverityOfLabels({ severity: 'page' })).toBe('warning');
    expect(alertSeverityOfLabels({})).toBe('warning');
  });
});

describe('dedupKeyOfGroup', () => {
  it('uses the group key, hashed when longer than a dedup key may be', () => {
    expect(dedupKeyOfGroup('{}:{a="b"}')).toBe('{}:{a="b"}');
    expect(dedupKeyOfGroup(`{}:{a="${'x'.repeat(300)}"}`)).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});

describe('parseAlertmanagerWebhook', () => {
  it('accepts both captured deliveries', () => {
    expect(parseAlertmanagerWebhook(fixture('webhook-v4-firing.json')).ok).toBe(true);
    expect(parseAlertmanagerWebhook(fixture('webhook-v4-resolved.json')).ok).toBe(true);
  });

  it('refuses a fingerprint listed twice, and lists every bad field', () => {
    const result = parseAlertmanagerWebhook(anAlertmanagerWebhook('', [anAlertmanagerAlert('a'), anAlertmanagerAlert('a')], { version: '3' }));
    expect(result.ok ? [] : result.errors.map((e) => e.field)).toEqual(['version', 'groupKey', 'alerts[1].fingerprint']);
  });
});
