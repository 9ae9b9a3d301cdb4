import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { TriggerAlert } from '../../domain/alert.commands';
import type { EventsV2Event } from './events-v2-event';
import { alertCommandOfEventsV2 } from './events-v2.translator';

const row = { id: 'row-1', integrationId: 'int-1', receivedAt: new Date('2026-11-21T06:12:00Z') };
const captured = (
  JSON.parse(readFileSync(resolve(__dirname, '../../../../../../test/fixtures/alertmanager-0.25/events-v2-trigger.json'), 'utf8')) as { body: EventsV2Event }
).body;
/** What Alertmanager's `pagerduty_configs` sends by default: `severity: "error"` whatever the alerts' labels say. */
const withDefaultSeverity = (firing: string): EventsV2Event => ({
  ...captured,
  payload: { ...captured.payload!, severity: 'error', custom_details: { ...(captured.payload!.custom_details as object), firing } },
});
const triggerData = (event: EventsV2Event, labels?: Parameters<typeof alertCommandOfEventsV2>[2]) => (alertCommandOfEventsV2(event, row, labels) as TriggerAlert).data;

describe('alertCommandOfEventsV2', () => {
  it('takes the severity from the alerts\' severity labels over the default "error" of pagerduty_configs', () => {
    const critical = (captured.payload!.custom_details as { firing: string }).firing;
    expect(triggerData(withDefaultSeverity(critical))).toMatchObject({ severity: 'critical', service: 'checkout' });
    const warning = critical.replaceAll('severity = critical', 'severity = warning');
    expect(triggerData(withDefaultSeverity(warning))).toMatchObject({ severity: 'warning' });
  });

  it('takes the most severe label of a group', () => {
    const text = 'Labels:\n - alertname = A\n - severity = info\nAnnotations:\nSource: \nLabels:\n - alertname = A\n - severity = critical\nSource: \n';
    expect(triggerData(withDefaultSeverity(text)).severity).toBe('critical');
  });

  it('reads labels sent as custom_details keys, with configured label names', () => {
    const event: EventsV2Event = { ...captured, payload: { summary: 's', source: 'x', severity: 'info', custom_details: { app: 'payments', priority: 'critical' } } };
    expect(triggerData(event, { service: ['app'], severity: ['priority'] })).toMatchObject({ severity: 'critical', service: 'payments' });
  });

  it('keeps payload.severity and no service when no label says otherwise', () => {
    const event: EventsV2Event = { ...captured, payload: { summary: 's', source: 'x', severity: 'warning', custom_details: { note: 'no labels' } } };
    expect(triggerData(event)).toMatchObject({ severity: 'warning', service: null });
    expect(triggerData({ ...event, payload: { ...event.payload!, custom_details: undefined } })).toMatchObject({ severity: 'warning', service: null });
  });
});
