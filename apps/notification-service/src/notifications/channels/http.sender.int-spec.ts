import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startLocalHttpReceiver, type LocalHttpReceiver } from '../../../../../test/support/local-http-receiver';
import { TEST_OUTBOUND_POLICY } from '../../../../../test/support/test-secrets';
import { OutboundDestinationGuard } from '../../outbound/outbound-destination.guard';
import { RESPONSE_EXCERPT_BYTES, sendOutboundRequest } from './http.sender';

describe(sendOutboundRequest.name, () => {
  // Local receivers on 127.0.0.1: allowed the way an operator would (OUTBOUND_ALLOWED_HOSTS, OUTBOUND_ALLOW_HTTP).
  const guard = new OutboundDestinationGuard(TEST_OUTBOUND_POLICY);
  const cleanups: (() => Promise<void>)[] = [() => guard.close()];
  afterAll(async () => {
    await Promise.allSettled(cleanups.map((cleanup) => cleanup()));
  });

  async function receiver(...args: Parameters<typeof startLocalHttpReceiver>): Promise<LocalHttpReceiver> {
    const r = await startLocalHttpReceiver(...args);
    cleanups.push(() => r.close());
    return r;
  }

  it('posts the body bytes and headers unchanged and reports status and excerpt', async () => {
    const hook = await receiver(() => ({ status: 202, body: 'accepted' }));
    const body = '{"title":"Zürich ☕"}';
    const report = await sendOutboundRequest({ url: hook.url, headers: { 'content-type': 'application/json', 'x-test': '1' }, body }, 2_000, guard);

    expect(report.outcome).toEqual({ kind: 'response', httpStatus: 202, retryAfterMs: null });
    expect(report.responseExcerpt).toBe('accepted');
    expect(report.durationMs).toBeGreaterThanOrEqual(0);
    expect(hook.requests[0].rawBody.equals(Buffer.from(body, 'utf8'))).toBe(true);
    expect(hook.requests[0].headers['x-test']).toBe('1');
  });

  it('reads Retry-After and keeps only the start of a long body', async () => {
    const hook = await receiver(() => ({ status: 429, headers: { 'retry-after': '7' }, body: 'x'.repeat(10_000) }));
    const report = await sendOutboundRequest({ url: hook.url, headers: {}, body: '{}' }, 2_000, guard);
    expect(report.outcome).toEqual({ kind: 'response', httpStatus: 429, retryAfterMs: 7_000 });
    expect(report.responseExcerpt).toBe('x'.repeat(RESPONSE_EXCERPT_BYTES));
  });

  it('does not follow redirects', async () => {
    const target = await receiver();
    const redirecting = await receiver(() => ({ status: 307, headers: { location: target.url } }));
    const report = await sendOutboundRequest({ url: redirecting.url, headers: {}, body: '{}' }, 2_000, guard);
    expect(report.outcome).toMatchObject({ kind: 'response', httpStatus: 307 });
    expect(target.requests).toHaveLength(0);
  });

  it('gives up after the timeout on a receiver that never answers', async () => {
    const hanging: Server = createServer(() => undefined);
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          hanging.closeAllConnections();
          hanging.close(() => resolve());
        }),
    );
    const { port } = hanging.address() as AddressInfo;
    const report = await sendOutboundRequest({ url: `http://127.0.0.1:${port}/hook`, headers: {}, body: '{}' }, 100, guard);
    expect(report.outcome).toEqual({ kind: 'timeout', timeoutMs: 100 });
  });

  it('reports a refused connection as a network error', async () => {
    const gone = await receiver();
    await gone.close();
    const report = await sendOutboundRequest({ url: gone.url, headers: {}, body: '{}' }, 2_000, guard);
    expect(report.outcome).toEqual({ kind: 'network_error', error: 'fetch failed: ECONNREFUSED' });
    expect(report.responseExcerpt).toBeNull();
  });
});
