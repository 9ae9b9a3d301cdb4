import { eventually } from '../../../../../../test/support/eventually';
import { AlertIntakeProcessor } from '../../ledger/alert-intake.processor';
import { anEventsV2Event, bootAlertTestApp, createIntegration, withConcurrency, type AlertTestApp } from '../../testing/events-v2.testing';

/**
 * An alert storm: 200 dedup keys × 10 deliveries = 2,000 deliveries, sent as 10 waves (one delivery
 * per key each, so each key sees its deliveries in a known order) of 200 concurrent-ish requests
 * (at most 16 in flight). Per key: T T A T R R T T R T — 3 incarnations, 6 accepted, 4 duplicates.
 */
const KEYS = 200;
const WAVES = ['trigger', 'trigger', 'acknowledge', 'trigger', 'resolve', 'resolve', 'trigger', 'trigger', 'resolve', 'trigger'] as const;
const CONCURRENCY = 16;

describe('EventsV2HttpController under an alert storm', () => {
  let t: AlertTestApp;

  beforeAll(async () => {
    t = await bootAlertTestApp('alerts_storm', 40);
  });

  afterAll(async () => {
    await t.close();
  });

  it('answers 2,000 deliveries over 200 keys with 202, records each, and opens one incident per key-incarnation', async () => {
    const integration = await createIntegration(t.http, { name: 'storm' });
    const processor = t.app.get(AlertIntakeProcessor);
    const admittedBefore = { ...processor.admissions };
    const started = Date.now();
    const statuses: number[] = [];
    for (const action of WAVES) {
      const wave = Array.from({ length: KEYS }, (_, key) => async () => {
        const event = anEventsV2Event(integration.routingKey, { event_action: action, dedup_key: `storm-${key}` });
        return (await t.http.post('/v2/enqueue').send(event)).status;
      });
      statuses.push(...(await withConcurrency(CONCURRENCY, wave)));
    }
    const answeredMs = Date.now() - started;
    expect(statuses).toHaveLength(KEYS * WAVES.length);
    expect(statuses.filter((status) => status !== 202)).toEqual([]);
    // Under pressure (> 8 in flight, or > 100 a second) processing gives way to intake: the storm's
    // deliveries are queued for the worker, not processed in their requests (only the first ones,
    // before the pressure showed). Before, up to 4 at a time were processed in requests all through it.
    const admitted = (outcome: keyof typeof admittedBefore) => processor.admissions[outcome] - admittedBefore[outcome];
    console.log(`alert storm admissions: ${JSON.stringify({ absorbed: admitted('absorbed'), processed: admitted('processed'), queued: admitted('queued') })}`);
    expect(admitted('processed')).toBeLessThanOrEqual(150);
    expect(admitted('queued')).toBeGreaterThan(1_000);

    const count = async (sql: string, params: unknown[] = []) => Number((await t.db.pool.query<{ n: string }>(sql, params)).rows[0].n);
    await eventually(async () => {
      expect(await count('SELECT count(*) AS n FROM alert_intake WHERE integration_id = $1 AND processed_at IS NOT NULL', [integration.id])).toBe(2000);
    }, 60_000);
    const verdicts = await t.db.pool.query<{ verdict: string; n: string }>(
      'SELECT verdict, count(*) AS n FROM alert_intake WHERE integration_id = $1 GROUP BY verdict ORDER BY verdict',
      [integration.id],
    );
    expect(verdicts.rows.map((r) => [r.verdict, Number(r.n)])).toEqual([
      ['accepted', 1200],
      ['duplicate', 800],
    ]);

    const declared = "SELECT count(*) AS n FROM events WHERE event_type = 'IncidentDeclared' AND data->>'detectionSource' = 'alert:storm'";
    await eventually(async () => expect(await count(declared)).toBe(KEYS * 3), 90_000, 200);
    const incidentsMs = Date.now() - started;
    // At most one incident per key-incarnation: one AlertTriggered per (stream, incarnation), one declaration per incident stream.
    expect(
      await count(
        "SELECT count(*) AS n FROM (SELECT stream_id, data->>'incarnation' FROM events WHERE event_type = 'AlertTriggered' AND data->>'integrationId' = $1 GROUP BY 1, 2 HAVING count(*) > 1) d",
        [integration.id],
      ),
    ).toBe(0);
    expect(await count("SELECT count(*) AS n FROM events WHERE event_type = 'AlertTriggered' AND data->>'integrationId' = $1", [integration.id])).toBe(KEYS * 3);
    expect(
      await count(
        "SELECT count(*) AS n FROM (SELECT stream_id FROM events WHERE event_type = 'IncidentDeclared' GROUP BY stream_id HAVING count(*) > 1) d",
      ),
    ).toBe(0);
    await eventually(async () => {
      expect(await count("SELECT count(*) AS n FROM events WHERE event_type = 'IncidentResolved' AND metadata->>'actor' = $1", [`integration:${integration.id}`])).toBe(KEYS * 2);
    }, 60_000, 200);
    console.log(
      `alert storm: ${statuses.length} deliveries over ${KEYS} keys, concurrency ${CONCURRENCY}: all answered in ${answeredMs} ms; ` +
        `${KEYS * 3} incidents opened (${KEYS * 2} auto-resolved) by ${incidentsMs} ms`,
    );
  }, 240_000);
});
