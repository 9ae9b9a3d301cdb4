import { randomBytes, randomUUID } from 'node:crypto';
import request from 'supertest';
import { eventually } from '../support/eventually';
import { startLocalHttpReceiver, type LocalHttpReceiver } from '../support/local-http-receiver';
import { createPlatformTestApp, type PlatformTestApp } from '../support/platform-test-app';
import type { TestDatabase } from '../support/test-database';

/** The parts of an OpenAPI 3 document the sweep reads (as served at `/docs-json`). */
interface Schema {
  type?: string;
  format?: string;
  enum?: unknown[];
  example?: unknown;
  minimum?: number;
  properties?: Record<string, Schema>;
  required?: string[];
  $ref?: string;
}
interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  schema?: Schema;
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Schema }> };
}
interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  operation: Operation;
}

/** One hostile request: which route, what is wrong with it, and (when the route defines one) the code it must answer. */
interface Probe {
  route: string;
  input: string;
  method: Route['method'];
  url: string;
  headers?: Record<string, string>;
  /** Raw body text, sent as is. */
  body?: string;
  /** Content type of `body`; `null` sends the body without one. */
  contentType?: string | null;
  code?: string;
}

interface Outcome {
  probe: Probe;
  status: number;
  contentType: string;
  code: unknown;
  error?: string;
}

/**
 * Routes whose error format a third party dictates, so they answer bad input in that format, not
 * problem+json. They must still answer 4xx, never 5xx or a hang; `Idempotency-Key` is not theirs either.
 */
const FOREIGN_WIRE_FORMAT: Record<string, string> = {
  'POST /v2/enqueue': 'PagerDuty Events API v2: errors are {"status":"invalid event", ...}; senders dedupe with dedup_key',
};

/**
 * Webhook receivers whose senders carry their own delivery identity and dedupe on it (Alertmanager:
 * groupKey + fingerprints; PagerDuty Webhooks v3: event.id / X-Webhook-Id). Neither sender can set an
 * `Idempotency-Key`, so the receivers do not read it; their errors are still problem+json.
 */
const SENDER_DEDUPLICATED: Record<string, string> = {
  'POST /v1/integrations/{id}/alertmanager': 'dedupes on groupKey and alert fingerprints',
  'POST /v1/integrations/{id}/pagerduty-webhooks': 'dedupes on event.id and X-Webhook-Id',
};

const HANG_MS = 10_000;
const CONCURRENCY = 8;
/** Longer than any documented string limit (20 000), well under the 64 KiB body limit. */
const LONG_STRING = 'x'.repeat(30_000);

function deeplyNested(levels: number): string {
  return '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);
}

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

const HOSTILE_PATH_VALUES: [string, string][] = [
  ['not a UUID', 'not-a-uuid'],
  ['a NUL byte', '%00'],
  ['bad percent-encoding', '%ZZ'],
  ['10 KB long', 'a'.repeat(10 * 1024)],
  ['a literal ../', '../'],
  ['an encoded ../', '..%2F..%2F'],
  ['unicode', encodeURIComponent('инцидент-🔥')],
];

const HOSTILE_CURSORS: [string, string][] = [
  ['random base64', randomBytes(24).toString('base64url')],
  ['base64 of a JSON object', b64('{"after":"x"}')],
  ['base64 of a JSON array of numbers', b64('[1,2]')],
  ['base64 of a JSON array with a bad date and id', b64(JSON.stringify(['0', '-'.repeat(36)]))],
  ['base64 of a far-future date', b64(JSON.stringify(['+275760-09-13T00:00:00.000Z', randomUUID()]))],
  ['base64 of a sequence past bigint', b64('seq:9999999999999999999')],
  ['not base64 at all', '!!!***'],
  ['600 characters', 'A'.repeat(600)],
];

const HOSTILE_DATES = ['yesterday', '2026-13-45T00:00:00Z', '2026-02-30T10:00:00Z', '0000-01-01T00:00:00Z', '+275760-09-13T00:00:00.001Z', '99999-01-01T00:00:00Z', '1'];

const HOSTILE_IF_MATCH = ['"abc"', 'W/', '"1", "2"', 'W/"1", W/"2"', 'yesterday', '"-1"', '"99999999999999999999"'];

/** Row counts of the tables a slipped-through request would write to. */
type Counts = Record<string, number>;

// Hundreds of requests per test: generous on a loaded 2-core CI machine.
jest.setTimeout(60_000);

/**
 * A systematic bad-input sweep over every route of the composed platform, as listed by its own OpenAPI
 * document (a new route is swept without touching this file): hostile path parameters, query strings,
 * bodies and headers must each get a 4xx `application/problem+json` answer with a string `code`, never a
 * 5xx or a hang, and none of them may change what is stored.
 */
describe('Bad input sweep (e2e)', () => {
  let platform: PlatformTestApp | undefined;
  let incidentDb: TestDatabase;
  let notificationDb: TestDatabase;
  let postmortemDb: TestDatabase;
  let http: ReturnType<typeof request>;
  let receiver: LocalHttpReceiver;
  let document: OpenApiDocument;
  let routes: Route[];
  /** A valid value of a path parameter: a seeded resource where the sweep has one. */
  let validPathValue: (path: string, name: string) => string;
  const swept = new Map<string, number>();
  let before: { snapshot: unknown; counts: Counts };

  beforeAll(async () => {
    platform = await createPlatformTestApp('bad_input', ['fatal']);
    ({ http, incidentDb, notificationDb, postmortemDb } = platform);
    receiver = await startLocalHttpReceiver();

    document = (await http.get('/docs-json')).body as OpenApiDocument;
    routes = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.entries(operations)
        .filter(([method]) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
        .map(([method, operation]) => ({ method: method.toUpperCase() as Route['method'], path, operation })),
    );

    // Seed one of everything the routes address, so a request that slipped through would change something.
    const service = `bad-input-${randomUUID().slice(0, 8)}`;
    const rule = await http
      .post('/v1/notification-rules')
      .send({ name: 'bad-input', match: { services: [service] }, channel: { type: 'slack', webhookUrl: receiver.url } });
    expect(rule.status).toBe(201);
    const incident = await http.post('/v1/incidents').send({ title: 'Seeded for the sweep', severity: 'SEV2', services: [service] });
    expect(incident.status).toBe(201);
    const resolved = await http.post('/v1/incidents').send({ title: 'Resolved for a postmortem', severity: 'SEV3', services: [service] });
    expect((await http.post(`/v1/incidents/${resolved.body.id}/resolve`).send({ summary: 'fixed' })).status).toBe(200);
    const postmortemId = await eventually(async () => {
      const list = await http.get('/v1/postmortems').query({ incidentId: resolved.body.id });
      expect(list.body.items).toHaveLength(1);
      return list.body.items[0].id as string;
    });
    const item = await http.post(`/v1/postmortems/${postmortemId}/action-items`).send({ title: 'Seeded item', owner: 'dana', dueDate: '2030-01-01', priority: 'P2' });
    expect(item.status).toBe(201);
    const deliveryId = await eventually(async () => {
      const page = await http.get('/v1/deliveries').query({ incidentId: incident.body.id });
      expect(page.body.items).toHaveLength(1);
      expect(page.body.items[0].status).toBe('delivered');
      return page.body.items[0].id as string;
    });
    await eventually(async () => {
      const items = await http.get('/v1/action-items').query({ postmortemId });
      expect(items.body.items).toHaveLength(1);
    });

    const byPrefix: [string, Record<string, string>][] = [
      ['/v1/incidents/', { id: incident.body.id, role: 'incident_commander' }],
      ['/v1/notification-rules/', { id: rule.body.id }],
      ['/v1/deliveries/', { id: deliveryId }],
      ['/v1/postmortems/', { id: postmortemId, itemId: item.body.id }],
      ['/v1/admin/', { name: 'not-a-projection' }],
    ];
    // A route the seed does not know (e.g. a new one) gets a well-formed id of nothing: its answers are 404s
    // once validation passes, but every hostile input is still checked before that.
    const unknownId = randomUUID();
    validPathValue = (path, name) => byPrefix.find(([prefix]) => path.startsWith(prefix))?.[1][name] ?? unknownId;

    before = { snapshot: await snapshot(incident.body.id, postmortemId, incident.body.id), counts: await storedCounts() };
  });

  afterAll(async () => {
    await platform?.close();
    await receiver?.close();
  });

  async function snapshot(incidentId: string, postmortemId: string, deliveriesOf: string) {
    const incident = await http.get(`/v1/incidents/${incidentId}`);
    const postmortem = await http.get(`/v1/postmortems/${postmortemId}`);
    return {
      incident: { etag: incident.headers.etag, body: incident.body },
      timeline: (await http.get(`/v1/incidents/${incidentId}/timeline`)).body,
      postmortem: { etag: postmortem.headers.etag, body: postmortem.body },
      rules: (await http.get('/v1/notification-rules')).body,
      deliveries: (await http.get('/v1/deliveries').query({ incidentId: deliveriesOf })).body,
      actionItems: (await http.get('/v1/action-items').query({ postmortemId })).body,
    };
  }

  async function storedCounts(): Promise<Counts> {
    const count = async (db: TestDatabase, sql: string) => (await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${sql}`)).rows[0]!.n;
    return {
      incidentEvents: await count(incidentDb, 'events'),
      incidentIdempotencyKeys: await count(incidentDb, 'idempotency_keys'),
      postmortemEvents: await count(postmortemDb, 'events'),
      notificationRules: await count(notificationDb, 'notification_rules'),
      notificationIdempotencyKeys: await count(notificationDb, 'idempotency_keys'),
      deliveries: await count(notificationDb, 'deliveries'),
    };
  }

  function resolveSchema(schema: Schema | undefined): Schema | undefined {
    if (schema?.$ref) return document.components.schemas[schema.$ref.replace('#/components/schemas/', '')];
    return schema;
  }

  /** A request body the route's DTO accepts, derived from its schema (examples, enums, formats). */
  function sampleOf(schema: Schema | undefined): unknown {
    const resolved = resolveSchema(schema);
    if (!resolved) return undefined;
    if (resolved.enum) return resolved.enum[0];
    if (resolved.example !== undefined) return resolved.example;
    switch (resolved.type) {
      case 'string':
        return resolved.format === 'date' ? '2030-01-01' : 'sample';
      case 'number':
      case 'integer':
        return resolved.minimum ?? 1;
      case 'boolean':
        return true;
      case 'array':
        return [];
      case 'object':
      case undefined: {
        if (!resolved.properties) return undefined;
        const entries = Object.entries(resolved.properties)
          .map(([name, property]) => [name, sampleOf(property)] as const)
          .filter(([, value]) => value !== undefined);
        return Object.fromEntries(entries);
      }
      default:
        return undefined;
    }
  }

  /** Routes whose schema says nothing (DTOs without OpenAPI decorators) get a hand-written valid body. */
  const FALLBACK_BODIES: Record<string, object> = {
    'POST /v1/notification-rules': { name: 'sweep', channel: { type: 'slack', webhookUrl: 'http://127.0.0.1:9/hook' } },
    'PATCH /v1/notification-rules/{id}': { name: 'renamed by the sweep' },
  };

  function validBody(route: Route): Record<string, unknown> | undefined {
    const schema = route.operation.requestBody?.content['application/json']?.schema;
    if (!schema) return undefined;
    const sample = sampleOf(schema) as Record<string, unknown> | undefined;
    if (sample && Object.keys(sample).length > 0) return sample;
    const fallback = FALLBACK_BODIES[`${route.method} ${route.path}`];
    if (!fallback) throw new Error(`No valid body for ${route.method} ${route.path}: document its DTO or add a fallback`);
    return fallback as Record<string, unknown>;
  }

  /** Paths (`['impact', 'description']`) of every string in a body. */
  function stringLeaves(value: unknown, at: string[] = []): string[][] {
    if (typeof value === 'string') return [at];
    if (value && typeof value === 'object' && !Array.isArray(value)) return Object.entries(value).flatMap(([key, child]) => stringLeaves(child, [...at, key]));
    return [];
  }

  function replaced(body: Record<string, unknown>, path: string[], value: unknown): Record<string, unknown> {
    const [head, ...rest] = path as [string, ...string[]];
    return { ...body, [head]: rest.length === 0 ? value : replaced(body[head] as Record<string, unknown>, rest, value) };
  }

  function urlOf(route: Route, override: Record<string, string> = {}): string {
    return route.path.replace(/\{(\w+)\}/g, (_all, name: string) => override[name] ?? validPathValue(route.path, name));
  }

  function routeName(route: Route): string {
    return `${route.method} ${route.path}`;
  }

  const json = (value: unknown) => ({ body: JSON.stringify(value), contentType: 'application/json' });

  function probeOf(route: Route, input: string, overrides: Partial<Probe> = {}): Probe {
    const body = validBody(route);
    return { route: routeName(route), input, method: route.method, url: urlOf(route), ...(body ? json(body) : {}), ...overrides };
  }

  async function send(probe: Probe): Promise<Outcome> {
    let call = http[probe.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete'](probe.url).timeout({ deadline: HANG_MS });
    for (const [name, value] of Object.entries(probe.headers ?? {})) call = call.set(name, value);
    if (probe.body !== undefined) {
      if (probe.contentType) call = call.set('content-type', probe.contentType);
      call = call.send(probe.body);
      if (probe.contentType === null) call = call.unset('Content-Type');
    }
    try {
      const response = await call;
      const body = response.body as { code?: unknown } | undefined;
      return { probe, status: response.status, contentType: String(response.headers['content-type'] ?? ''), code: body?.code };
    } catch (error) {
      return { probe, status: 0, contentType: '', code: undefined, error: error instanceof Error ? error.message : String(error) };
    }
  }

  /** Sends every probe (a few at a time) and returns a line per one that was not answered as it should be. */
  async function sweep(probes: Probe[]): Promise<string[]> {
    for (const probe of probes) swept.set(probe.route, (swept.get(probe.route) ?? 0) + 1);
    const outcomes: Outcome[] = [];
    for (let i = 0; i < probes.length; i += CONCURRENCY) outcomes.push(...(await Promise.all(probes.slice(i, i + CONCURRENCY).map(send))));
    return outcomes.filter((o) => !answeredAsProblem(o)).map(describeOutcome);
  }

  function answeredAsProblem({ probe, status, contentType, code }: Outcome): boolean {
    if (FOREIGN_WIRE_FORMAT[probe.route]) return status >= 400 && status < 500;
    const expectedCode = probe.code === undefined || code === probe.code;
    return status >= 400 && status < 500 && contentType.startsWith('application/problem+json') && typeof code === 'string' && expectedCode;
  }

  function describeOutcome({ probe, status, contentType, code, error }: Outcome): string {
    const got = error ? `no answer (${error})` : `${status} ${contentType || '(no content type)'} code=${String(code)}`;
    return `${probe.route} with ${probe.input}: ${got}${probe.code ? `, expected code ${probe.code}` : ''}`;
  }

  /**
   * `null` must be refused where it cannot mean "absent": for a required field, and for any field of a
   * PATCH (absent = leave as is). An optional field of a create may take `null` for absent.
   */
  function nullRefused(route: Route, leaf: string[]): boolean {
    if (route.method === 'PATCH') return true;
    const required = resolveSchema(route.operation.requestBody?.content['application/json']?.schema)?.required;
    return required === undefined || required.includes(leaf[0]!);
  }

  const pathParams = (route: Route) => [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
  const queryParams = (route: Route) => (route.operation.parameters ?? []).filter((p) => p.in === 'query');
  const documentsHeader = (route: Route, name: string) => (route.operation.parameters ?? []).some((p) => p.in === 'header' && p.name.toLowerCase() === name.toLowerCase());
  const takesBody = (route: Route) => route.operation.requestBody !== undefined;
  const isWrite = (route: Route) => route.method !== 'GET';

  it('lists every route of the platform in its OpenAPI document', () => {
    expect(routes.length).toBeGreaterThanOrEqual(33);
    expect(routes.map(routeName)).toEqual(expect.arrayContaining(['POST /v1/incidents', 'PATCH /v1/postmortems/{id}/action-items/{itemId}', 'GET /v1/deliveries']));
  });

  it('rejects hostile path parameters on every route', async () => {
    const probes = routes.flatMap((route) =>
      pathParams(route).flatMap((name) => HOSTILE_PATH_VALUES.map(([input, value]) => probeOf(route, `{${name}} ${input}`, { url: urlOf(route, { [name]: value }) }))),
    );
    expect(await sweep(probes)).toEqual([]);
  });

  it('rejects hostile query strings on every route that reads one', async () => {
    const probes = routes.flatMap((route) => {
      const params = queryParams(route);
      if (params.length === 0) return [];
      const withQuery = (input: string, query: string) => probeOf(route, input, { url: `${urlOf(route)}?${query}` });
      const generic = [
        withQuery('an unknown parameter', 'colour=red'),
        withQuery('a __proto__ parameter', '__proto__=x'),
        withQuery('a constructor[prototype] parameter', 'constructor[prototype][polluted]=1'),
        withQuery('bad percent-encoding', `${params[0]!.name}=%ZZ`),
      ];
      const specific = params.flatMap((param) => {
        const p = param.name;
        const schema = resolveSchema(param.schema);
        const cases: Probe[] = [];
        if (schema?.type === 'number' || schema?.type === 'integer') {
          for (const value of ['abc', '-1', '1e9', '1.5', '']) cases.push(withQuery(`${p}=${value}`, `${p}=${value}`));
          cases.push(withQuery(`${p}=1&${p}=2`, `${p}=1&${p}=2`));
        }
        if (schema?.enum) cases.push(withQuery(`an unknown ${p}`, `${p}=__nope__`));
        if (schema?.format === 'uuid') cases.push(withQuery(`${p} not a UUID`, `${p}=not-a-uuid`), withQuery(`${p} repeated`, `${p}=${randomUUID()}&${p}=${randomUUID()}`));
        if (schema?.type === 'boolean') cases.push(withQuery(`${p}=perhaps`, `${p}=perhaps`));
        if (p === 'cursor') for (const [input, cursor] of HOSTILE_CURSORS) cases.push(withQuery(`cursor ${input}`, `cursor=${encodeURIComponent(cursor)}`));
        if (p === 'asOf' || schema?.format === 'date-time') for (const date of HOSTILE_DATES) cases.push(withQuery(`${p}=${date}`, `${p}=${encodeURIComponent(date)}`));
        return cases;
      });
      return [...generic, ...specific];
    });
    expect(await sweep(probes)).toEqual([]);
  });

  it('rejects hostile bodies on every route that takes one', async () => {
    const probes = routes.flatMap((route): Probe[] => {
      if (!isWrite(route)) return [];
      const unparseable: Probe[] = [
        probeOf(route, 'malformed JSON', { body: '{"title": ', contentType: 'application/json' }),
        probeOf(route, 'a text/plain body', { body: '{"title":"x"}', contentType: 'text/plain' }),
        probeOf(route, 'a form body', { body: 'title=x&severity=SEV1', contentType: 'application/x-www-form-urlencoded' }),
        probeOf(route, 'a __proto__ key', { body: '{"__proto__":{"polluted":true}}', contentType: 'application/json' }),
        probeOf(route, 'a constructor.prototype key', { body: '{"constructor":{"prototype":{"polluted":true}}}', contentType: 'application/json' }),
      ];
      if (!takesBody(route)) return unparseable;
      const body = validBody(route)!;
      const raw = JSON.stringify(body);
      const [firstLeaf] = stringLeaves(body);
      const perField = stringLeaves(body).flatMap((leaf) => [
        probeOf(route, `a number for ${leaf.join('.')}`, json(replaced(body, leaf, 42))),
        probeOf(route, `an object for ${leaf.join('.')}`, json(replaced(body, leaf, { nested: { deeper: 'x' } }))),
        probeOf(route, `an array for ${leaf.join('.')}`, json(replaced(body, leaf, ['x']))),
        ...(nullRefused(route, leaf) ? [probeOf(route, `null for ${leaf.join('.')}`, json(replaced(body, leaf, null)))] : []),
        probeOf(route, `a 30 000 character ${leaf.join('.')}`, json(replaced(body, leaf, LONG_STRING))),
      ]);
      return [
        ...unparseable,
        probeOf(route, 'JSON null', { body: 'null', contentType: 'application/json' }),
        probeOf(route, 'a JSON array', { body: `[${raw}]`, contentType: 'application/json' }),
        probeOf(route, 'a JSON string', { body: JSON.stringify(raw), contentType: 'application/json' }),
        probeOf(route, 'a JSON number', { body: '42', contentType: 'application/json' }),
        probeOf(route, 'an empty body with a JSON content type', { body: '', contentType: 'application/json' }),
        probeOf(route, 'an extra unknown field', json({ ...body, unexpectedField: 'x' })),
        probeOf(route, 'an empty object', json({})),
        probeOf(route, '1,000 levels of nesting', { body: deeplyNested(1_000), contentType: 'application/json' }),
        probeOf(route, 'a text/plain valid body', { body: raw, contentType: 'text/plain' }),
        probeOf(route, 'a valid body with no content type', { body: raw, contentType: null }),
        probeOf(route, 'a __proto__ key beside valid fields', { body: `{"__proto__":{"polluted":true},${raw.slice(1)}`, contentType: 'application/json' }),
        probeOf(route, 'a constructor key beside valid fields', { body: `{"constructor":{"prototype":{"polluted":true}},${raw.slice(1)}`, contentType: 'application/json' }),
        ...(firstLeaf
          ? [
              probeOf(route, `1,000 levels of nesting in ${firstLeaf.join('.')}`, { body: JSON.stringify(replaced(body, firstLeaf, 0)).replace(':0', `:${deeplyNested(1_000)}`), contentType: 'application/json' }),
              probeOf(route, `a duplicate ${firstLeaf.join('.')} whose last value is a number`, { body: `${raw.slice(0, -1)},"${firstLeaf[0]}":42}`, contentType: 'application/json' }),
            ]
          : []),
        ...perField,
      ];
    });
    expect(await sweep(probes)).toEqual([]);
    expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('rejects garbage If-Match on every route that honours it, and bad Idempotency-Keys on every POST', async () => {
    const ifMatch = routes
      .filter((route) => documentsHeader(route, 'If-Match'))
      .flatMap((route) => HOSTILE_IF_MATCH.map((value) => probeOf(route, `If-Match: ${value}`, { headers: { 'if-match': value }, code: 'REQUEST.INVALID_IF_MATCH' })));
    const idempotency = routes
      .filter((route) => route.method === 'POST' && !FOREIGN_WIRE_FORMAT[routeName(route)] && !SENDER_DEDUPLICATED[routeName(route)])
      .flatMap((route) =>
        [
          ['a 300 character Idempotency-Key', 'k'.repeat(300)],
          ['an empty Idempotency-Key', ''],
        ].map(([input, key]) => probeOf(route, input!, { headers: { 'idempotency-key': key! }, code: 'REQUEST.INVALID_IDEMPOTENCY_KEY' })),
      );
    expect(ifMatch.length).toBeGreaterThan(0);
    expect(await sweep([...ifMatch, ...idempotency])).toEqual([]);
  });

  it('swept every route that takes any input', () => {
    const takesInput = (route: Route) => pathParams(route).length > 0 || queryParams(route).length > 0 || takesBody(route) || isWrite(route);
    expect(routes.filter(takesInput).filter((route) => !swept.has(routeName(route))).map(routeName)).toEqual([]);
    const total = [...swept.values()].reduce((sum, n) => sum + n, 0);
    process.stdout.write(`bad-input sweep: ${swept.size} of ${routes.length} routes, ${total} hostile requests\n`);
  });

  it('changed nothing stored: same incident version and timeline, same rules, postmortem, deliveries and counts', async () => {
    const { incident, postmortem } = before.snapshot as { incident: { body: { id: string } }; postmortem: { body: { id: string; incidentId: string } } };
    expect(await storedCounts()).toEqual(before.counts);
    expect(await snapshot(incident.body.id, postmortem.body.id, incident.body.id)).toEqual(before.snapshot);
  });
});
