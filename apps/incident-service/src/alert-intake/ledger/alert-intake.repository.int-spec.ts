import { getDataSourceToken } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { eventually } from '../../../../../test/support/eventually';
import { AlertDedupCounterWorker } from '../dedup/alert-dedup-counter.worker';
import { CountAbsorbedTriggersApart1732000003700 } from '../dedup/alert-dedup-uncounted.migration';
import { alertStreamId } from '../domain/alert-stream';
import { INCIDENT_DATA_SOURCE } from '../../incident-service.tokens';
import { anEventsV2Event, bootAlertTestApp, capturedAlertmanagerRequest, createIntegration, type AlertTestApp } from '../testing/events-v2.testing';
import { ACCEPTED_INTAKE_BATCHES, AlertIntakeRepository, STORED_DISPLAY_ABOVE_CHARS, type NewIntake } from './alert-intake.repository';
import { INTAKE_LEASE_MS } from './alert-intake.processor';

describe('alert intake ledger: how deliveries are written', () => {
  jest.setTimeout(30_000);
  let t: AlertTestApp;

  beforeAll(async () => {
    t = await bootAlertTestApp('alert_intake_writes');
  });

  afterAll(async () => {
    await t.close();
  });

  it('keeps a typical delivery row in the table itself: nothing compressed or moved to TOAST', async () => {
    const integration = await createIntegration(t.http);
    const captured = capturedAlertmanagerRequest('events-v2-trigger.json', integration.routingKey);
    // The capture with a runbook note in its details: a delivery of ~2 KB, as Alertmanager's with annotations are.
    const body = captured.parsed as { payload: { custom_details: Record<string, unknown> } };
    body.payload.custom_details = { ...body.payload.custom_details, runbook: `Check the checkout pods, then the database. ${'Step by step. '.repeat(80)}` };
    await t.http.post('/v2/enqueue').set('content-type', 'application/json').send(JSON.stringify(body)).expect(202);

    const { rows } = await t.db.pool.query<{ bytes: number }>(
      'SELECT octet_length(raw_body) + octet_length(headers::text) AS bytes FROM alert_intake WHERE integration_id = $1',
      [integration.id],
    );
    // Over PostgreSQL's default 2 KB threshold, which compressed the row and moved its sealed body out of line.
    expect(rows[0].bytes).toBeGreaterThan(2_100);
    const toast = await t.db.pool.query<{ toast: string }>(`SELECT reltoastrelid::regclass::text AS toast FROM pg_class WHERE relname = 'alert_intake'`);
    const stored = await t.db.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${toast.rows[0].toast}`);
    expect(Number(stored.rows[0].n)).toBe(0);
  });

  // After the TOAST check: this large body is moved out of line, as it should be.
  it('stores the body once, and a redacted copy beside it only for a large body, so a ledger page never parses megabytes', async () => {
    const integration = await createIntegration(t.http);
    const small = anEventsV2Event(integration.routingKey, { dedup_key: `small-${randomUUID()}` });
    const large = anEventsV2Event(integration.routingKey, { dedup_key: `large-${randomUUID()}` });
    (large.payload as { custom_details: Record<string, unknown> }).custom_details = {
      db_password: 'hunter2-large-body-1234',
      instances: Array.from({ length: 600 }, (_, i) => `checkout-${i}.prod.example.com:8080`),
    };
    await t.http.post('/v2/enqueue').send(small).expect(202);
    await t.http.post('/v2/enqueue').send(large).expect(202);

    const stored = await t.db.pool.query<{ dedup_key: string; display_body: string | null; raw_length: number }>(
      'SELECT dedup_key, display_body, octet_length(raw_body) AS raw_length FROM alert_intake WHERE integration_id = $1',
      [integration.id],
    );
    const byKey = new Map(stored.rows.map((row) => [row.dedup_key, row]));
    expect(byKey.get(small.dedup_key as string)!.display_body).toBeNull();
    const copy = byKey.get(large.dedup_key as string)!;
    expect(JSON.stringify(large).length).toBeGreaterThan(STORED_DISPLAY_ABOVE_CHARS);
    expect(copy.display_body).toContain('"db_password":"…1234"');
    expect(copy.display_body).not.toContain('hunter2');

    // Both shown redacted: the small one redacted when read, the large one from its stored copy.
    const page = (await t.http.get(`/v1/integrations/${integration.id}/deliveries`).expect(200)).body.items as { dedupKey: string; rawBody: string }[];
    const shown = new Map(page.map((item) => [item.dedupKey, item.rawBody]));
    expect(shown.get(large.dedup_key as string)).toBe(copy.display_body);
    expect(JSON.parse(shown.get(small.dedup_key as string)!)).toMatchObject({ routing_key: `…${integration.routingKey.slice(-4)}`, dedup_key: small.dedup_key });
  });

  it('records deliveries that arrive while the statements are busy in one batch, each with its own outcome, a key in the order received', async () => {
    const integration = await createIntegration(t.http);
    const dedupKey = `batch-${randomUUID()}`;
    // An open alert to absorb triggers into.
    await t.http.post('/v2/enqueue').send(anEventsV2Event(integration.routingKey, { dedup_key: dedupKey })).expect(202);
    await eventually(async () => {
      const { rows } = await t.db.pool.query('SELECT 1 FROM alert_dedup WHERE stream_id = $1 AND open', [alertStreamId(integration.id, dedupKey)]);
      expect(rows).toHaveLength(1);
    });

    const repository = t.app.get(AlertIntakeRepository);
    // Received one millisecond apart, in the order created.
    const start = Date.now();
    let received = 0;
    const delivery = (action: 'trigger' | 'resolve', key: string): NewIntake => ({
      id: randomUUID(),
      integrationId: integration.id,
      receivedAt: new Date(start + received++),
      headers: {},
      rawBody: JSON.stringify(anEventsV2Event(integration.routingKey, { event_action: action, dedup_key: key })),
      eventAction: action,
      dedupKey: key,
    });
    const absorb = { streamId: alertStreamId(integration.id, dedupKey), severityRank: 3 };
    const fillerDeliveries = Array.from({ length: ACCEPTED_INTAKE_BATCHES.maxInFlight }, () => delivery('trigger', `filler-${randomUUID()}`));
    const [trigger, resolve, triggerAgain] = [delivery('trigger', dedupKey), delivery('resolve', dedupKey), delivery('trigger', dedupKey)];
    // The first ACCEPTED_INTAKE_BATCHES.maxInFlight deliveries (other keys) take every statement slot;
    // the three of `dedupKey`, submitted meanwhile, go together in the next statement.
    const fillers = fillerDeliveries.map((filler) => repository.insertAcceptedOrAbsorbed(filler, 0, null));
    const outcomes = [
      repository.insertAcceptedOrAbsorbed(trigger, INTAKE_LEASE_MS, absorb),
      repository.insertAcceptedOrAbsorbed(resolve, INTAKE_LEASE_MS, null),
      repository.insertAcceptedOrAbsorbed(triggerAgain, INTAKE_LEASE_MS, absorb),
    ];
    await Promise.all(fillers);

    expect(await Promise.all(outcomes)).toEqual([
      // absorbed into the open alert, as alone;
      { verdict: 'duplicate', incarnation: 1 },
      // after a delivery of its key in the same batch: left to the worker, not leased to its caller;
      { verdict: 'accepted', leased: false },
      // not absorbed past the resolve before it (the resolve ends incarnation 1): left to the worker too.
      { verdict: 'accepted', leased: false },
    ]);
    // The worker takes them in the order received: the resolve, then the trigger opens incarnation 2.
    await eventually(async () => {
      const { rows } = await t.db.pool.query<{ id: string; reason: string }>('SELECT id, reason FROM alert_intake WHERE id = ANY($1) AND processed_at IS NOT NULL', [
        [resolve.id, triggerAgain.id],
      ]);
      expect(Object.fromEntries(rows.map((row) => [row.id, row.reason]))).toEqual({
        [resolve.id]: 'resolved incarnation 1',
        [triggerAgain.id]: 'triggered: opened incarnation 2',
      });
    });
  });

  it('keeps absorbed triggers apart until counted, and moves the waiting ones both ways with the migration', async () => {
    const counter = t.app.get(AlertDedupCounterWorker);
    await counter.onModuleDestroy(); // counted by hand below
    const integration = await createIntegration(t.http);
    const dedupKey = `uncounted-${randomUUID()}`;
    const streamId = alertStreamId(integration.id, dedupKey);
    const trigger = anEventsV2Event(integration.routingKey, { dedup_key: dedupKey });
    await t.http.post('/v2/enqueue').send(trigger).expect(202);
    await eventually(async () => expect((await t.db.pool.query('SELECT 1 FROM alert_dedup WHERE stream_id = $1 AND open', [streamId])).rows).toHaveLength(1));
    for (let i = 0; i < 3; i++) await t.http.post('/v2/enqueue').send(trigger).expect(202);

    const waiting = async () => (await t.db.pool.query<{ intake_id: string }>('SELECT intake_id FROM alert_dedup_uncounted WHERE stream_id = $1 ORDER BY intake_id', [streamId])).rows;
    const absorbedIds = (
      await t.db.pool.query<{ id: string }>("SELECT id FROM alert_intake WHERE integration_id = $1 AND verdict = 'duplicate' ORDER BY id", [integration.id])
    ).rows.map((row) => row.id);
    expect(absorbedIds).toHaveLength(3);
    expect((await waiting()).map((row) => row.intake_id)).toEqual(absorbedIds);

    const runner = t.app.get<DataSource>(getDataSourceToken(INCIDENT_DATA_SOURCE)).createQueryRunner();
    try {
      const migration = new CountAbsorbedTriggersApart1732000003700();
      await migration.down(runner);
      const flagged = await t.db.pool.query<{ id: string }>('SELECT id FROM alert_intake WHERE dedup_counted = false ORDER BY id');
      expect(flagged.rows.map((row) => row.id)).toEqual(absorbedIds);
      await migration.up(runner);
    } finally {
      await runner.release();
    }
    expect((await waiting()).map((row) => row.intake_id)).toEqual(absorbedIds);

    expect(await counter.countAll()).toBe(3);
    expect(await waiting()).toEqual([]);
    const { rows } = await t.db.pool.query<{ trigger_count: number }>('SELECT trigger_count FROM alert_dedup WHERE stream_id = $1', [streamId]);
    expect(rows[0].trigger_count).toBe(4);
  });
});
