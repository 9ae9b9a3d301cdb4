import { createHash, randomUUID } from 'node:crypto';
import { adminActorOf } from '../../../../../../test/support/test-credentials';
import { IntegrationRepository } from '../persistence/integration.repository';
import { bootAlertTestApp, createIntegration, type AlertTestApp } from '../../testing/events-v2.testing';

describe('IntegrationsHttpController', () => {
  let t: AlertTestApp;

  beforeAll(async () => {
    t = await bootAlertTestApp('integrations_http');
  });

  afterAll(async () => {
    await t.close();
  });

  it('creates an events-v2 integration with a routing key shown once and stored only as its sha256', async () => {
    const created = await t.http.post('/v1/integrations').send({ type: 'events-v2', name: 'Prometheus', service: 'checkout', severityMapping: { warning: 'SEV2' } });
    expect(created.status).toBe(201);
    expect(created.headers.location).toBe(`/v1/integrations/${created.body.id}`);
    const routingKey = created.body.credentials.routingKey as string;
    expect(routingKey).toMatch(/^[a-z0-9]{32}$/);
    expect(created.body).toMatchObject({ type: 'events-v2', name: 'Prometheus', service: 'checkout', severityMapping: { critical: 'SEV1', error: 'SEV2', warning: 'SEV2', info: 'SEV4' } });

    const fetched = await t.http.get(`/v1/integrations/${created.body.id}`);
    expect(fetched.status).toBe(200);
    expect(fetched.body.credentials).toBeUndefined();
    const row = await t.db.pool.query<{ credential_hash: string }>('SELECT credential_hash FROM integrations WHERE id = $1', [created.body.id]);
    expect(row.rows[0].credential_hash).toBe(createHash('sha256').update(routingKey).digest('hex'));
    expect(JSON.stringify(row.rows)).not.toContain(routingKey);
  });

  it('honours Idempotency-Key on create without ever storing the credential for the replay', async () => {
    const key = `integration-${Date.now()}`;
    const body = { type: 'events-v2', name: 'Retried', service: 'search' };
    const first = await t.http.post('/v1/integrations').set('idempotency-key', key).send(body);
    const replay = await t.http.post('/v1/integrations').set('idempotency-key', key).send(body);
    expect(first.status).toBe(201);
    expect(replay.status).toBe(201);
    expect(replay.headers['idempotency-replayed']).toBe('true');
    expect(replay.body.id).toBe(first.body.id);
    expect(replay.body.credentials).toBeUndefined();
    const routingKey = first.body.credentials.routingKey as string;
    const stored = await t.db.pool.query('SELECT response_body::text AS body FROM idempotency_keys WHERE key = $1', [key]);
    expect(stored.rows[0].body).not.toContain(routingKey);
    const named = await t.db.pool.query(`SELECT count(*)::int AS n FROM integrations WHERE name = 'Retried'`);
    expect(named.rows[0].n).toBe(1);
  });

  it('creates an alertmanager integration with a bearer token', async () => {
    const created = await t.http.post('/v1/integrations').send({ type: 'alertmanager', name: 'am', service: 'payments' });
    expect(created.status).toBe(201);
    expect(created.body.credentials).toEqual({ token: expect.stringMatching(/^flt_[A-Za-z0-9_-]{43}$/) });
  });

  it('stores the signing secrets of a pagerduty-webhooks-v3 integration (at most two) encrypted, and never serves them', async () => {
    const secrets = ['whsec-new-0123456789abcdef', 'whsec-old-0123456789abcdef'];
    const created = await t.http.post('/v1/integrations').send({ type: 'pagerduty-webhooks-v3', name: 'pd', service: 'api', signingSecrets: secrets });
    expect(created.status).toBe(201);
    expect(created.body.credentials).toBeUndefined();
    expect(created.body.signingSecretCount).toBe(2);
    expect(JSON.stringify((await t.http.get(`/v1/integrations/${created.body.id}`)).body)).not.toContain('whsec');
    const row = await t.db.pool.query<{ signing_secrets: string[] }>('SELECT signing_secrets FROM integrations WHERE id = $1', [created.body.id]);
    expect(row.rows[0].signing_secrets).toEqual([expect.stringMatching(/^fl1:test-1:/), expect.stringMatching(/^fl1:test-1:/)]);
    expect(JSON.stringify(row.rows[0])).not.toContain('whsec');

    const three = await t.http.post('/v1/integrations').send({ type: 'pagerduty-webhooks-v3', name: 'pd', service: 'api', signingSecrets: [...secrets, 'whsec-third-0123456789ab'] });
    expect(three.status).toBe(400);
    expect((await t.http.post('/v1/integrations').send({ type: 'pagerduty-webhooks-v3', name: 'pd', service: 'api' })).body.code).toBe('INTEGRATION.INVALID');
    expect((await t.http.post('/v1/integrations').send({ type: 'events-v2', name: 'x', service: 'y', signingSecrets: secrets })).body.code).toBe('INTEGRATION.INVALID');
  });

  it('knows the type of an integration, deleted or not, and remembers it (a type never changes) but not an unknown id', async () => {
    const repository = t.app.get(IntegrationRepository);
    const created = await t.http.post('/v1/integrations').send({ type: 'alertmanager', name: 'typed', service: 'payments' });
    expect(await t.http.delete(`/v1/integrations/${created.body.id}`).then((r) => r.status)).toBe(204);
    expect(await repository.typeOf(created.body.id)).toBe('alertmanager');

    // Remembered: answered without the row.
    await t.db.pool.query('DELETE FROM integrations WHERE id = $1', [created.body.id]);
    expect(await repository.typeOf(created.body.id)).toBe('alertmanager');

    // An unknown id is asked again: once it exists, its type is found.
    const id = randomUUID();
    expect(await repository.typeOf(id)).toBeNull();
    await t.db.pool.query(
      `INSERT INTO integrations (id, type, name, service, severity_mapping, credential_hash, created_at) VALUES ($1, 'events-v2', 'late', 'checkout', '{}', $2, now())`,
      [id, randomUUID()],
    );
    expect(await repository.typeOf(id)).toBe('events-v2');
  });

  it('rejects an unknown type, a blank name and an unknown severity', async () => {
    for (const body of [
      { type: 'nagios', name: 'n', service: 's' },
      { type: 'events-v2', name: ' ', service: 's' },
      { type: 'events-v2', name: 'n', service: 's', severityMapping: { critical: 'SEV0' } },
    ]) {
      const response = await t.http.post('/v1/integrations').send(body);
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toMatch(/problem\+json/);
    }
  });

  it('lists live integrations, soft-deletes, and keeps the deliveries of a deleted one auditable', async () => {
    const kept = await createIntegration(t.http);
    const doomed = await createIntegration(t.http);
    await t.http.post('/v2/enqueue').send({ routing_key: doomed.routingKey, event_action: 'resolve', dedup_key: 'k' });
    expect((await t.http.delete(`/v1/integrations/${doomed.id}`)).status).toBe(204);
    expect((await t.http.delete(`/v1/integrations/${doomed.id}`)).status).toBe(204);
    expect((await t.http.get(`/v1/integrations/${doomed.id}`)).status).toBe(404);
    const ids = ((await t.http.get('/v1/integrations')).body.items as { id: string }[]).map((i) => i.id);
    expect(ids).toContain(kept.id);
    expect(ids).not.toContain(doomed.id);
    const deliveries = await t.http.get(`/v1/integrations/${doomed.id}/deliveries`);
    expect(deliveries.status).toBe(200);
    expect(deliveries.body.items).toHaveLength(1);
    expect((await t.http.delete('/v1/integrations/00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });

  it('pages integrations newest first with limit and cursor, 50 by default, never more than 100', async () => {
    // Rows of their own, older than any other test's, so that the walk below can tell them apart.
    const service = `paging-${randomUUID().slice(0, 8)}`;
    await t.db.pool.query(
      `INSERT INTO integrations (id, type, name, service, severity_mapping, auto_resolve, credential_hash, signing_secrets, created_at)
       SELECT gen_random_uuid(), 'events-v2', 'paged ' || n, $1, '{"critical":"SEV1","error":"SEV2","warning":"SEV3","info":"SEV4"}', 'always',
              md5(random()::text), '{}', '2000-01-01T00:00:00Z'::timestamptz + n * interval '1 second'
       FROM generate_series(1, 230) AS n`,
      [service],
    );
    const first = await t.http.get('/v1/integrations');
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(50);
    expect(typeof first.body.nextCursor).toBe('string');
    expect((await t.http.get('/v1/integrations').query({ limit: 10 })).body.items).toHaveLength(10);
    expect((await t.http.get('/v1/integrations').query({ limit: 101 })).status).toBe(400);

    const names: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await t.http.get('/v1/integrations').query({ limit: 100, ...(cursor ? { cursor } : {}) });
      expect(page.body.items.length).toBeLessThanOrEqual(100);
      names.push(...(page.body.items as { name: string; service: string }[]).filter((i) => i.service === service).map((i) => i.name));
      cursor = page.body.nextCursor as string | null;
    } while (cursor !== null);
    expect(names).toEqual(Array.from({ length: 230 }, (_, i) => `paged ${230 - i}`));
   }, 30_000);

  it('pages deliveries newest first with a cursor', async () => {
    const integration = await createIntegration(t.http);
    for (let i = 0; i < 5; i++) await t.http.post('/v2/enqueue').send({ routing_key: integration.routingKey, event_action: 'resolve', dedup_key: `k-${i}` });
    const first = await t.http.get(`/v1/integrations/${integration.id}/deliveries?limit=3`);
    expect(first.body.items.map((d: { dedupKey: string }) => d.dedupKey)).toEqual(['k-4', 'k-3', 'k-2']);
    const second = await t.http.get(`/v1/integrations/${integration.id}/deliveries?limit=3&cursor=${first.body.nextCursor}`);
    expect(second.body.items.map((d: { dedupKey: string }) => d.dedupKey)).toEqual(['k-1', 'k-0']);
    expect(second.body.nextCursor).toBeNull();
    expect((await t.http.get(`/v1/integrations/${integration.id}/deliveries?cursor=bm9wZQ`)).status).toBe(400);
  });
});

describe('IntegrationsHttpController PATCH', () => {
  let t: AlertTestApp;

  beforeAll(async () => {
    t = await bootAlertTestApp('integrations_patch');
  });

  afterAll(async () => {
    await t.close();
  });

  it('changes name, service, autoResolve and merges severity overrides into the current mapping', async () => {
    const created = await createIntegration(t.http, { severityMapping: { warning: 'SEV2' } });
    const patched = await t.http
      .patch(`/v1/integrations/${created.id}`)
      .send({ name: '  Renamed ', service: 'payments', severityMapping: { info: 'SEV3' }, autoResolve: 'never' });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      name: 'Renamed',
      service: 'payments',
      autoResolve: 'never',
      severityMapping: { critical: 'SEV1', error: 'SEV2', warning: 'SEV2', info: 'SEV3' },
    });
    expect((await t.http.get(`/v1/integrations/${created.id}`)).body).toEqual(patched.body);
  });

  it('rejects an empty PATCH, nulls, unknown values and fields it cannot change, and 404s an unknown or deleted integration', async () => {
    const created = await createIntegration(t.http);
    const patch = (body: object, id = created.id) => t.http.patch(`/v1/integrations/${id}`).send(body);
    expect((await patch({})).body).toMatchObject({ status: 400, code: 'REQUEST.EMPTY_PATCH' });
    for (const body of [{ name: null }, { autoResolve: 'sometimes' }, { name: ' ' }, { type: 'alertmanager' }, { severityMapping: 'SEV1' }]) {
      const answer = await patch(body);
      expect([answer.status, answer.headers['content-type']]).toEqual([400, expect.stringContaining('application/problem+json')]);
    }
    expect((await patch({ name: 'x' }, '00000000-0000-4000-8000-000000000000')).body).toMatchObject({ status: 404, code: 'INTEGRATION.NOT_FOUND' });
    expect((await t.http.delete(`/v1/integrations/${created.id}`)).status).toBe(204);
    expect((await patch({ name: 'x' })).status).toBe(404);
  });

  it('records create, change and delete in the audit log: who, when, which integration, what changed, secrets masked', async () => {
    const created = await t.http.post('/v1/integrations').send({ type: 'pagerduty-webhooks-v3', name: 'PD', service: 'payments', signingSecrets: ['whsec-first-secret-value'] });
    const id = created.body.id as string;
    expect((await t.http.patch(`/v1/integrations/${id}`).send({ name: 'PagerDuty', signingSecrets: ['whsec-rotated-secret-value', 'whsec-first-secret-value'] })).status).toBe(200);
    expect((await t.http.delete(`/v1/integrations/${id}`)).status).toBe(204);

    const log = await t.http.get('/v1/admin/incident-service/audit-events').query({ resourceType: 'integration', resourceId: id });
    expect(log.status).toBe(200);
    const entries = log.body.items as { type: string; actor: string; at: string; resourceId: string; details: { changes: Record<string, unknown> } }[];
    expect(entries.map((entry) => entry.type)).toEqual(['IntegrationDeleted', 'IntegrationUpdated', 'IntegrationCreated']);
    expect(new Set(entries.map((entry) => entry.actor))).toEqual(new Set([adminActorOf(t.app)]));
    // Which fields changed; anything named like a secret shows only that it changed.
    expect(entries[1]!.details.changes).toEqual({ name: { from: 'PD', to: 'PagerDuty' }, signingSecrets: '***', signingSecretCount: '***' });
    expect(entries[2]!.details.changes).toMatchObject({ type: { from: null, to: 'pagerduty-webhooks-v3' }, name: { from: null, to: 'PD' } });
    expect(JSON.stringify(log.body)).not.toContain('whsec-');
  });
});
