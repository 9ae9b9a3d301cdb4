import { createHash } from 'node:crypto';

/** A Statuspage answer that says: wait, then try again (420/429 with `Retry-After`, 5xx, timeouts, network errors). */
export class StatuspageRetryLater extends Error {
  constructor(
    message: string,
    /** How long to wait (ms): the answer's `Retry-After`, else null (the caller's backoff decides). */
    readonly retryAfterMs: number | null,
  ) {
    super(message);
  }
}

/** A Statuspage answer that will not get better by retrying (401, 403, 404, 422, …). */
export class StatuspageRejected extends Error {
  constructor(
    message: string,
    readonly httpStatus: number,
  ) {
    super(message);
  }
}

/**
 * At most one request per `minIntervalMs` for each API key, across everything in this process that
 * holds this limiter (Statuspage allows 1 request/s per key). Requests with one key run one at a time,
 * in the order they asked, and the next starts `minIntervalMs` after the previous one ended (not began):
 * however long a request takes on the wire, Statuspage never sees two closer than that.
 */
export class StatuspageRateLimiter {
  private readonly queues = new Map<string, Promise<void>>();
  private readonly notBefore = new Map<string, number>();

  constructor(
    private readonly minIntervalMs: number,
    private readonly now: () => number = () => Date.now(),
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ) {}

  /** Runs `send` in `apiKey`'s turn; its result or error is returned as it is. */
  async run<T>(apiKey: string, send: () => Promise<T>): Promise<T> {
    const key = keyOf(apiKey);
    const previous = this.queues.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    this.queues.set(key, previous.then(() => mine));
    await previous;
    try {
      const waitMs = (this.notBefore.get(key) ?? 0) - this.now();
      if (waitMs > 0) await this.sleep(waitMs);
      return await send();
    } finally {
      this.notBefore.set(key, Math.max(this.notBefore.get(key) ?? 0, this.now() + this.minIntervalMs));
      release();
    }
  }

  /** Pushes the key's next request out by `ms` from now (a 420/429 asked to wait). */
  holdOff(apiKey: string, ms: number): void {
    const key = keyOf(apiKey);
    this.notBefore.set(key, Math.max(this.notBefore.get(key) ?? 0, this.now() + ms));
  }
}

/** Keys are held hashed: no credential sits in memory as a map key. */
function keyOf(apiKey: string): string {
  return createHash('sha256').update(apiKey).digest('hex');
}

/** `Retry-After` in seconds or as an HTTP date, in ms; null when absent or unreadable. */
export function retryAfterMsOf(value: string | null, now = Date.now()): number | null {
  if (value === null || value.trim() === '') return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** How to reach one Statuspage page. `apiUrl` is the Manage API v1 base (`https://api.statuspage.io/v1`). */
export interface StatuspageTarget {
  apiUrl: string;
  pageId: string;
  apiKey: string;
}

/**
 * Atlassian Statuspage Manage API v1 over HTTP (https://developer.statuspage.io): `Authorization: OAuth
 * <key>`, JSON bodies with root-key wrapping, every request through the per-key rate limiter and
 * bounded by `timeoutMs`. A 420 or 429 also holds the key off for its `Retry-After`.
 * @throws StatuspageRetryLater, StatuspageRejected.
 */
export class StatuspageClient {
  constructor(
    private readonly limiter: StatuspageRateLimiter,
    private readonly timeoutMs: number,
  ) {}

  async request<T>(target: StatuspageTarget, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
    return this.limiter.run(target.apiKey, () => this.send<T>(target, method, path, body));
  }

  private async send<T>(target: StatuspageTarget, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
    const url = `${target.apiUrl}/pages/${encodeURIComponent(target.pageId)}${path}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: { authorization: `OAuth ${target.apiKey}`, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        redirect: 'error',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new StatuspageRetryLater(`${method} ${path}: ${error instanceof Error ? error.message : String(error)}`, null);
    }
    const text = await response.text().catch(() => '');
    if (response.ok) return (text === '' ? null : JSON.parse(text)) as T;
    const excerpt = text.slice(0, 200);
    if (response.status === 420 || response.status === 429) {
      const waitMs = retryAfterMsOf(response.headers.get('retry-after')) ?? 1_000;
      this.limiter.holdOff(target.apiKey, waitMs);
      throw new StatuspageRetryLater(`${method} ${path}: HTTP ${response.status} (rate limited)`, waitMs);
    }
    if (response.status >= 500 || response.status === 408) throw new StatuspageRetryLater(`${method} ${path}: HTTP ${response.status} ${excerpt}`, retryAfterMsOf(response.headers.get('retry-after')));
    throw new StatuspageRejected(`${method} ${path}: HTTP ${response.status} ${excerpt}`, response.status);
  }
}
