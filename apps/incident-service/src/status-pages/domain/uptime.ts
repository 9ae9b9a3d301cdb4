import { DateTime } from 'luxon';
import type { StatusPoint } from './status-page-view';
import { COMPONENT_STATUS_RANK, type ComponentStatus } from './status-page.values';

/**
 * How much of a minute in each status counts as downtime, after Statuspage's uptime showcase
 * ("Display historical uptime of components", Statuspage help): a major outage counts fully, a partial
 * outage 30%, degraded performance, maintenance and operational not at all.
 */
export const DOWNTIME_WEIGHT: Record<ComponentStatus, number> = {
  operational: 0,
  under_maintenance: 0,
  degraded_performance: 0,
  partial_outage: 0.3,
  major_outage: 1,
};

/** One day of an uptime bar. `worst` is null when the component did not exist yet (no data). */
export interface UptimeDay {
  /** `YYYY-MM-DD` in the page's time zone. */
  date: string;
  /** Milliseconds of the day the component existed, up to `now`. */
  observedMs: number;
  /** Weighted downtime in ms (see `DOWNTIME_WEIGHT`). */
  downtimeMs: number;
  /** The most severe status shown at any moment of the day. */
  worst: ComponentStatus | null;
  /** `1 - downtime / observed`, null without data. */
  uptime: number | null;
}

export interface UptimeBar {
  days: UptimeDay[];
  /** Over the whole window: `1 - Σ downtime / Σ observed`; null when nothing was observed. */
  uptime: number | null;
}

/**
 * The last `days` calendar days (in `timeZone`, today included and cut at `now`) of a component's
 * displayed-status history. Days follow the zone's calendar, so a DST day lasts 23 or 25 hours.
 *
 * @param history displayed-status points, oldest first, the first at the component's creation.
 */
export function uptimeBar(history: readonly StatusPoint[], timeZone: string, now: Date, days = 90): UptimeBar {
  const end = now.getTime();
  const today = DateTime.fromMillis(end, { zone: timeZone }).startOf('day');
  const created = history.length > 0 ? Date.parse(history[0].at) : end;
  const result: UptimeDay[] = [];
  let observedTotal = 0;
  let downtimeTotal = 0;
  for (let offset = days - 1; offset >= 0; offset--) {
    const dayStart = today.minus({ days: offset });
    const from = Math.max(dayStart.toMillis(), created);
    const to = Math.min(dayStart.plus({ days: 1 }).toMillis(), end);
    const day: UptimeDay = { date: dayStart.toISODate() ?? '', observedMs: 0, downtimeMs: 0, worst: null, uptime: null };
    if (to > from) {
      for (let i = 0; i < history.length; i++) {
        const start = Math.max(Date.parse(history[i].at), from);
        const stop = Math.min(i + 1 < history.length ? Date.parse(history[i + 1].at) : end, to);
        // A status that was shown at the day's start or began within it counts, even for zero time.
        const shown = i + 1 < history.length ? Date.parse(history[i + 1].at) > from : true;
        if (!shown || Date.parse(history[i].at) >= to) continue;
        const status = history[i].status;
        if (day.worst === null || COMPONENT_STATUS_RANK[status] > COMPONENT_STATUS_RANK[day.worst]) day.worst = status;
        if (stop > start) day.downtimeMs += (stop - start) * DOWNTIME_WEIGHT[status];
      }
      day.observedMs = to - from;
      day.uptime = 1 - day.downtimeMs / day.observedMs;
      observedTotal += day.observedMs;
      downtimeTotal += day.downtimeMs;
    }
    result.push(day);
  }
  return { days: result, uptime: observedTotal > 0 ? 1 - downtimeTotal / observedTotal : null };
}

/** `0.99873` → `99.87%` (two decimals, truncated so that any downtime shows below 100%). */
export function formatUptime(uptime: number): string {
  const hundredths = Math.floor(uptime * 10_000 + 1e-9);
  return `${(hundredths / 100).toFixed(2)}%`;
}
