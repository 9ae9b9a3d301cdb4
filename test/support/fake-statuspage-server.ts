import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One call the fake received, in order, with its arrival time (ms since the epoch). */
export interface StatuspageCallRecord {
  method: string;
  path: string;
  at: number;
  body: unknown;
  status: number;
}

export interface FakeStatuspage {
  /** The Manage API v1 base to configure (`http://127.0.0.1:<port>/v1`). */
  apiUrl: string;
  pageId: string;
  apiKey: string;
  calls: StatuspageCallRecord[];
  components: Map<string, Record<string, unknown>>;
  incidents: Map<string, Record<string, unknown> & { incident_updates: Record<string, unknown>[] }>;
  /** The next `n` calls are answered with `status` (420 or 429 with `Retry-After: retryAfterS`, or a 5xx). */
  failNext(n: number, status: number, retryAfterS?: number): void;
  close(): Promise<void>;
}

const id = () => randomBytes(6).toString('hex');

/**
 * A local stand-in for Atlassian Statuspage's Manage API v1 (https://developer.statuspage.io): one page,
 * `Authorization: OAuth <key>` checked (401 otherwise), root-key wrapped bodies (`{ "component": {…} }`,
 * `{ "incident": {…} }`; 400 without), the component and incident paths Fireline uses, `?q=` search of
 * incidents by name, and Statuspage's rate limit: a request less than `minIntervalMs` after the previous
 * one with the same key is answered 420 with `Retry-After` (as is any call `failNext` asks for). Records
 * every call, so that tests can assert nothing was created twice and the request rate.
 */
export async function startFakeStatuspage(minIntervalMs = 1_000): Promise<FakeStatuspage> {
  const pageId = id();
  const apiKey = `key-${id()}`;
  const calls: StatuspageCallRecord[] = [];
  const components = new Map<string, Record<string, unknown>>();
  const incidents = new Map<string, Record<string, unknown> & { incident_updates: Record<string, unknown>[] }>();
  const failures: { status: number; retryAfterS?: number }[] = [];
  let lastAt = 0;

  function answer(method: string, path: string, body: unknown): { status: number; body?: unknown; headers?: Record<string, string> } {
    const prefix = `/v1/pages/${pageId}`;
    if (!path.startsWith(prefix)) return { status: 404, body: { error: 'page not found' } };
    const [route, query] = path.slice(prefix.length).split('?') as [string, string | undefined];
    const wrapped = (key: string) => (body && typeof body === 'object' && key in body ? ((body as Record<string, unknown>)[key] as Record<string, unknown>) : null);
    const now = new Date().toISOString();
    let m: RegExpExecArray | null;
    if (method === 'GET' && route === '/components') return { status: 200, body: [...components.values()] };
    if (method === 'POST' && route === '/components') {
      const c = wrapped('component');
      if (!c || typeof c.name !== 'string') return { status: 400, body: { error: 'component is missing' } };
      const created = { id: id(), page_id: pageId, name: c.name, status: c.status ?? 'operational', created_at: now, updated_at: now };
      components.set(created.id, created);
      return { status: 201, body: created };
    }
    if ((m = /^\/components\/([^/]+)$/.exec(route)) && method === 'PATCH') {
      const c = wrapped('component');
      const existing = components.get(m[1]!);
      if (!existing) return { status: 404, body: { error: 'not found' } };
      if (!c) return { status: 400, body: { error: 'component is missing' } };
      Object.assign(existing, c, { updated_at: now });
      return { status: 200, body: existing };
    }
    if (method === 'GET' && route === '/incidents') {
      const q = new URLSearchParams(query ?? '').get('q')?.toLowerCase() ?? '';
      return { status: 200, body: [...incidents.values()].filter((i) => String(i.name).toLowerCase().includes(q)) };
    }
    if (method === 'POST' && route === '/incidents') {
      const i = wrapped('incident');
      if (!i || typeof i.name !== 'string') return { status: 400, body: { error: 'incident is missing' } };
      const incidentId = id();
      const { body: text, ...fields } = i;
      const created = { ...fields, id: incidentId, page_id: pageId, created_at: now, updated_at: now, incident_updates: [{ id: id(), status: i.status, body: text, created_at: now }] };
      incidents.set(incidentId, created);
      return { status: 201, body: created };
    }
    if ((m = /^\/incidents\/([^/]+)$/.exec(route))) {
      const existing = incidents.get(m[1]!);
      if (!existing) return { status: 404, body: { error: 'not found' } };
      if (method === 'DELETE') {
        incidents.delete(m[1]!);
        return { status: 200, body: existing };
      }
      if (method === 'PATCH') {
        const i = wrapped('incident');
        if (!i) return { status: 400, body: { error: 'incident is missing' } };
        const { body: text, ...fields } = i;
        Object.assign(existing, fields, { updated_at: now });
        if (typeof text === 'string') existing.incident_updates.unshift({ id: id(), status: i.status ?? existing.status, body: text, created_at: now });
        return { status: 200, body: existing };
      }
    }
    return { status: 404, body: { error: 'no such route' } };
  }

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const at = Date.now();
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = null;
      try {
        body = text === '' ? null : JSON.parse(text);
      } catch {
        body = text;
      }
      let reply: { status: number; body?: unknown; headers?: Record<string, string> };
      if (req.headers.authorization !== `OAuth ${apiKey}`) {
        reply = { status: 401, body: { error: 'Could not authenticate' } };
      } else if (failures.length > 0) {
        const f = failures.shift()!;
        reply = { status: f.status, body: { error: 'failing on purpose' }, headers: f.retryAfterS === undefined ? {} : { 'retry-after': String(f.retryAfterS) } };
      } else if (at - lastAt < minIntervalMs) {
        reply = { status: 420, body: { error: 'Enhance your calm' }, headers: { 'retry-after': '1' } };
      } else {
        reply = answer(req.method ?? '', req.url ?? '', body);
      }
      if (req.headers.authorization === `OAuth ${apiKey}`) lastAt = at;
      calls.push({ method: req.method ?? '', path: req.url ?? '', at, body, status: reply.status });
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
      res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    apiUrl: `http://127.0.0.1:${port}/v1`,
    pageId,
    apiKey,
    calls,
    components,
    incidents,
    failNext: (n, status, retryAfterS) => {
      for (let i = 0; i < n; i += 1) failures.push({ status, retryAfterS });
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        if (!server.listening) return resolve();
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
