import { adminActorOf, api } from '../../../../../test/support/test-credentials';
import { TOPICS, type IntegrationEvent } from '@fireline/contracts';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { eventually } from '../../../../../test/support/eventually';
import { createTestDatabase, type TestDatabase } from '../../../../../test/support/test-database';
import { anIncidentDeclared, anIncidentResolved } from '../testing/incident-events.factory';
import { createPostmortemTestApp, type PostmortemTestApp } from '../testing/postmortem-test-app';
import { postmortemIdForIncident } from '../workflows/postmortem-identity';
import { PostmortemsHttpController } from './postmortems.http.controller';

const PROBLEM_JSON = /application\/problem\+json/;

describe(PostmortemsHttpController.name, () => {
  let db: TestDatabase;
  let service: PostmortemTestApp;
  let app: NestFastifyApplication;
  let published: IntegrationEvent[];

  beforeAll(async () => {
    db = await createTestDatabase('postmortem_http');
    service = await createPostmortemTestApp(db.url, db.pool, new Date('2025-03-10T12:00:00.000Z'));
    app = service.app;
    published = service.listen(TOPICS.postmortems);
  });

  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  const http = () => api(app);

  /** Resolves a fresh incident through the transport and returns its drafted postmortem's id. */
  async function aDraftedPostmortem(): Promise<{ postmortemId: string; incidentId: string }> {
    const incidentId = randomUUID();
    const incident = { title: 'Search is slow', severity: 'SEV3' as const, services: ['search'], declaredAt: '2025-03-01T08:00:00.000Z' };
    await service.transport.publish(TOPICS.incidents, [
      anIncidentDeclared({ incidentId, occurredAt: '2025-03-01T08:00:00.000Z', incident }),
      anIncidentResolved({ incidentId, occurredAt: '2025-03-01T09:00:00.000Z', incident }, 'Scaled the cluster'),
    ]);
    const postmortemId = postmortemIdForIncident(incidentId);
    expect((await http().get(`/v1/postmortems/${postmortemId}`)).status).toBe(200);
    return { postmortemId, incidentId };
  }

  async function addActionItem(postmortemId: string, body: Record<string, unknown> = {}) {
    const response = await http()
      .post(`/v1/postmortems/${postmortemId}/action-items`)
      .send({ title: 'Autoscale search', owner: 'carol@example.com', dueDate: '2025-03-20', priority: 'P2', ...body });
    expect(response.status).toBe(201);
    return response.body as { id: string; status: string; owner: string };
  }

  describe('GET /v1/postmortems', () => {
    it('lists summaries filtered by incident and status, with action item counts', async () => {
      const { postmortemId, incidentId } = await aDraftedPostmortem();
      const first = await addActionItem(postmortemId);
      await addActionItem(postmortemId, { title: 'Alert on p99' });
      expect((await http().patch(`/v1/postmortems/${postmortemId}/action-items/${first.id}`).send({ status: 'done' })).status).toBe(200);

      const rows = await eventually(async () => {
        const response = await http().get(`/v1/postmortems?incidentId=${incidentId}&status=draft`);
        expect(response.body.items).toEqual([
          expect.objectContaining({ id: postmortemId, incidentId, status: 'draft', title: 'Postmortem: Search is slow', actionItemsTotal: 2, actionItemsOpen: 1 }),
        ]);
        return response.body.items;
      });
      expect(rows[0].dueAt).toBe('2025-03-03T09:00:00.000Z');
      expect((await http().get(`/v1/postmortems?incidentId=${incidentId}&status=published`)).body).toEqual({ items: [], nextCursor: null });
    });

    it('pages with an opaque cursor', async () => {
      const drafted = [await aDraftedPostmortem(), await aDraftedPostmortem(), await aDraftedPostmortem()];
      const wanted = new Set(drafted.map((d) => d.postmortemId));
      await eventually(async () => {
        const seen: string[] = [];
        let cursor: string | null = null;
        do {
          const query: string = cursor === null ? '?limit=2' : `?limit=2&cursor=${cursor}`;
          const response = await http().get(`/v1/postmortems${query}`);
          expect(response.status).toBe(200);
          expect(response.body.items.length).toBeLessThanOrEqual(2);
          seen.push(...response.body.items.map((item: { id: string }) => item.id));
          cursor = response.body.nextCursor;
        } while (cursor !== null);
        expect(new Set(seen).size).toBe(seen.length);
        expect(seen.filter((id) => wanted.has(id))).toHaveLength(3);
      });
    });
  });

  describe('unknown postmortem', () => {
    it.each([
      ['GET', () => http().get(`/v1/postmortems/${randomUUID()}`)],
      ['PATCH', () => http().patch(`/v1/postmortems/${randomUUID()}`).send({ rootCause: 'x' })],
      ['POST action item', () => http().post(`/v1/postmortems/${randomUUID()}/action-items`).send({ title: 't', owner: 'o', dueDate: '2025-03-20', priority: 'P1' })],
    ])('answers %s with 404 problem details', async (_name, send) => {
      const response = await send();
      expect(response.status).toBe(404);
      expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(response.body.code).toBe('POSTMORTEM.NOT_FOUND');
    });
  });

  describe('PATCH /v1/postmortems/:id', () => {
    it('updates fields under If-Match and answers 412 to a stale ETag', async () => {
      const { postmortemId } = await aDraftedPostmortem();
      const current = await http().get(`/v1/postmortems/${postmortemId}`);
      const etag = current.headers.etag as string;
      expect(etag).toBe('"1"');

      const updated = await http()
        .patch(`/v1/postmortems/${postmortemId}`)
        .set('if-match', etag)
        .send({ rootCause: 'Shard imbalance', contributingFactors: ['No autoscaling'], whatWentWell: ['Fast detection'], impact: { description: 'Searches took 8 s' } });
      expect(updated.status).toBe(200);
      expect(updated.headers.etag).toBe('"2"');
      expect(updated.body).toMatchObject({
        rootCause: 'Shard imbalance',
        contributingFactors: ['No autoscaling'],
        whatWentWell: ['Fast detection'],
        impact: { severity: 'SEV3', services: ['search'], durationMinutes: 60, description: 'Searches took 8 s' },
        updatedBy: adminActorOf(app),
        version: 2,
      });

      const stale = await http().patch(`/v1/postmortems/${postmortemId}`).set('if-match', etag).send({ rootCause: 'Something else' });
      expect(stale.status).toBe(412);
      expect(stale.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(stale.body.code).toBe('STREAM.WRONG_EXPECTED_VERSION');
      expect((await http().get(`/v1/postmortems/${postmortemId}`)).body.rootCause).toBe('Shard imbalance');
    });

    it('moves draft -> in_review -> published, refuses illegal moves, and keeps published final', async () => {
      const { postmortemId } = await aDraftedPostmortem();
      const patch = (body: Record<string, unknown>) => http().patch(`/v1/postmortems/${postmortemId}`).send(body);

      const skip = await patch({ status: 'published' });
      expect(skip.status).toBe(409);
      expect(skip.body.code).toBe('POSTMORTEM.ILLEGAL_TRANSITION');

      const review = await patch({ rootCause: 'Shard imbalance', status: 'in_review' });
      expect(review.status).toBe(200);
      expect(review.body).toMatchObject({ status: 'in_review', rootCause: 'Shard imbalance', version: 3 });
      expect((await patch({ status: 'draft' })).body.status).toBe('draft');
      expect((await patch({ status: 'in_review' })).body.status).toBe('in_review');
      const item = await addActionItem(postmortemId);
      const done = await patch({ status: 'published' });
      expect(done.status).toBe(200);
      expect(done.body).toMatchObject({ status: 'published', publishedAt: '2025-03-10T12:00:00.000Z' });

      for (const body of [{ title: 'New title' }, { status: 'draft' }]) {
        const refused = await patch(body);
        expect(refused.status).toBe(409);
        expect(refused.body.code).toBe('POSTMORTEM.PUBLISHED_IS_FINAL');
      }
      const addAfter = await http().post(`/v1/postmortems/${postmortemId}/action-items`).send({ title: 't', owner: 'o', dueDate: '2025-04-01', priority: 'P3' });
      expect(addAfter.status).toBe(409);

      // Action items are tracked to completion after publication.
      const completed = await http().patch(`/v1/postmortems/${postmortemId}/action-items/${item.id}`).send({ status: 'done' });
      expect(completed.status).toBe(200);
      expect(completed.body.status).toBe('done');

      await eventually(() => {
        const mine = published.filter((event) => event.streamId === `postmortem-${postmortemId}`).map((event) => event.type);
        expect(mine).toEqual(['PostmortemDrafted', 'PostmortemPublished', 'ActionItemCompleted']);
      });
    });

    it('applies nothing when one part of a combined update is illegal', async () => {
      const { postmortemId } = await aDraftedPostmortem();
      const response = await http().patch(`/v1/postmortems/${postmortemId}`).send({ rootCause: 'x', status: 'published' });
      expect(response.status).toBe(409);
      const current = await http().get(`/v1/postmortems/${postmortemId}`);
      expect(current.body).toMatchObject({ rootCause: '', version: 1 });
    });
  });

  describe('action items', () => {
    it('adds an item with a generated id and updates it', async () => {
      const { postmortemId, incidentId } = await aDraftedPostmortem();
      const created = await http()
        .post(`/v1/postmortems/${postmortemId}/action-items`)
        .send({ title: 'Autoscale search', owner: 'carol@example.com', dueDate: '2025-03-20', priority: 'P1', description: 'HPA on CPU' });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
        postmortemId,
        incidentId,
        title: 'Autoscale search',
        owner: 'carol@example.com',
        dueDate: '2025-03-20',
        priority: 'P1',
        status: 'open',
        description: 'HPA on CPU',
        createdAt: '2025-03-10T12:00:00.000Z',
        updatedAt: '2025-03-10T12:00:00.000Z',
      });
      expect(created.headers.location).toBe(`/v1/postmortems/${postmortemId}/action-items/${created.body.id}`);

      const updated = await http()
        .patch(`/v1/postmortems/${postmortemId}/action-items/${created.body.id}`)
        .send({ owner: 'dave@example.com', dueDate: '2025-03-25', priority: 'P2', status: 'in_progress', description: null });
      expect(updated.status).toBe(200);
      expect(updated.body).toMatchObject({ owner: 'dave@example.com', dueDate: '2025-03-25', priority: 'P2', status: 'in_progress', description: null });

      const fetched = await http().get(`/v1/postmortems/${postmortemId}`);
      expect(fetched.body.actionItems).toEqual([updated.body]);

      await eventually(async () => {
        const listed = await http().get(`/v1/action-items?postmortemId=${postmortemId}`);
        expect(listed.body).toEqual({ items: [{ ...updated.body, updatedAt: '2025-03-10T12:00:00.000Z' }], nextCursor: null });
      });

      const missing = await http().patch(`/v1/postmortems/${postmortemId}/action-items/${randomUUID()}`).send({ status: 'done' });
      expect(missing.status).toBe(404);
      expect(missing.body.code).toBe('ACTION_ITEM.NOT_FOUND');
    });

    it('filters overdue items by the service clock, excluding done and wont_do ones', async () => {
      const { postmortemId } = await aDraftedPostmortem();
      const owner = `owner-${randomUUID()}@example.com`;
      const late = await addActionItem(postmortemId, { owner, dueDate: '2025-03-09', title: 'late' });
      const dueToday = await addActionItem(postmortemId, { owner, dueDate: '2025-03-10', title: 'due today' });
      const lateButDone = await addActionItem(postmortemId, { owner, dueDate: '2025-03-01', title: 'late but done' });
      const dropped = await addActionItem(postmortemId, { owner, dueDate: '2025-03-01', title: 'dropped' });
      await http().patch(`/v1/postmortems/${postmortemId}/action-items/${lateButDone.id}`).send({ status: 'done' }).expect(200);
      await http().patch(`/v1/postmortems/${postmortemId}/action-items/${dropped.id}`).send({ status: 'wont_do' }).expect(200);

      const titles = async (query: string) => {
        const response = await http().get(`/v1/action-items?owner=${encodeURIComponent(owner)}${query}`);
        expect(response.status).toBe(200);
        return response.body.items.map((item: { id: string }) => item.id);
      };
      await eventually(async () => expect(await titles('&status=wont_do')).toEqual([dropped.id]));
      expect(await titles('&overdue=true')).toEqual([late.id]);
      expect((await titles('&overdue=false')).sort()).toEqual([dueToday.id, lateButDone.id, dropped.id].sort());
      const firstPage = await http().get(`/v1/action-items?owner=${encodeURIComponent(owner)}&limit=3`);
      expect(firstPage.body.items.map((item: { id: string }) => item.id)).toEqual([...[lateButDone.id, dropped.id].sort(), late.id]); // same due date and time: by id
      const secondPage = await http().get(`/v1/action-items?owner=${encodeURIComponent(owner)}&limit=3&cursor=${firstPage.body.nextCursor}`);
      expect(secondPage.body).toEqual({ items: [expect.objectContaining({ id: dueToday.id })], nextCursor: null });

      service.clock.set(new Date('2025-03-11T00:00:01.000Z'));
      try {
        expect(await titles('&overdue=true')).toEqual([late.id, dueToday.id]);
      } finally {
        service.clock.set(new Date('2025-03-10T12:00:00.000Z'));
      }
    });
  });

  describe('bad input', () => {
    let postmortemId: string;

    beforeAll(async () => {
      ({ postmortemId } = await aDraftedPostmortem());
    });

    const cases: [string, () => request.Test, string][] = [
      ['a non-UUID postmortem id', () => http().get('/v1/postmortems/not-a-uuid'), 'REQUEST.INVALID_ID'],
      ['a non-UUID action item id', () => http().patch(`/v1/postmortems/${postmortemId}/action-items/42`).send({ status: 'done' }), 'REQUEST.INVALID_ID'],
      ['an unknown field', () => http().patch(`/v1/postmortems/${postmortemId}`).send({ severity: 'SEV1' }), 'REQUEST.INVALID'],
      ['a null title', () => http().patch(`/v1/postmortems/${postmortemId}`).send({ title: null }), 'REQUEST.INVALID'],
      ['an unknown status', () => http().patch(`/v1/postmortems/${postmortemId}`).send({ status: 'archived' }), 'REQUEST.INVALID'],
      ['an invalid nested severity', () => http().patch(`/v1/postmortems/${postmortemId}`).send({ impact: { severity: 'SEV9' } }), 'REQUEST.INVALID'],
      ['an impact that is not an object', () => http().patch(`/v1/postmortems/${postmortemId}`).send({ impact: 'bad' }), 'REQUEST.INVALID'],
      ['lessons that are not strings', () => http().patch(`/v1/postmortems/${postmortemId}`).send({ whatWentWrong: [1, 2] }), 'REQUEST.INVALID'],
      ['an empty update', () => http().patch(`/v1/postmortems/${postmortemId}`).send({}), 'REQUEST.EMPTY_PATCH'],
      ['an update without a body', () => http().patch(`/v1/postmortems/${postmortemId}`), 'REQUEST.EMPTY_PATCH'],
      ['malformed JSON', () => http().patch(`/v1/postmortems/${postmortemId}`).set('content-type', 'application/json').send('{"title":'), 'REQUEST.MALFORMED_JSON'],
      ['a garbage If-Match', () => http().patch(`/v1/postmortems/${postmortemId}`).set('if-match', 'yesterday').send({ title: 'x' }), 'REQUEST.INVALID_IF_MATCH'],
      ['an impossible due date', () => http().post(`/v1/postmortems/${postmortemId}/action-items`).send({ title: 't', owner: 'o', dueDate: '2025-02-30', priority: 'P1' }), 'REQUEST.INVALID'],
      ['a due date with a time', () => http().post(`/v1/postmortems/${postmortemId}/action-items`).send({ title: 't', owner: 'o', dueDate: '2025-02-03T10:00:00Z', priority: 'P1' }), 'REQUEST.INVALID'],
      ['an action item without a body', () => http().post(`/v1/postmortems/${postmortemId}/action-items`), 'REQUEST.INVALID'],
      ['a missing owner', () => http().post(`/v1/postmortems/${postmortemId}/action-items`).send({ title: 't', dueDate: '2025-03-20', priority: 'P1' }), 'REQUEST.INVALID'],
      ['an unknown priority', () => http().post(`/v1/postmortems/${postmortemId}/action-items`).send({ title: 't', owner: 'o', dueDate: '2025-03-20', priority: 'urgent' }), 'REQUEST.INVALID'],
      ['a client-chosen action item id', () => http().post(`/v1/postmortems/${postmortemId}/action-items`).send({ id: randomUUID(), title: 't', owner: 'o', dueDate: '2025-03-20', priority: 'P1' }), 'REQUEST.INVALID'],
      ['an empty action item update', () => http().patch(`/v1/postmortems/${postmortemId}/action-items/${randomUUID()}`).send({}), 'REQUEST.EMPTY_PATCH'],
      ['an unknown action item status', () => http().patch(`/v1/postmortems/${postmortemId}/action-items/${randomUUID()}`).send({ status: 'closed' }), 'REQUEST.INVALID'],
      ['overdue=maybe', () => http().get('/v1/action-items?overdue=maybe'), 'REQUEST.INVALID'],
      ['an unknown query parameter', () => http().get('/v1/action-items?colour=red'), 'REQUEST.INVALID'],
      ['a repeated owner', () => http().get('/v1/action-items?owner=a&owner=b'), 'REQUEST.INVALID'],
      ['a non-UUID incidentId filter', () => http().get('/v1/postmortems?incidentId=42'), 'REQUEST.INVALID'],
      ['an unknown status filter', () => http().get('/v1/postmortems?status=archived'), 'REQUEST.INVALID'],
      ['a non-numeric limit', () => http().get('/v1/postmortems?limit=ten'), 'REQUEST.INVALID'],
      ['a cursor this API did not make', () => http().get('/v1/postmortems?cursor=bm9wZQ'), 'REQUEST.INVALID_CURSOR'],
      ['a forged cursor', () => http().get(`/v1/action-items?cursor=${Buffer.from('["x","y","z"]').toString('base64url')}`), 'REQUEST.INVALID_CURSOR'],
      ['a limit out of range', () => http().get('/v1/action-items?limit=0'), 'REQUEST.INVALID'],
    ];

    it.each(cases)('rejects %s with 400 problem details', async (_name, send, code) => {
      const response = await send();
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(response.body).toMatchObject({ status: 400, code });
    });

    it('left the postmortem untouched', async () => {
      const response = await http().get(`/v1/postmortems/${postmortemId}`);
      expect(response.body).toMatchObject({ version: 1, actionItems: [] });
    });
  });
});
