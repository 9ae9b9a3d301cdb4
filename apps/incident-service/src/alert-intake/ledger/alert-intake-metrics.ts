import type { ServiceGauge } from '@fireline/observability';
import { AlertIntakeProcessor, type Admission } from './alert-intake.processor';

/**
 * The intake ledger on `/metrics` (read at scrape time):
 * - `fireline_alert_intake_unprocessed{state}`: recorded deliveries not processed yet — `due` (queued
 *   under a storm, or a lease ran out: the worker's next claim) and `leased` (in progress, or waiting
 *   for the retry of a failed attempt). A growing `due` is a storm the worker has not caught up with.
 *   One count over the partial index of unprocessed rows.
 * - `fireline_alert_intake_admissions{outcome}`: deliveries this instance admitted since it started,
 *   `absorbed` (duplicate of an open alert, recorded only), `processed` (in the request) or `queued`.
 * - `fireline_alert_intake_pressure{signal}`: `in_flight`, deliveries being admitted now; `high`, 1
 *   while the intake is under pressure (an alert storm: deliveries are queued, not processed in their
 *   requests, and the worker processes one at a time), else 0.
 */
export const ALERT_INTAKE_GAUGES: readonly ServiceGauge[] = [
  {
    name: 'alert_intake_unprocessed',
    help: 'Recorded alert deliveries not processed yet: due (queued, or lease run out) or leased (in progress, or retrying after a failed attempt).',
    label: 'state',
    async read(pool) {
      // Unprocessed rows are the pending index's (`next_attempt_at IS NOT NULL`), read through it.
      const { rows } = await pool.query<{ due: string; leased: string }>(
        `SELECT count(*) FILTER (WHERE next_attempt_at <= now())::text AS due, count(*) FILTER (WHERE next_attempt_at > now())::text AS leased
         FROM alert_intake WHERE next_attempt_at IS NOT NULL AND processed_at IS NULL`,
      );
      return { due: Number(rows[0]?.due ?? 0), leased: Number(rows[0]?.leased ?? 0) };
    },
  },
  {
    name: 'alert_intake_admissions',
    help: 'Alert deliveries this instance admitted since it started: absorbed (duplicate of an open alert), processed in the request, or queued for the worker.',
    label: 'outcome',
    read(_pool, resolve) {
      const admissions: Record<Admission, number> = resolve<AlertIntakeProcessor>(AlertIntakeProcessor).admissions;
      return Promise.resolve({ ...admissions });
    },
  },
  {
    name: 'alert_intake_pressure',
    help: 'Alert intake pressure on this instance: in_flight = deliveries being admitted now; high = 1 while processing gives way to intake (an alert storm), else 0.',
    label: 'signal',
    read(_pool, resolve) {
      const { pressure } = resolve<AlertIntakeProcessor>(AlertIntakeProcessor);
      return Promise.resolve({ in_flight: pressure.admitting, high: pressure.isHigh() ? 1 : 0 });
    },
  },
];
