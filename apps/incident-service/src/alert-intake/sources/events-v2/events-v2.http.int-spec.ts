import { issueKeyIn, withKey } from '../../../../../../test/support/test-credentials';
import { randomUUID } from 'node:crypto';
import { eventually } from '../../../../../../test/support/eventually';
import { alertStreamId } from '../../domain/alert-stream';
import { AlertIntakeProcessor } from '../../ledger/alert-intake.processor';
import { AlertIntakeRepository } from '../../ledger/alert-intake.repository';
import { anEventsV2Event, bootAlertTestApp, capturedAlertmanagerRequest, createIntegration, withConcurrency, type AlertTestApp } from '../../testing/events-v2.testing';
import { AlertWorkflows } from '../../workflows/alert-workflows';
import { AlertDedupCounterWorker } from '../../dedup/alert-dedup-counter.worker';
import { AlertDedupRepository } from '../../dedup/alert-dedup.repository';
import { incidentIdOfAlert } from '../../workflows/alert-incident';

describe('EventsV2HttpController', () => {
  let t: AlertTestApp;

  beforeAll(async () => {
    t = await bootAlertTestApp('alerts_events_v2');
  });

  afterAll(async () => {
    await t.close();
  });

  const enqueue = (body: unknown) => t.http.post('/v2/enqueue').set('authorization', 'Bearer should-not-be-stored').send(body as object);
  const countEvents = async (sql: string, params: unknown[]) => Number((await t.db.pool.query<{ n: string }>(`SELECT count(*) AS n FROM events WHERE ${sql}`, params)).rows[0].n);
  const incident = async (id: string) => (await t.http.get(`/v1/incidents/${id}`)).body as Record<string, unknown>;
  const deliveries = async (integrationId: string) =>
    (await t.http.get(`/v1/integrations/${integrationId}/deliveries?limit=100`)).body.items as Record<string, unknown>[];

  it('opens an incident from the captured Alertmanager 0.25 trigger and resolves it from the captured resolve', async () => {
    const integration = await createIntegration(t.http, { name: 'prometheus-prod' });
    const trigger = capturedAlertmanagerRequest('events-v2-trigger.json', integration.routingKey);
    const sent = await t.http.post('/v2/enqueue').set(trigger.headers).send(trigger.body);
    const dedupKey = trigger.parsed.dedup_key as string;
    expect(sent.status).toBe(202);
    expect(sent.body).toEqual({ status: 'success', message: 'Event processed', dedup_key: dedupKey });

    const incidentId = incidentIdOfAlert(integration.id, dedupKey, 1);
    const opened = await eventually(async () => {
      const body = await incident(incidentId);
      expect(body.status).toBe('detected');
      return body;
    });
    expect(opened).toMatchObject({
      title: '[FIRING:2] HighErrorRate checkout (critical)',
      severity: 'SEV1',
      services: ['checkout'],
      detectionSource: 'alert:prometheus-prod',
      declaredBy: `integration:${integration.id}`,
    });

    const resolve = capturedAlertmanagerRequest('events-v2-resolve.json', integration.routingKey);
    expect((await t.http.post('/v2/enqueue').set(resolve.headers).send(resolve.body)).status).toBe(202);
    await eventually(async () => {
      expect(await incident(incidentId)).toMatchObject({ status: 'resolved', resolutionSummary: 'Alert resolved: [RESOLVED] HighErrorRate checkout (critical)' });
    });

    const ledger = await deliveries(integration.id);
    expect(ledger.map((d) => [d.eventAction, d.verdict, d.reason])).toEqual([
      ['resolve', 'accepted', 'resolved incarnation 1'],
      ['trigger', 'accepted', 'triggered: opened incarnation 1'],
    ]);
    expect(ledger[1].headers).toMatchObject({ 'user-agent': 'Alertmanager/0.25.0', 'content-type': 'application/json' });
    // The ledger shows the routing key as its last 4 characters; the stored body is sealed.
    expect(JSON.parse(ledger[1].rawBody as string)).toEqual({ ...trigger.parsed, routing_key: `…${integration.routingKey.slice(-4)}` });
  });

  it('turns the same delivery from 20 concurrent clients into one alert incarnation, one incident and no timeline notes', async () => {
    const integration = await createIntegration(t.http);
    const body = anEventsV2Event(integration.routingKey, { dedup_key: `same-${randomUUID()}` });
    const responses = await Promise.all(Array.from({ length: 20 }, () => enqueue(body)));
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(202));

    const streamId = alertStreamId(integration.id, body.dedup_key as string);
    const incidentId = incidentIdOfAlert(integration.id, body.dedup_key as string, 1);
    await eventually(async () => {
      const ledger = await deliveries(integration.id);
      expect(ledger).toHaveLength(20);
      expect(ledger.every((d) => d.processedAt !== null && d.error === null)).toBe(true);
    }, 30_000);
    await t.app.get(AlertWorkflows).openIncidents.catchUp();
    expect(await countEvents('stream_id = $1 AND event_type = $2', [streamId, 'AlertTriggered'])).toBe(1);
    expect(await countEvents('stream_id = $1 AND event_type = $2', [`incident-${incidentId}`, 'TimelineNoteAdded'])).toBe(0);
    expect(await countEvents("event_type = 'IncidentDeclared' AND data->>'detectionSource' = $1", [`alert:${integration.name}`])).toBe(1);
    const verdicts = (await deliveries(integration.id)).map((d) => d.verdict).sort();
    expect(verdicts).toEqual(['accepted', ...Array(19).fill('duplicate')]);
  }, 60_000);

  it('absorbs a storm of identical triggers of an open alert before its stream: a counter and last-seen time, no event, no note', async () => {
    const integration = await createIntegration(t.http);
    const body = anEventsV2Event(integration.routingKey, { dedup_key: `storm-${randomUUID()}` });
    const streamId = alertStreamId(integration.id, body.dedup_key as string);
    expect((await enqueue(body)).status).toBe(202);

    const responses = await withConcurrency(16, Array.from({ length: 120 }, () => () => enqueue(body)));
    expect(responses.map((r) => r.status)).toEqual(Array(120).fill(202));

    // Processed in the request: nothing left for the worker, no conflicts on the stream.
    const ledger = (
      await t.db.pool.query<{ verdict: string; reason: string; error: string | null; processed_at: Date | null }>(
        'SELECT verdict, reason, error, processed_at FROM alert_intake WHERE integration_id = $1',
        [integration.id],
      )
    ).rows;
    expect(ledger.filter((d) => d.error !== null || d.processed_at === null)).toEqual([]);
    const duplicates = ledger.filter((d) => d.verdict === 'duplicate');
    expect(duplicates).toHaveLength(120);
    expect(new Set(duplicates.map((d) => d.reason))).toEqual(new Set(['deduplicated into open incarnation 1']));
    // Counted into the alert afterwards (no row lock shared by the 120 requests): 1 + 120 triggers, last seen at the newest.
    await t.app.get(AlertDedupCounterWorker).countAll();
    const counted = await t.app.get(AlertDedupRepository).find(streamId);
    const newest = (await t.db.pool.query<{ at: Date }>('SELECT max(received_at) AS at FROM alert_intake WHERE integration_id = $1', [integration.id])).rows[0].at;
    expect(counted).toMatchObject({ open: true, incarnation: 1, triggerCount: 121, lastSeenAt: newest });
    expect(await t.app.get(AlertDedupCounterWorker).countAll()).toBe(0);
    await t.app.get(AlertWorkflows).openIncidents.catchUp();
    expect(await countEvents('stream_id = $1', [streamId])).toBe(1);
    const incidentId = incidentIdOfAlert(integration.id, body.dedup_key as string, 1);
    expect(await countEvents('stream_id = $1 AND event_type = $2', [`incident-${incidentId}`, 'TimelineNoteAdded'])).toBe(0);

    // A resolve still closes it, and the next identical trigger opens incarnation 2 (not absorbed). Right
    // after the storm the intake is still under pressure (120 deliveries > 100 a second): both are
    // queued for the worker, which keeps their order, instead of being processed in their requests.
    expect((await enqueue({ ...body, event_action: 'resolve' })).status).toBe(202);
    expect((await enqueue(body)).status).toBe(202);
    await eventually(async () => expect(await countEvents('stream_id = $1 AND event_type = $2', [streamId, 'AlertTriggered'])).toBe(2));
    await eventually(async () => expect(await incident(incidentIdOfAlert(integration.id, body.dedup_key as string, 2))).toMatchObject({ status: 'detected' }));
  }, 90_000);

  it('queues a storm beyond what it processes in requests and keeps each sender\'s order per dedup key: every trigger then resolve ends resolved', async () => {
    const integration = await createIntegration(t.http);
    const processor = t.app.get(AlertIntakeProcessor);
    const queuedBefore = processor.admissions.queued;
    const keys = Array.from({ length: 60 }, (_, i) => `ordered-${i}-${randomUUID()}`);
    // 20 senders at once, each: trigger, and once that is answered, resolve (PagerDuty's order contract).
    const answers = await withConcurrency(
      20,
      keys.map((key) => async () => {
        const trigger = await enqueue(anEventsV2Event(integration.routingKey, { dedup_key: key }));
        const resolve = await enqueue({ routing_key: integration.routingKey, event_action: 'resolve', dedup_key: key });
        return [trigger.status, resolve.status];
      }),
    );
    expect(answers.flat()).toEqual(Array(120).fill(202));
    expect(processor.admissions.queued - queuedBefore).toBeGreaterThan(0); // some went through the queue

    await eventually(async () => {
      const waiting = await t.db.pool.query('SELECT count(*)::int AS n FROM alert_intake WHERE integration_id = $1 AND processed_at IS NULL', [integration.id]);
      expect(waiting.rows[0].n).toBe(0);
    }, 30_000);
    const ledger = await deliveries(integration.id);
    expect(ledger.filter((d) => d.error !== null)).toEqual([]);
    // A resolve processed before its trigger would be dropped ("no open alert") and leave the alert open.
    expect(ledger.filter((d) => d.eventAction === 'resolve' && d.verdict !== 'accepted').map((d) => d.reason)).toEqual([]);
    const triggered = await countEvents("event_type = 'AlertTriggered' AND data->>'integrationId' = $1", [integration.id]);
    const resolved = await countEvents("event_type = 'AlertResolved' AND data->>'integrationId' = $1", [integration.id]);
    expect([triggered, resolved]).toEqual([60, 60]);
  }, 90_000);

  it('generates a dedup key for a trigger without one, and resolves by it', async () => {
    const integration = await createIntegration(t.http);
    const triggered = await enqueue(anEventsV2Event(integration.routingKey, { dedup_key: undefined }));
    expect(triggered.status).toBe(202);
    const dedupKey = triggered.body.dedup_key as string;
    expect(dedupKey).toMatch(/^[0-9a-f]{32}$/);
    expect((await enqueue({ routing_key: integration.routingKey, event_action: 'resolve', dedup_key: dedupKey })).status).toBe(202);
    await eventually(async () => expect(await incident(incidentIdOfAlert(integration.id, dedupKey, 1))).toMatchObject({ status: 'resolved' }));
  });

  it('accepts and drops acknowledge and resolve with no open alert, and records why', async () => {
    const integration = await createIntegration(t.http);
    const dedupKey = `never-triggered-${randomUUID()}`;
    for (const action of ['acknowledge', 'resolve']) {
      const response = await enqueue({ routing_key: integration.routingKey, event_action: action, dedup_key: dedupKey });
      expect(response.status).toBe(202);
      expect(response.body).toEqual({ status: 'success', message: 'Event processed', dedup_key: dedupKey });
    }
    expect(await countEvents('stream_id = $1', [alertStreamId(integration.id, dedupKey)])).toBe(0);
    expect((await deliveries(integration.id)).map((d) => [d.verdict, d.reason])).toEqual([
      ['duplicate', 'dropped: no open alert to resolve'],
      ['duplicate', 'dropped: no open alert to acknowledge'],
    ]);
  });

  it('opens a new incident for the same dedup key after a resolve', async () => {
    const integration = await createIntegration(t.http);
    const event = anEventsV2Event(integration.routingKey, { dedup_key: `flapping-${randomUUID()}` });
    const key = event.dedup_key as string;
    await enqueue(event);
    await enqueue({ ...event, event_action: 'resolve' });
    await enqueue(event);
    await eventually(async () => {
      expect(await incident(incidentIdOfAlert(integration.id, key, 1))).toMatchObject({ status: 'resolved' });
      expect(await incident(incidentIdOfAlert(integration.id, key, 2))).toMatchObject({ status: 'detected', severity: 'SEV2' });
    });
  });

  it('acknowledges the incident with the alert, and does not auto-resolve once a human has taken over', async () => {
    const integration = await createIntegration(t.http);
    const event = anEventsV2Event(integration.routingKey, { dedup_key: `takeover-${randomUUID()}` });
    const incidentId = incidentIdOfAlert(integration.id, event.dedup_key as string, 1);
    await enqueue(event);
    await enqueue({ ...event, event_action: 'acknowledge' });
    await eventually(async () => expect(await incident(incidentId)).toMatchObject({ acknowledgedBy: `integration:${integration.id}` }));

    const responder = await issueKeyIn(t.app, { role: 'responder', name: 'alice' });
    expect((await withKey(t.app.getHttpServer(), responder.key).post(`/v1/incidents/${incidentId}/status`).send({ status: 'investigating' })).status).toBe(200);
    await enqueue({ ...event, event_action: 'resolve' });
    await eventually(async () => {
      const timeline = (await t.http.get(`/v1/incidents/${incidentId}/timeline`)).body.items as { kind: string }[];
      expect(timeline.map((e) => e.kind)).toEqual(['IncidentDeclared', 'IncidentAcknowledged', 'IncidentStatusChanged', 'TimelineNoteAdded']);
      expect(JSON.stringify(timeline.at(-1))).toContain(`key:${responder.keyId} has taken it over`);
    });
    expect(await incident(incidentId)).toMatchObject({ status: 'investigating' });
  });

  it('processes a delivery left unprocessed by a crash, once, through the worker', async () => {
    const integration = await createIntegration(t.http);
    const intakeId = randomUUID();
    const dedupKey = `crashed-${randomUUID()}`;
    // As if the process died right after recording the delivery (and maybe after the 202): lease expired.
    await t.db.pool.query(
      `INSERT INTO alert_intake (id, integration_id, received_at, headers, raw_body, event_action, dedup_key, verdict, attempts, next_attempt_at)
       VALUES ($1, $2, now(), '{}', $3, 'trigger', $4, 'accepted', 1, now() - interval '1 second')`,
      [intakeId, integration.id, JSON.stringify(anEventsV2Event(integration.routingKey, { dedup_key: dedupKey })), dedupKey],
    );
    const incidentId = incidentIdOfAlert(integration.id, dedupKey, 1);
    await eventually(async () => expect(await incident(incidentId)).toMatchObject({ status: 'detected' }));
    const row = await t.app.get(AlertIntakeRepository).findById(intakeId);
    expect(row).toMatchObject({ verdict: 'accepted', attempts: 2, error: null });
    expect(row?.processedAt).not.toBeNull();

    // Processing the same row again (a second worker, a replay) appends nothing.
    const before = await countEvents('stream_id = $1', [alertStreamId(integration.id, dedupKey)]);
    await t.app.get(AlertIntakeProcessor).process({ ...row!, attempts: 3 });
    expect(await countEvents('stream_id = $1', [alertStreamId(integration.id, dedupKey)])).toBe(before);
  });

  it('records a trigger whose verdict was lost after its append (database outage) as accepted when retried, not as a duplicate of itself', async () => {
    const integration = await createIntegration(t.http);
    const dedupKey = `lost-verdict-${randomUUID()}`;
    expect((await enqueue(anEventsV2Event(integration.routingKey, { dedup_key: dedupKey }))).status).toBe(202);
    const streamId = alertStreamId(integration.id, dedupKey);
    const { rows } = await t.db.pool.query<{ id: string }>('SELECT id FROM alert_intake WHERE integration_id = $1', [integration.id]);
    // The append committed, then the database went away before the ledger's verdict: the row is retried.
    await t.db.pool.query(`UPDATE alert_intake SET processed_at = NULL, reason = NULL, next_attempt_at = now() + interval '1 hour' WHERE id = $1`, [rows[0].id]);
    const row = await t.app.get(AlertIntakeRepository).findById(rows[0].id);

    const outcome = await t.app.get(AlertIntakeProcessor).process(row!);

    expect(outcome).toMatchObject({ verdict: 'accepted' });
    expect(await t.app.get(AlertIntakeRepository).findById(rows[0].id)).toMatchObject({ verdict: 'accepted' });
    expect(await countEvents('stream_id = $1', [streamId])).toBe(1);
  });

  describe('refusals (PagerDuty shape, never problem+json, never 500)', () => {
    let routingKey: string;
    let integrationId: string;

    beforeAll(async () => {
      ({ routingKey, id: integrationId } = await createIntegration(t.http));
    });

    const invalid = (errors: unknown) => ({ status: 'invalid event', message: 'Event object is invalid', errors });

    it.each([
      ['a trigger without payload', { payload: undefined }, ["'payload' is missing or not an object"]],
      ['an unknown severity', { payload: { summary: 's', source: 'x', severity: 'fatal' } }, [expect.stringContaining("'payload.severity' is invalid")]],
      ['a blank summary', { payload: { summary: ' ', source: 'x', severity: 'info' } }, ["'payload.summary' is missing or blank"]],
      ['an unknown event_action', { event_action: 'escalate' }, [expect.stringContaining("'event_action' is invalid")]],
      ['a resolve without dedup_key', { event_action: 'resolve', dedup_key: undefined }, ["'dedup_key' is missing or blank"]],
      ['a dedup_key over 255 characters', { dedup_key: 'k'.repeat(256) }, ["'dedup_key' is longer than 255 characters"]],
    ])('refuses %s with 400 and records it as rejected', async (_case, overrides, errors) => {
      const response = await enqueue(anEventsV2Event(routingKey, overrides));
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(response.body).toEqual(invalid(errors));
      const [latest] = await deliveries(integrationId);
      expect(latest).toMatchObject({ verdict: 'rejected', reason: (response.body.errors as string[]).join('; ') });
      expect(latest.processedAt).not.toBeNull();
    });

    it('refuses a routing key of the wrong length', async () => {
      const response = await enqueue(anEventsV2Event('short'));
      expect(response.status).toBe(400);
      expect(response.body).toEqual(invalid(["Length of 'routing_key' is incorrect (should be 32 characters)"]));
    });

    it('refuses an unknown routing key, and the key of a deleted integration', async () => {
      expect((await enqueue(anEventsV2Event('0123456789abcdef0123456789abcdef'))).body).toEqual(invalid(['Invalid routing key']));
      const doomed = await createIntegration(t.http);
      expect((await t.http.delete(`/v1/integrations/${doomed.id}`)).status).toBe(204);
      const response = await enqueue(anEventsV2Event(doomed.routingKey));
      expect(response.status).toBe(400);
      expect(response.body).toEqual(invalid(['Invalid routing key']));
    });

    it.each([
      ['malformed JSON', 'application/json', '{"routing_key": "abc",'],
      ['an empty JSON body', 'application/json', ''],
      ['a JSON array', 'application/json', '[1,2]'],
      ['a text/plain body', 'text/plain', 'hello'],
    ])('answers %s with 400 in PagerDuty shape', async (_case, contentType, raw) => {
      const response = await t.http.post('/v2/enqueue').set('content-type', contentType).send(raw);
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(response.body).toMatchObject({ status: 'invalid event', message: 'Event object is invalid' });
      expect(response.body.errors).toEqual([expect.any(String)]);
    });

    it('answers an oversize body (over the global body limit) with 400 in PagerDuty shape', async () => {
      const huge = anEventsV2Event(routingKey, { payload: { summary: 's', source: 'x', severity: 'info', custom_details: { blob: 'x'.repeat(80 * 1024) } } });
      const response = await enqueue(huge);
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ status: 'invalid event', message: 'Event object is invalid' });
    });

    it('leaves the problem+json errors of other routes alone', async () => {
      const response = await t.http.post('/v1/incidents').set('content-type', 'application/json').send('{"bad":');
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    });
  });
});
