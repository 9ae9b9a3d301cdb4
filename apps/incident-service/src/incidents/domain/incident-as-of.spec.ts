import { ValidationError } from '@fireline/errors';
import {
  anIncidentAcknowledged,
  anIncidentClosed,
  anIncidentDeclared,
  anIncidentResolved,
  anIncidentSeverityChanged,
  anIncidentStatusChanged,
  minutesAfterTestNow,
} from '../testing/incident.factories';
import { incidentAsOf } from './incident-as-of';

const at = (minutes: number) => minutesAfterTestNow(minutes).toISOString();

const history = [
  anIncidentDeclared({ at: at(0) }),
  anIncidentAcknowledged({ at: at(5) }),
  anIncidentSeverityChanged({ from: 'SEV2', to: 'SEV1', at: at(10) }),
  anIncidentStatusChanged({ from: 'detected', to: 'mitigating', at: at(15) }),
  anIncidentResolved({ at: at(30) }),
  anIncidentClosed({ at: at(60) }),
];

describe(incidentAsOf.name, () => {
  it('returns no incident when the time is before the declaration', () => {
    expect(incidentAsOf(history, minutesAfterTestNow(-1))).toEqual({ status: 'none' });
  });

  it('includes an event that happened exactly at the time', () => {
    expect(incidentAsOf(history, minutesAfterTestNow(0))).toMatchObject({ status: 'detected', acknowledgedAt: null, severity: 'SEV2' });
  });

  it('folds only the events up to the time', () => {
    expect(incidentAsOf(history, new Date(minutesAfterTestNow(12).getTime()))).toMatchObject({
      status: 'detected',
      acknowledgedAt: at(5),
      severity: 'SEV1',
      resolvedAt: null,
    });
  });

  it('stops one millisecond before an event', () => {
    expect(incidentAsOf(history, new Date(minutesAfterTestNow(30).getTime() - 1))).toMatchObject({ status: 'mitigating', resolvedAt: null });
  });

  it('folds every event when the time is after the last one', () => {
    expect(incidentAsOf(history, minutesAfterTestNow(600))).toMatchObject({ status: 'closed', resolvedAt: at(30), closedAt: at(60) });
  });

  it('stops at the first event after the time, even if a later event carries an earlier time (clock skew)', () => {
    const skewed = [
      anIncidentDeclared({ at: at(0) }),
      anIncidentResolved({ at: at(30) }),
      anIncidentClosed({ at: at(29) }), // written by a host whose clock lags
    ];
    expect(incidentAsOf(skewed, minutesAfterTestNow(29))).toMatchObject({ status: 'detected', closedAt: null });
  });

  it('rejects an invalid date', () => {
    expect(() => incidentAsOf(history, new Date('not a date'))).toThrow(ValidationError);
  });
});
