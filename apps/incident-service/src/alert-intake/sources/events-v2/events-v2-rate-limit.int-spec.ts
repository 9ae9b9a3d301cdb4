import { anEventsV2Event, bootAlertTestApp, createIntegration, type AlertTestApp } from '../../testing/events-v2.testing';

const LIMIT = 5;

describe('EventsV2ThrottlerGuard', () => {
  let t: AlertTestApp;

  beforeAll(async () => {
    t = await bootAlertTestApp('alerts_rate_limit', 10, { rateLimitPerMinute: LIMIT });
  });

  afterAll(async () => {
    await t.close();
  });

  const ledgerCount = async (integrationId: string) =>
    Number((await t.db.pool.query<{ n: string }>('SELECT count(*) AS n FROM alert_intake WHERE integration_id = $1', [integrationId])).rows[0].n);

  it('answers the delivery past the limit of a routing key 429 in PagerDuty’s shape, records nothing, and keeps other routing keys flowing', async () => {
    const noisy = await createIntegration(t.http, { name: 'noisy' });
    const quiet = await createIntegration(t.http, { name: 'quiet' });
    for (let i = 0; i < LIMIT; i++) {
      const sent = await t.http.post('/v2/enqueue').send(anEventsV2Event(noisy.routingKey, { dedup_key: `noisy-${i}` }));
      expect(sent.status).toBe(202);
      expect(sent.headers['x-ratelimit-remaining']).toBe(String(LIMIT - i - 1));
    }

    const throttled = await t.http.post('/v2/enqueue').send(anEventsV2Event(noisy.routingKey, { dedup_key: 'noisy-over' }));
    expect(throttled.status).toBe(429);
    expect(throttled.headers['content-type']).toMatch(/^application\/json/);
    expect(throttled.body).toEqual({ status: 'throttle exceeded', message: 'Requests for this service are arriving too quickly. Please retry later.' });
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0);
    expect(await ledgerCount(noisy.id)).toBe(LIMIT);

    const other = await t.http.post('/v2/enqueue').send(anEventsV2Event(quiet.routingKey, { dedup_key: 'quiet-1' }));
    expect(other.status).toBe(202);
    expect(other.body).toMatchObject({ status: 'success', dedup_key: 'quiet-1' });
    expect(await ledgerCount(quiet.id)).toBe(1);
  });

  it('counts bodies without a routing key against the client address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i <= LIMIT; i++) statuses.push((await t.http.post('/v2/enqueue').send({ event_action: 'trigger' })).status);
    expect(statuses).toEqual([...Array<number>(LIMIT).fill(400), 429]);
  });
});
