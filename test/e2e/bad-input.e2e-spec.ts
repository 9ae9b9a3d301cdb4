import { randomBytes, randomUUID } from 'node:crypto';
import { eventually } from '../support/eventually';
import { startLocalHttpReceiver, type LocalHttpReceiver } from '../support/local-http-receiver';
import { createPlatformTestApp, type PlatformTestApp } from '../support/platform-test-app';
import type { AuthedAgent } from '../support/test-credentials';
import type { TestDatabase } from '../support/test-database';

/** The parts of an OpenAPI 3 document the sweep reads (as served at `/docs-json`). */
interface Schema {
  type?: string;
  format?: string;
  enum?: unknown[];
  example?: unknown;
  minimum?: number;
  properties?: Record<string, Schema>;
  items?: Schema;
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
  /** A field the answer's `errors[]` must name (the field itself or one of its members). */
  field?: string;
}

interface Outcome {
  probe: Probe;
  status: number;
  contentType: string;
  code: unknown;
  /** `errors[].field` of the answer. */
  fields: string[];
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

/**
 * Routes with no input at all (no path or query parameter, no body, GET): nothing to sweep. Listed so
 * that a route left out of the sweep is a decision with a reason, checked by the last test.
 */
const NOTHING_TO_SWEEP: Record<string, string> = {
  'GET /health/live': 'liveness probe: no parameters',
  'GET /health/ready': 'readiness probe: no parameters',
  'GET /metrics': 'Prometheus text: no parameters',
  'GET /v1/admin/incident-service/subscriptions': 'operations view: no parameters, a handful of rows',
  'GET /v1/admin/postmortem-service/subscriptions': 'operations view: no parameters, a handful of rows',
};

const HANG_MS = 10_000;
const CONCURRENCY = 8;
/** Longer than any documented string limit (20 000), well under the 64 KiB body limit. */
const LONG_STRING = 'x'.repeat(30_000);

function deeplyNested(levels: number): string {
  return '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);
}

function deeplyNestedArrays(levels: number): string {
  return '['.repeat(levels) + ']'.repeat(levels);
}

/**
 * JSON nested past any sane depth. Fireline refuses bodies deeper than 32 levels; 30 000 levels of
 * arrays still fit the tests' 64 KiB body limit, and recursion over them overflows the stack.
 */
const DEEP_BODIES: [string, string][] = [
  ['40 levels of objects', deeplyNested(40)],
  ['2,000 levels of objects', deeplyNested(2_000)],
  ['10,000 levels of objects', deeplyNested(10_000)],
  ['30,000 levels of arrays', deeplyNestedArrays(30_000)],
];

/** What PostgreSQL `text` and `jsonb` cannot hold: NUL, and UTF-16 surrogates without their pair. */
const UNSTORABLE_STRINGS: [string, string][] = [
  ['a NUL character', 'before\u0000after'],
  ['a lone high surrogate', 'before\ud800after'],
  ['a lone low surrogate', '\udc00'],
  ['a reversed surrogate pair', '\udc00\ud83d'],
];

/**
 * The same in a URL. Only NUL can be written there (`%00`): a lone surrogate has no UTF-8 form, and its
 * would-be bytes (`%ED%A0%80`) are ill-formed UTF-8, which the router refuses as a bad URL in a path and
 * the query-string parser leaves undecoded (harmless text).
 */
const NUL_URL_VALUE = 'x%00y';
const ILL_FORMED_UTF8_PATH_VALUES: [string, string][] = [
  ['%ED%A0%80 (a lone surrogate as UTF-8)', 'x%ED%A0%80y'],
  ['%C0%80 (an overlong NUL)', 'x%C0%80y'],
];

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

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

const ZERO_UUID = '00000000-0000-0000-0000-000000000000';

const HOSTILE_CURSORS: [string, string][] = [
  // The cursors of issue 8, each a 500 before.
  ['of issue 8 on the ledger ("2020-01-01T00:00:00.000Z|" + 36 dashes)', 'MjAyMC0wMS0wMVQwMDowMDowMC4wMDBafC0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLQ'],
  ['base64 of ["9999-99-99T99:99:99.999Z", zero UUID]', b64(JSON.stringify(['9999-99-99T99:99:99.999Z', ZERO_UUID]))],
  ['base64 of ["2020-13-45", timestamp, zero UUID]', b64(JSON.stringify(['2020-13-45', '2020-01-01T00:00:00.000Z', ZERO_UUID]))],
  ['base64 of ["2020-13-45", zero UUID]', b64(JSON.stringify(['2020-13-45', ZERO_UUID]))],
  ['base64 of ["2020-02-30", timestamp, zero UUID]', b64(JSON.stringify(['2020-02-30', '2020-01-01T00:00:00.000Z', ZERO_UUID]))],
  ['base64 of ["2026-02-30T10:00:00.000Z", zero UUID]', b64(JSON.stringify(['2026-02-30T10:00:00.000Z', ZERO_UUID]))],
  ['base64 of a negative sequence', b64('seq:-1')],
  ['base64 of a fractional sequence', b64('seq:1.5')],
  ['base64 of a JSON object with a NUL', b64('{"v":1,"k":["\u0000"]}')],
  ['base64 of a deeply nested JSON array', b64(deeplyNestedArrays(5_000))],
  ['an empty cursor', ''],
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

/** The kinds of JSON value a body field may get instead of the one it expects. */
type JsonKind = 'string' | 'number' | 'boolean' | 'object' | 'array';

/** Wrong values per expected kind: every other container and scalar, and the `[null]` of issue 8. */
const WRONG_VALUES: Record<JsonKind, [string, unknown][]> = {
  string: [['a number', 42], ['a boolean', true], ['an object', { nested: { deeper: 'x' } }], ['an array', ['x']], ['[null]', [null]]],
  number: [['a string', '1'], ['a boolean', true], ['an object', {}], ['an array', [1]]],
  boolean: [['a string', 'true'], ['a number', 1], ['an object', {}], ['an array', [true]]],
  object: [['a string', 'x'], ['a number', 42], ['a boolean', true], ['an array', []], ['[null]', [null]], ['[{}]', [{}]], ['[[]]', [[]]]],
  array: [['a string', 'x'], ['a number', 42], ['a boolean', true], ['an object', { 0: 'x' }], ['[null]', [null]], ['[[]]', [[]]]],
};

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
  let http: AuthedAgent;
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
    // Second rows, so that every list has a next page at limit=1 (the sweep harvests real cursors).
    const quietRule = { name: 'bad-input quiet', match: { services: [`${service}-nowhere`] }, channel: { type: 'slack', webhookUrl: receiver.url } };
    expect((await http.post('/v1/notification-rules').send(quietRule)).status).toBe(201);
    const integrations = await Promise.all(['bad-input a', 'bad-input b'].map((name) => http.post('/v1/integrations').send({ type: 'events-v2', name, service })));
    expect(integrations.map((i) => i.status)).toEqual([201, 201]);
    const integrationId = integrations[0]!.body.id as string;
    const incident = await http.post('/v1/incidents').send({ title: 'Seeded for the sweep', severity: 'SEV2', services: [service] });
    expect(incident.status).toBe(201);
    expect((await http.post(`/v1/incidents/${incident.body.id}/notes`).send({ text: 'a second timeline entry' })).status).toBe(201);
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
      // Declared and the note: two deliveries.
      expect(page.body.items.map((d: { status: string }) => d.status)).toEqual(['delivered', 'delivered']);
      return page.body.items[0].id as string;
    });
    await eventually(async () => {
      const items = await http.get('/v1/action-items').query({ postmortemId });
      expect(items.body.items).toHaveLength(1);
    });

    const apiKey = await platform.issueKey({ role: 'viewer', name: 'bad-input seed' });

    const byPrefix: [string, Record<string, string>][] = [
      ['/v1/api-keys/', { id: apiKey.keyId }],
      ['/v1/incidents/', { id: incident.body.id, role: 'incident_commander' }],
      ['/v1/notification-rules/', { id: rule.body.id }],
      ['/v1/integrations/', { id: integrationId }],
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
    const classes = [...tally].map(([name, t]) => `  ${name}: ${t.sent} requests, ${t.serverErrors} 5xx, ${t.wrong} not answered as they should`).join('\n');
    const total = [...swept.values()].reduce((sum, n) => sum + n, 0);
    process.stdout.write(`bad-input sweep: ${swept.size} of ${routes?.length ?? 0} routes, ${total} hostile requests\n${classes}\n`);
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
        // An optional array is left out: an empty one may be refused (at least one signing secret, say).
        const entries = Object.entries(resolved.properties)
          .filter(([name, property]) => resolveSchema(property)?.type !== 'array' || resolved.required?.includes(name) || resolveSchema(property)?.example !== undefined)
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
    'POST /v1/notification-rules': {
      name: 'sweep',
      enabled: true,
      match: { severities: ['SEV1'], services: ['sweep'] },
      channel: { type: 'slack', webhookUrl: 'http://127.0.0.1:9/hook' },
    },
    'PATCH /v1/notification-rules/{id}': { name: 'renamed by the sweep', enabled: false, match: { services: ['sweep'] }, channel: { type: 'webhook', url: 'http://127.0.0.1:9/hook' } },
  };

  /** The required members of the fallback bodies (the schema cannot say). */
  const FALLBACK_REQUIRED: Record<string, string[]> = { 'POST /v1/notification-rules': ['name', 'channel'] };

  function validBody(route: Route): Record<string, unknown> | undefined {
    const schema = route.operation.requestBody?.content['application/json']?.schema;
    if (!schema) return undefined;
    const sample = sampleOf(schema) as Record<string, unknown> | undefined;
    if (sample && Object.keys(sample).length > 0) return sample;
    const fallback = FALLBACK_BODIES[`${route.method} ${route.path}`];
    if (!fallback) throw new Error(`No valid body for ${route.method} ${route.path}: document its DTO or add a fallback`);
    return fallback as Record<string, unknown>;
  }

  /** Paths (`['impact', 'description']`, `['services', '0']`) of every string in a body, array items included. */
  function stringLeaves(value: unknown, at: string[] = []): string[][] {
    if (typeof value === 'string') return [at];
    if (Array.isArray(value)) return value.flatMap((child, index) => stringLeaves(child, [...at, String(index)]));
    if (value && typeof value === 'object') return Object.entries(value).flatMap(([key, child]) => stringLeaves(child, [...at, key]));
    return [];
  }

  /** Every member of a body (objects and arrays too, not their items), with the kind of JSON value it holds. */
  function fieldsOf(value: unknown, at: string[] = []): [string[], JsonKind][] {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return [];
    return Object.entries(value).flatMap(([key, child]): [string[], JsonKind][] => {
      const path = [...at, key];
      const kind: JsonKind | undefined = Array.isArray(child)
        ? 'array'
        : child !== null && typeof child === 'object'
          ? 'object'
          : (['string', 'number', 'boolean'] as const).find((k) => typeof child === k);
      return kind === undefined ? [] : [[path, kind], ...fieldsOf(child, path)];
    });
  }

  function replaced(body: unknown, path: string[], value: unknown): Record<string, unknown> {
    const [head, ...rest] = path as [string, ...string[]];
    const inner = rest.length === 0 ? value : replaced((body as Record<string, unknown>)[head], rest, value);
    if (Array.isArray(body)) return Object.assign([...body], { [Number(head)]: inner }) as unknown as Record<string, unknown>;
    return { ...(body as Record<string, unknown>), [head]: inner };
  }

  function urlOf(route: Route, override: Record<string, string> = {}): string {
    return route.path.replace(/\{(\w+)\}/g, (_all, name: string) => override[name] ?? validPathValue(route.path, name));
  }

  function routeName(route: Route): string {
    return `${route.method} ${route.path}`;
  }

  const json = (value: unknown) => ({ body: JSON.stringify(value), contentType: 'application/json' });

  /** Senders we do not control answer in their own format (or never see our errors[]): no field to check there. */
  const isReceiver = (route: Route) => FOREIGN_WIRE_FORMAT[routeName(route)] !== undefined || SENDER_DEDUPLICATED[routeName(route)] !== undefined;

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
      const body = response.body as { code?: unknown; errors?: { field?: unknown }[] } | undefined;
      const fields = Array.isArray(body?.errors) ? body.errors.map((e) => String(e?.field)) : [];
      return { probe, status: response.status, contentType: String(response.headers['content-type'] ?? ''), code: body?.code, fields };
    } catch (error) {
      return { probe, status: 0, contentType: '', code: undefined, fields: [], error: error instanceof Error ? error.message : String(error) };
    }
  }

  /** Requests sent and 5xx answers per class of hostile input, printed at the end. */
  const tally = new Map<string, { sent: number; serverErrors: number; wrong: number }>();

  /** Sends every probe (a few at a time) and returns a line per one that was not answered as it should be. */
  async function sweep(probes: Probe[], inputClass = 'other'): Promise<string[]> {
    for (const probe of probes) swept.set(probe.route, (swept.get(probe.route) ?? 0) + 1);
    const outcomes: Outcome[] = [];
    for (let i = 0; i < probes.length; i += CONCURRENCY) outcomes.push(...(await Promise.all(probes.slice(i, i + CONCURRENCY).map(send))));
    const failures = outcomes.filter((o) => !answeredAsProblem(o));
    const counts = tally.get(inputClass) ?? { sent: 0, serverErrors: 0, wrong: 0 };
    tally.set(inputClass, {
      sent: counts.sent + outcomes.length,
      serverErrors: counts.serverErrors + outcomes.filter((o) => o.status >= 500 || o.status === 0).length,
      wrong: counts.wrong + failures.length,
    });
    return failures.map(describeOutcome);
  }

  function answeredAsProblem({ probe, status, contentType, code, fields }: Outcome): boolean {
    if (FOREIGN_WIRE_FORMAT[probe.route]) return status >= 400 && status < 500;
    const expectedCode = probe.code === undefined || code === probe.code;
    const field = probe.field;
    // The field itself, one of its members, or the array holding it (`services` for `services.0`).
    const namesField = field === undefined || fields.some((f) => f === field || f.startsWith(`${field}.`) || new RegExp(`^${escapeRegExp(f)}\\.\\d+$`).test(field));
    return status >= 400 && status < 500 && contentType.startsWith('application/problem+json') && typeof code === 'string' && expectedCode && namesField;
  }

  function describeOutcome({ probe, status, contentType, code, fields, error }: Outcome): string {
    const got = error ? `no answer (${error})` : `${status} ${contentType || '(no content type)'} code=${String(code)} fields=[${fields.join(',')}]`;
    return `${probe.route} with ${probe.input}: ${got}${probe.code ? `, expected code ${probe.code}` : ''}${probe.field ? `, expected field ${probe.field}` : ''}`;
  }

  /**
   * `null` must be refused where it cannot mean "absent": for a required field, and for any field of a
   * PATCH (absent = leave as is). An optional field of a create may take `null` for absent.
   */
  function nullRefused(route: Route, leaf: string[]): boolean {
    if (route.method === 'PATCH') return true;
    const required = resolveSchema(route.operation.requestBody?.content['application/json']?.schema)?.required ?? FALLBACK_REQUIRED[routeName(route)];
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
    expect(await sweep(probes, 'hostile path parameters')).toEqual([]);
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
        if (p === 'asOf' || schema?.format === 'date-time') for (const date of HOSTILE_DATES) cases.push(withQuery(`${p}=${date}`, `${p}=${encodeURIComponent(date)}`));
        return cases;
      });
      return [...generic, ...specific];
    });
    expect(await sweep(probes, 'hostile query strings')).toEqual([]);
  });

  it('rejects hostile cursors on every list with REQUEST.INVALID_CURSOR, cursors of other lists included', async () => {
    const lists = routes.filter((route) => queryParams(route).some((p) => p.name === 'cursor'));
    // Real cursors, one per list (limit=1 on a list the seed gave two rows): each must work on its own list only.
    const harvested = new Map<string, string>();
    for (const route of lists) {
      const page = await http.get(urlOf(route)).query({ limit: 1 });
      expect({ route: routeName(route), status: page.status }).toEqual({ route: routeName(route), status: 200 });
      const next = (page.body as { nextCursor?: unknown }).nextCursor;
      if (typeof next === 'string') harvested.set(routeName(route), next);
    }
    for (const [name, cursor] of harvested) {
      const route = lists.find((r) => routeName(r) === name)!;
      expect({ name, status: (await http.get(urlOf(route)).query({ limit: 1, cursor })).status }).toEqual({ name, status: 200 });
    }
    const probes = lists.flatMap((route) => {
      const withCursor = (input: string, cursor: string) =>
        probeOf(route, `cursor ${input}`, { url: `${urlOf(route)}?cursor=${encodeURIComponent(cursor)}`, code: 'REQUEST.INVALID_CURSOR' });
      const foreign = [...harvested].filter(([name]) => name !== routeName(route)).map(([name, cursor]) => withCursor(`of ${name}`, cursor));
      return [...HOSTILE_CURSORS.map(([input, cursor]) => withCursor(input, cursor)), ...foreign];
    });
    expect(await sweep(probes, 'hostile cursors')).toEqual([]);
    expect([...harvested.keys()]).toEqual(expect.arrayContaining(['GET /v1/incidents', 'GET /v1/notification-rules', 'GET /v1/integrations', 'GET /v1/incidents/{id}/timeline']));
  });

  it('rejects JSON nested deeper than 32 levels on every route that takes a body', async () => {
    const probes = routes.filter(isWrite).flatMap((route): Probe[] => {
      const body = takesBody(route) ? validBody(route)! : undefined;
      const [firstLeaf] = body ? stringLeaves(body) : [];
      const code = isReceiver(route) ? undefined : 'REQUEST.TOO_DEEPLY_NESTED';
      return DEEP_BODIES.flatMap(([input, deep]) => [
        probeOf(route, input, { body: deep, contentType: 'application/json', code }),
        ...(body && firstLeaf
          ? [probeOf(route, `${input} in ${firstLeaf.join('.')}`, { body: JSON.stringify(replaced(body, firstLeaf, 0)).replace(/:0([,}\]])/, `:${deep}$1`), contentType: 'application/json', code })]
          : []),
      ]);
    });
    expect(await sweep(probes, 'deep nesting')).toEqual([]);
  });

  it('rejects NUL and lone surrogates in every string of every body, query string and path, naming the field', async () => {
    const probes = routes.flatMap((route): Probe[] => {
      const receiver = isReceiver(route);
      const inPath = pathParams(route).flatMap((name) => [
        probeOf(route, `{${name}} with %00`, { url: urlOf(route, { [name]: NUL_URL_VALUE }), field: receiver ? undefined : name }),
        ...ILL_FORMED_UTF8_PATH_VALUES.map(([input, value]) => probeOf(route, `{${name}} with ${input}`, { url: urlOf(route, { [name]: value }), code: 'REQUEST.BAD_URL' })),
      ]);
      const inQuery = queryParams(route).map((param) => probeOf(route, `${param.name} with %00`, { url: `${urlOf(route)}?${param.name}=${NUL_URL_VALUE}`, field: param.name }));
      const body = takesBody(route) ? validBody(route)! : undefined;
      // JSON.stringify writes NUL as \u0000 and a lone surrogate as \ud800: what a client's serializer sends.
      const inBody = body
        ? stringLeaves(body).flatMap((leaf) =>
            UNSTORABLE_STRINGS.map(([input, value]) =>
              probeOf(route, `${leaf.join('.')} with ${input}`, { ...json(replaced(body, leaf, value)), field: receiver ? undefined : leaf.join('.') }),
            ),
          )
        : [];
      const inKey = body ? [probeOf(route, 'a key with a NUL', json({ 'na\u0000me': 'x', ...body }))] : [];
      return [...inPath, ...inQuery, ...inBody, ...inKey];
    });
    expect(probes.length).toBeGreaterThan(0);
    expect(await sweep(probes, 'NUL and lone surrogates')).toEqual([]);
  });

  it('rejects a wrong container or scalar type for every body field, naming the field', async () => {
    const probes = routes.filter(takesBody).flatMap((route): Probe[] => {
      const body = validBody(route)!;
      const receiver = isReceiver(route);
      return fieldsOf(body).flatMap(([path, kind]) => {
        const field = path.join('.');
        // null of nested members is probed on their string leaves by the hostile-body test; here only top-level members.
        const wrong: [string, unknown][] = [...WRONG_VALUES[kind], ...(path.length === 1 && nullRefused(route, path) ? [['null', null] as [string, unknown]] : [])];
        return wrong.map(([input, value]) => probeOf(route, `${input} for ${field} (${kind} expected)`, { ...json(replaced(body, path, value)), field: receiver ? undefined : field }));
      });
    });
    expect(await sweep(probes, 'wrong container types')).toEqual([]);
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
    expect(await sweep(probes, 'hostile bodies')).toEqual([]);
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
    expect(await sweep([...ifMatch, ...idempotency], 'hostile headers')).toEqual([]);
  });

  it('swept every route that takes any input; the others are listed with a reason', () => {
    const takesInput = (route: Route) => pathParams(route).length > 0 || queryParams(route).length > 0 || takesBody(route) || isWrite(route);
    expect(routes.filter(takesInput).filter((route) => !swept.has(routeName(route))).map(routeName)).toEqual([]);
    expect(routes.filter((route) => !swept.has(routeName(route))).map(routeName).sort()).toEqual(Object.keys(NOTHING_TO_SWEEP).sort());
  });

  it('changed nothing stored: same incident version and timeline, same rules, postmortem, deliveries and counts', async () => {
    const { incident, postmortem } = before.snapshot as { incident: { body: { id: string } }; postmortem: { body: { id: string; incidentId: string } } };
    expect(await storedCounts()).toEqual(before.counts);
    expect(await snapshot(incident.body.id, postmortem.body.id, incident.body.id)).toEqual(before.snapshot);
  });
});
