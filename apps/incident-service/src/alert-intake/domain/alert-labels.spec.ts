import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { alertLabelFacts, alertSeverityOfLabelValue, DEFAULT_ALERT_LABEL_NAMES, groupLabelFacts, labelSetsOfAlertmanagerText } from './alert-labels';

const firingText = (
  JSON.parse(readFileSync(resolve(__dirname, '../../../../../test/fixtures/alertmanager-0.25/events-v2-trigger.json'), 'utf8')) as {
    body: { payload: { custom_details: { firing: string } } };
  }
).body.payload.custom_details.firing;

describe('alertLabelFacts', () => {
  it('reads service and severity from the configured labels, first present wins', () => {
    const names = { service: ['app', 'service'], severity: ['priority', 'severity'] };
    expect(alertLabelFacts({ service: 'checkout', app: ' payments ', severity: 'CRITICAL' }, names)).toEqual({ service: 'payments', severity: 'critical' });
    expect(alertLabelFacts({ service: 'checkout', app: ' ', severity: 'page' }, names)).toEqual({ service: 'checkout', severity: null });
    expect(alertLabelFacts({}, DEFAULT_ALERT_LABEL_NAMES)).toEqual({ service: null, severity: null });
  });

  it('names only the four PagerDuty severities', () => {
    expect(['critical', 'Error', 'warning', 'info', 'page', 'none', ''].map(alertSeverityOfLabelValue)).toEqual(['critical', 'error', 'warning', 'info', null, null, null]);
  });
});

describe('groupLabelFacts', () => {
  it('takes the most severe severity of the group and the first service', () => {
    const sets: Record<string, string>[] = [{ severity: 'warning' }, { severity: 'critical', service: 'db' }, { severity: 'info', service: 'web' }];
    expect(groupLabelFacts(sets, DEFAULT_ALERT_LABEL_NAMES)).toEqual({ service: 'db', severity: 'critical' });
  });
});

describe('labelSetsOfAlertmanagerText', () => {
  it('reads the label sets of the captured Alertmanager 0.25 pagerduty details text', () => {
    expect(labelSetsOfAlertmanagerText(firingText)).toEqual([
      { alertname: 'HighErrorRate', instance: 'checkout-2b1c:8080', service: 'checkout', severity: 'critical' },
      { alertname: 'HighErrorRate', instance: 'checkout-7d9f:8080', service: 'checkout', severity: 'critical' },
    ]);
  });

  it('gives no sets for text of another shape', () => {
    expect(labelSetsOfAlertmanagerText('disk full')).toEqual([]);
    expect(labelSetsOfAlertmanagerText('')).toEqual([]);
  });
});
