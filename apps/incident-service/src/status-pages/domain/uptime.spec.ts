import { formatUptime, uptimeBar } from './uptime';

const point = (at: string, status: 'operational' | 'major_outage' | 'partial_outage' | 'degraded_performance' | 'under_maintenance') => ({ at, status });

describe(uptimeBar.name, () => {
  it('counts a major outage fully and a partial outage at 30%, degraded performance and maintenance not at all', () => {
    const history = [
      point('2026-01-01T00:00:00Z', 'operational'),
      point('2026-03-10T10:00:00Z', 'major_outage'), // 1 h
      point('2026-03-10T11:00:00Z', 'partial_outage'), // 2 h at 30% = 36 min
      point('2026-03-10T13:00:00Z', 'degraded_performance'),
      point('2026-03-10T14:00:00Z', 'under_maintenance'),
      point('2026-03-10T15:00:00Z', 'operational'),
    ];
    const bar = uptimeBar(history, 'UTC', new Date('2026-03-11T00:00:00Z'), 3);
    expect(bar.days.map((d) => d.date)).toEqual(['2026-03-09', '2026-03-10', '2026-03-11']);
    const day = bar.days[1];
    expect(day.downtimeMs).toBe(96 * 60_000);
    expect(day.worst).toBe('major_outage');
    expect(day.uptime).toBeCloseTo(1 - 96 / 1440, 10);
    expect(bar.days[0]).toMatchObject({ worst: 'operational', uptime: 1 });
    // Today has begun at midnight exactly: nothing observed yet.
    expect(bar.days[2]).toMatchObject({ observedMs: 0, worst: null, uptime: null });
    expect(bar.uptime).toBeCloseTo(1 - 96 / 2880, 10);
  });

  it('shows no data before the component existed and only counts the time since', () => {
    const bar = uptimeBar([point('2026-03-10T12:00:00Z', 'operational'), point('2026-03-10T18:00:00Z', 'major_outage')], 'UTC', new Date('2026-03-11T00:00:00Z'), 2);
    expect(bar.days[0]).toMatchObject({ date: '2026-03-10', observedMs: 12 * 3_600_000, downtimeMs: 6 * 3_600_000, uptime: 0.5 });
    expect(uptimeBar([point('2026-03-10T12:00:00Z', 'operational')], 'UTC', new Date('2026-03-10T12:00:00Z'), 5).days.slice(0, 4).every((d) => d.worst === null)).toBe(true);
  });

  it('cuts days at midnight in the page time zone, a DST day lasting 23 hours', () => {
    // Europe/Berlin went to summer time on 2026-03-29: that day has 23 hours.
    const bar = uptimeBar([point('2026-03-01T00:00:00Z', 'operational')], 'Europe/Berlin', new Date('2026-03-31T12:00:00Z'), 3);
    expect(bar.days.map((d) => [d.date, d.observedMs / 3_600_000])).toEqual([
      ['2026-03-29', 23],
      ['2026-03-30', 24],
      ['2026-03-31', 14], // 00:00 CEST = 22:00 UTC the day before, up to 12:00 UTC
    ]);
  });

  it('carries a status begun before the window into it (an outage still going on)', () => {
    const bar = uptimeBar([point('2026-01-01T00:00:00Z', 'operational'), point('2026-01-02T00:00:00Z', 'major_outage')], 'UTC', new Date('2026-03-11T06:00:00Z'), 1);
    expect(bar.days[0]).toMatchObject({ worst: 'major_outage', uptime: 0 });
  });

  it('formats uptime truncated to two decimals, so that any downtime shows below 100%', () => {
    expect(formatUptime(1)).toBe('100.00%');
    expect(formatUptime(0.999999)).toBe('99.99%');
    expect(formatUptime(0.5)).toBe('50.00%');
  });
});
