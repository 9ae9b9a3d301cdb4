import { request as httpRequest } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { createPlatformTestApp, type PlatformTestApp } from '../support/platform-test-app';

jest.setTimeout(60_000);

/** Small on purpose, so the test measures them in seconds (production defaults: see `DEFAULT_HTTP_SERVER_LIMITS`). */
const LIMITS = {
  headersTimeoutMs: 2_000,
  requestTimeoutMs: 3_000,
  keepAliveTimeoutMs: 1_000,
  connectionTimeoutMs: 4_000,
  maxConnectionsPerIp: 100,
};
/**
 * Node checks the request and headers timeouts on a timer (Fireline runs it every quarter of the
 * headers timeout, at most 1 s); the rest is a busy event loop on a loaded 2-core machine.
 */
const CHECK_SLACK_MS = 2_500;

/** The sockets of a slowloris: 350 that never finish their headers, 350 that never finish their body, 100 that say nothing. */
const SLOW_SOCKETS: Record<SlowSocket['kind'], number> = { headers: 350, body: 350, silent: 100 };
/** Spread over 10 loopback addresses so the per-IP cap (100) refuses none of them: the timeouts must cut them. */
const ATTACKER_ADDRESSES = Array.from({ length: 10 }, (_, i) => `127.0.0.${10 + i}`);

interface SlowSocket {
  kind: 'headers' | 'body' | 'silent';
  connected: boolean;
  /** When the connection was made (the server's clock starts then), or when it was attempted if never. */
  openedAt: number;
  closedAt: number | null;
  received: string;
  socket: Socket;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The HTTP server's defences against slow and abusive clients, on the composed platform listening on a
 * real port: Node's request and headers timeouts (enforced, not just configured), the per-IP connection
 * cap, and socket-level client errors (431, a garbage request line) answered as problem+json.
 */
describe('HTTP server limits (e2e)', () => {
  let platform: PlatformTestApp | undefined;
  let port: number;

  beforeAll(async () => {
    platform = await createPlatformTestApp('http_limits', ['fatal'], { http: { server: LIMITS } });
    await platform.app.listen({ port: 0, host: '127.0.0.1' });
    port = (platform.app.getHttpServer().address() as AddressInfo).port;
  });

  afterAll(async () => {
    await platform?.close();
  });

  /** One normal request (as the admin) on a fresh connection from `localAddress`: its status and how long it took (ms). */
  function get(path: string, localAddress = '127.0.0.1', headers: Record<string, string> = {}): Promise<{ status: number; ms: number; contentType: string; body: string }> {
    const started = Date.now();
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path, localAddress, headers: { connection: 'close', authorization: `Bearer ${platform!.adminKey}`, ...headers }, agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: Date.now() - started, contentType: String(res.headers['content-type'] ?? ''), body }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  /** A raw connection that sends `text` and records everything the server answers until it closes. */
  function rawExchange(text: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port });
      let received = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (received += chunk));
      socket.on('error', reject);
      socket.on('close', () => resolve(received));
      socket.write(text);
    });
  }

  function openSlowSocket(kind: SlowSocket['kind'], localAddress: string): SlowSocket {
    const socket = connect({ host: '127.0.0.1', port, localAddress });
    const slow: SlowSocket = { kind, connected: false, openedAt: Date.now(), closedAt: null, received: '', socket };
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (slow.received += chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => (slow.closedAt = Date.now()));
    socket.on('connect', () => {
      slow.connected = true;
      slow.openedAt = Date.now();
      if (kind === 'silent') return;
      socket.write(
        kind === 'headers'
          ? 'GET /v1/incidents HTTP/1.1\r\nHost: fireline\r\nX-Slow: '
          : 'POST /v1/incidents HTTP/1.1\r\nHost: fireline\r\nContent-Type: application/json\r\nContent-Length: 10000\r\n\r\n{"title":"',
      );
      // Drip a byte now and then, as a slowloris does to look alive.
      const drip = setInterval(() => (socket.writable ? socket.write('a') : clearInterval(drip)), 300);
      socket.on('close', () => clearInterval(drip));
    });
    return slow;
  }

  function problemOf(raw: string): { status: number; contentType: string; code: unknown } {
    const [head = '', body = ''] = raw.split('\r\n\r\n');
    const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
    const contentType = /\r\ncontent-type: ([^\r\n]+)/i.exec(head)?.[1] ?? '';
    let code: unknown;
    try {
      code = (JSON.parse(body) as { code?: unknown }).code;
    } catch {
      code = undefined;
    }
    return { status, contentType, code };
  }

  it('answers 431 (headers too large) as problem+json REQUEST.HEADERS_TOO_LARGE', async () => {
    const response = await get('/v1/incidents', '127.0.0.1', { 'x-big': 'a'.repeat(20_000) });
    expect({ status: response.status, contentType: response.contentType, code: (JSON.parse(response.body) as { code?: unknown }).code }).toEqual({
      status: 431,
      contentType: 'application/problem+json',
      code: 'REQUEST.HEADERS_TOO_LARGE',
    });
  });

  it('answers a garbage request line with 400 problem+json REQUEST.MALFORMED_HTTP', async () => {
    expect(problemOf(await rawExchange('THIS IS NOT HTTP\r\n\r\n'))).toEqual({ status: 400, contentType: 'application/problem+json', code: 'REQUEST.MALFORMED_HTTP' });
  });

  it('cuts 350 slowloris sockets that never finish their headers, 350 that never finish their body and 100 silent ones, while the API keeps answering', async () => {
    const kinds = (Object.entries(SLOW_SOCKETS) as [SlowSocket['kind'], number][]).flatMap(([kind, n]) => Array<SlowSocket['kind']>(n).fill(kind));
    const slow = kinds.map((kind, i) => openSlowSocket(kind, ATTACKER_ADDRESSES[i % ATTACKER_ADDRESSES.length]!));

    // Normal requests from another address all along, until every slow socket is gone or the deadline passes.
    const deadline = Date.now() + LIMITS.connectionTimeoutMs + CHECK_SLACK_MS + 2_000;
    const normal: { status: number; ms: number }[] = [];
    const quiet = [await get('/v1/incidents?limit=1'), await get('/v1/incidents?limit=1'), await get('/v1/incidents?limit=1')];
    while (slow.some((s) => s.closedAt === null) && Date.now() < deadline) {
      normal.push(await get('/v1/incidents?limit=1'));
      await sleep(100);
    }

    const open = slow.filter((s) => s.closedAt === null);
    const lifetime = (kind: SlowSocket['kind']) => Math.max(...slow.filter((s) => s.kind === kind && s.closedAt !== null).map((s) => s.closedAt! - s.openedAt));
    process.stdout.write(
      `slowloris: ${slow.length - open.length} of ${slow.length} sockets closed; longest lived ${lifetime('headers')} ms (headers) / ` +
        `${lifetime('body')} ms (body) / ${lifetime('silent')} ms (silent); ` +
        `${normal.length} normal requests meanwhile, median ${median(normal.map((n) => n.ms))} ms, slowest ${Math.max(...normal.map((n) => n.ms))} ms ` +
        `(median ${median(quiet.map((n) => n.ms))} ms without the attack)\n`,
    );
    open.forEach((s) => s.socket.destroy());
    expect(open.length).toBe(0);
    expect(lifetime('headers')).toBeLessThanOrEqual(LIMITS.headersTimeoutMs + CHECK_SLACK_MS);
    expect(lifetime('body')).toBeLessThanOrEqual(LIMITS.requestTimeoutMs + CHECK_SLACK_MS);
    // Node counts the headers time of a connection that sends nothing from its accept.
    expect(lifetime('silent')).toBeLessThanOrEqual(LIMITS.headersTimeoutMs + CHECK_SLACK_MS);
    // Each that had started a request was told why before being closed.
    const talkers = slow.filter((s) => s.kind !== 'silent');
    expect(talkers.map((s) => problemOf(s.received)).filter((p) => p.status !== 408 || p.code !== 'REQUEST.TIMEOUT')).toEqual([]);
    expect(normal.length).toBeGreaterThan(3);
    expect(normal.filter((n) => n.status !== 200)).toEqual([]);
  });

  it('refuses connections beyond the per-IP cap at accept, without affecting other addresses', async () => {
    const address = '127.0.0.200';
    // Silent sockets: held until the headers timeout (2 s here) closes them, after these checks.
    const held = Array.from({ length: LIMITS.maxConnectionsPerIp + 50 }, () => openSlowSocket('silent', address));
    const settled = Date.now() + LIMITS.connectionTimeoutMs / 2;
    while (held.filter((s) => s.closedAt !== null).length < 50 && Date.now() < settled) await sleep(20);
    const refused = held.filter((s) => s.closedAt !== null);
    expect(refused).toHaveLength(50);
    // Closed at accept, with nothing said: an answer would cost what the cap saves.
    expect(refused.every((s) => s.received === '' && s.closedAt! - s.openedAt < 1_000)).toBe(true);
    await expect(get('/v1/incidents?limit=1', address)).rejects.toThrow();
    expect(held.filter((s) => s.closedAt === null)).toHaveLength(LIMITS.maxConnectionsPerIp);
    expect((await get('/v1/incidents?limit=1')).status).toBe(200);

    held.forEach((s) => s.socket.destroy());
    await sleep(200);
    expect((await get('/v1/incidents?limit=1', address)).status).toBe(200);
  });
});
