import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { INCIDENT_SEVERITIES, OPEN_INCIDENT_STATUSES } from '../domain/incident.values';
import { INCIDENT_DATA_SOURCE } from '../../incident-service.tokens';

/** Mean time to acknowledge / resolve over a set of incidents. Seconds; `null` when `count` is 0. */
export interface DurationStat {
  count: number;
  meanSeconds: number | null;
  p50Seconds: number | null;
  p90Seconds: number | null;
}

export interface DurationBreakdown {
  overall: DurationStat;
  bySeverity: Record<string, DurationStat>;
  byService: Record<string, DurationStat>;
}

/**
 * What `GET /v1/dashboard` shows. `window` bounds the MTTA/MTTR samples: MTTA over incidents declared
 * in the window and acknowledged (declared -> first acknowledgement), MTTR over incidents resolved in
 * the window (declared -> resolved). Open counts and the oldest unacknowledged are as of `generatedAt`.
 * `autoResolved`: whether incidents declared from an alert and resolved with no human action were left
 * out of MTTA/MTTR (`filter: 'exclude'`), and how many of the window's samples that removed.
 */
export interface Dashboard {
  generatedAt: string;
  window: { from: string; to: string };
  open: { total: number; bySeverity: Record<string, number>; byStatus: Record<string, number> };
  mtta: DurationBreakdown;
  mttr: DurationBreakdown;
  oldestUnacknowledged: { id: string; title: string; severity: string; status: string; declaredAt: string; ageSeconds: number }[];
  autoResolved: { filter: AutoResolvedFilter; excludedFromMtta: number; excludedFromMttr: number };
}

/** `include` (default: every incident counts) or `exclude` (auto-resolved alert incidents leave MTTA/MTTR). */
export type AutoResolvedFilter = 'include' | 'exclude';
export const AUTO_RESOLVED_FILTERS: readonly AutoResolvedFilter[] = ['include', 'exclude'];

/** The dashboard as of `now`, with MTTA/MTTR over the `windowDays` days before it, with or without auto-resolved alert incidents. */
export class GetDashboardQuery extends Query<Dashboard> {
  constructor(
    readonly now: Date,
    readonly windowDays: number,
    readonly autoResolved: AutoResolvedFilter = 'include',
  ) {
    super();
  }
}

interface StatRow {
  key: string | null;
  count: string;
  mean: number | null;
  p50: number | null;
  p90: number | null;
}

const round = (value: number | null) => (value === null ? null : Math.round(value * 10) / 10);
const toStat = (row: StatRow | undefined): DurationStat => ({
  count: row ? Number(row.count) : 0,
  meanSeconds: round(row?.mean ?? null),
  p50Seconds: round(row?.p50 ?? null),
  p90Seconds: round(row?.p90 ?? null),
});

/** Reads only the `incident_summaries` read model. */
@QueryHandler(GetDashboardQuery)
export class GetDashboardHandler implements IQueryHandler<GetDashboardQuery, Dashboard> {
  constructor(@InjectDataSource(INCIDENT_DATA_SOURCE) private readonly db: DataSource) {}

  async execute({ now, windowDays, autoResolved }: GetDashboardQuery): Promise<Dashboard> {
    const from = new Date(now.getTime() - windowDays * 86_400_000);
    const open = await this.db.query<{ severity: string; status: string; n: string }[]>(
      `SELECT severity, status, count(*) AS n FROM incident_summaries WHERE status = ANY($1) GROUP BY severity, status`,
      [[...OPEN_INCIDENT_STATUSES]],
    );
    const bySeverity = Object.fromEntries(INCIDENT_SEVERITIES.map((s) => [s, 0]));
    const byStatus = Object.fromEntries(OPEN_INCIDENT_STATUSES.map((s) => [s, 0]));
    let total = 0;
    for (const row of open) {
      const n = Number(row.n);
      total += n;
      bySeverity[row.severity] = (bySeverity[row.severity] ?? 0) + n;
      byStatus[row.status] = (byStatus[row.status] ?? 0) + n;
    }
    const mttaWhere = 'declared_at >= $1 AND declared_at < $2 AND acknowledged_at IS NOT NULL';
    const mttrWhere = 'resolved_at >= $1 AND resolved_at < $2';
    const only = (where: string) => (autoResolved === 'exclude' ? `${where} AND NOT auto_resolved` : where);
    const mtta = await this.durations('acknowledged_at', only(mttaWhere), from, now);
    const mttr = await this.durations('resolved_at', only(mttrWhere), from, now);
    const [excluded] =
      autoResolved === 'exclude'
        ? await this.db.query<{ mtta: string; mttr: string }[]>(
            `SELECT count(*) FILTER (WHERE ${mttaWhere}) AS mtta, count(*) FILTER (WHERE ${mttrWhere}) AS mttr FROM incident_summaries WHERE auto_resolved`,
            [from, now],
          )
        : [{ mtta: '0', mttr: '0' }];
    const oldest = await this.db.query<{ id: string; title: string; severity: string; status: string; declared_at: Date }[]>(
      `SELECT id, title, severity, status, declared_at FROM incident_summaries
       WHERE status = ANY($1) AND acknowledged_at IS NULL ORDER BY declared_at ASC, id ASC LIMIT 5`,
      [[...OPEN_INCIDENT_STATUSES]],
    );
    return {
      generatedAt: now.toISOString(),
      window: { from: from.toISOString(), to: now.toISOString() },
      open: { total, bySeverity, byStatus },
      mtta,
      mttr,
      autoResolved: { filter: autoResolved, excludedFromMtta: Number(excluded?.mtta ?? 0), excludedFromMttr: Number(excluded?.mttr ?? 0) },
      oldestUnacknowledged: oldest.map((row) => ({
        id: row.id,
        title: row.title,
        severity: row.severity,
        status: row.status,
        declaredAt: row.declared_at.toISOString(),
        ageSeconds: Math.max(0, Math.round((now.getTime() - row.declared_at.getTime()) / 1000)),
      })),
    };
  }

  /** Seconds from `declared_at` to `endColumn`, overall, by severity and by (each affected) service. */
  private async durations(endColumn: 'acknowledged_at' | 'resolved_at', where: string, from: Date, to: Date): Promise<DurationBreakdown> {
    const stats = `count(*) AS count, avg(d) AS mean,
      percentile_cont(0.5) WITHIN GROUP (ORDER BY d) AS p50, percentile_cont(0.9) WITHIN GROUP (ORDER BY d) AS p90`;
    const sample = `SELECT severity, services, extract(epoch FROM ${endColumn} - declared_at)::float8 AS d FROM incident_summaries WHERE ${where}`;
    const [overall] = await this.db.query<StatRow[]>(`SELECT NULL AS key, ${stats} FROM (${sample}) s`, [from, to]);
    const severities = await this.db.query<StatRow[]>(`SELECT severity AS key, ${stats} FROM (${sample}) s GROUP BY severity`, [from, to]);
    const services = await this.db.query<StatRow[]>(
      `SELECT service AS key, ${stats} FROM (${sample}) s, unnest(s.services) AS service GROUP BY service ORDER BY service`,
      [from, to],
    );
    return {
      overall: toStat(Number(overall?.count ?? 0) > 0 ? overall : undefined),
      bySeverity: Object.fromEntries(severities.map((row) => [row.key ?? '', toStat(row)])),
      byService: Object.fromEntries(services.map((row) => [row.key ?? '', toStat(row)])),
    };
  }
}
