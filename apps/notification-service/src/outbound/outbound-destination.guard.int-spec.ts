import { startLocalDnsServer, type LocalDnsServer } from '../../../../test/support/local-dns-server';
import { startLocalHttpReceiver, type LocalHttpReceiver } from '../../../../test/support/local-http-receiver';
import { sendOutboundRequest } from '../notifications/channels/http.sender';
import { parseAllowedHosts, type OutboundPolicy } from './domain/outbound-destination.policy';
import { OutboundDestinationGuard } from './outbound-destination.guard';

/** A public address (example.com's); only ever handed out as the *first* answer of the rebinding name, never dialled. */
const PUBLIC_ADDRESS = '93.184.215.14';

/** Names the local DNS server knows. */
function answers(name: string, type: 'A' | 'AAAA', n: number): string[] {
  switch (name) {
    case 'loopback.fireline.test':
    case 'hooks.internal.test':
      return type === 'A' ? ['127.0.0.1'] : [];
    case 'metadata.fireline.test':
      return type === 'A' ? ['169.254.169.254'] : [];
    case 'v6-loopback.fireline.test':
      return type === 'AAAA' ? ['::1'] : [];
    case 'mixed.fireline.test':
      return type === 'A' ? [PUBLIC_ADDRESS] : ['fd00::1'];
    case 'rebind.fireline.test':
      // DNS rebinding: public while the rule is checked, loopback when the worker connects.
      return type === 'A' ? [n === 1 ? PUBLIC_ADDRESS : '127.0.0.1'] : [];
    default:
      return [];
  }
}

describe(OutboundDestinationGuard.name, () => {
  let dns: LocalDnsServer;
  let receiver: LocalHttpReceiver;
  let closedPort: number;
  const guards: OutboundDestinationGuard[] = [];
  /** http allowed (so that a receiver on 127.0.0.1 could answer at all), addresses as by default. */
  const HTTP_ONLY: OutboundPolicy = { allowHttp: true, allowedHostNames: [], allowedNetworks: [] };

  const guard = (policy: OutboundPolicy): OutboundDestinationGuard => {
    const created = new OutboundDestinationGuard(policy, (host) => dns.resolve(host));
    guards.push(created);
    return created;
  };
  const post = (url: string, policy: OutboundPolicy = HTTP_ONLY) => sendOutboundRequest({ url, headers: { 'content-type': 'application/json' }, body: '{}' }, 2_000, guard(policy));

  beforeAll(async () => {
    dns = await startLocalDnsServer(answers);
    receiver = await startLocalHttpReceiver(() => ({ status: 200, body: 'internal admin page: secrets' }));
    const gone = await startLocalHttpReceiver();
    closedPort = Number(new URL(gone.url).port);
    await gone.close();
  });

  afterAll(async () => {
    await Promise.all(guards.map((g) => g.close()));
    await receiver.close();
    await dns.close();
  });

  const port = () => new URL(receiver.url).port;

  it('refuses a rule whose host name resolves to 127.0.0.1 or to the metadata address, and one on ::1 only', async () => {
    const g = guard(HTTP_ONLY);
    expect(await g.targetRefusal(`http://loopback.fireline.test:${port()}/hook`)).toMatch(/resolves to a non-public address/);
    expect(await g.targetRefusal('https://metadata.fireline.test/latest/meta-data/')).toMatch(/resolves to a non-public address/);
    expect(await g.targetRefusal('https://v6-loopback.fireline.test/')).toMatch(/resolves to a non-public address/);
    expect(await g.targetRefusal('https://mixed.fireline.test/')).toMatch(/resolves to a non-public address/);
  });

  it('never connects to a host name that resolves to 127.0.0.1: the receiver there gets no request', async () => {
    const before = receiver.requests.length;
    const report = await post(`http://loopback.fireline.test:${port()}/hook`);
    expect(report.outcome).toEqual({ kind: 'refused', reason: 'host loopback.fireline.test resolves to a non-public address (loopback, private, link-local and other special ranges are refused)' });
    expect(report.responseExcerpt).toBeNull();
    expect(receiver.requests.length).toBe(before);
  });

  it('checks the address actually dialled: a name that was public when checked and is loopback when connecting (DNS rebinding) is refused', async () => {
    const g = guard(HTTP_ONLY);
    const url = `http://rebind.fireline.test:${port()}/hook`;
    expect(await g.targetRefusal(url)).toBeNull(); // first answer: public
    const before = receiver.requests.length;
    const report = await sendOutboundRequest({ url, headers: {}, body: '{}' }, 2_000, g); // second answer: 127.0.0.1
    expect(report.outcome).toMatchObject({ kind: 'refused', reason: expect.stringMatching(/rebind\.fireline\.test resolves to a non-public address/) });
    expect(receiver.requests.length).toBe(before);
    expect(dns.queries.filter((q) => q === 'A rebind.fireline.test')).toHaveLength(2);
  });

  it('gives one and the same answer for an open and a closed internal port, decided before any connection', async () => {
    const open = await post(`http://loopback.fireline.test:${port()}/hook`);
    const closed = await post(`http://loopback.fireline.test:${closedPort}/hook`);
    expect(closed.outcome).toEqual(open.outcome);
    const openLiteral = await post(`http://127.0.0.1:${port()}/hook`);
    const closedLiteral = await post(`http://127.0.0.1:${closedPort}/hook`);
    expect(openLiteral.outcome).toEqual({ kind: 'refused', reason: expect.stringMatching(/points at 127\.0\.0\.1, which is not a public address/) });
    expect(closedLiteral.outcome).toEqual(openLiteral.outcome);
  });

  it.each([
    ['hex', (p: string) => `http://0x7f000001:${p}/hook`],
    ['decimal', (p: string) => `http://2130706433:${p}/hook`],
    ['IPv4-mapped IPv6', (p: string) => `http://[::ffff:127.0.0.1]:${p}/hook`],
    ['localhost', (p: string) => `http://localhost:${p}/hook`],
  ])('refuses 127.0.0.1 written as %s at send time too, before connecting', async (_what, url) => {
    const before = receiver.requests.length;
    const report = await post(url(port()));
    expect(report.outcome.kind).toBe('refused');
    expect(receiver.requests.length).toBe(before);
  });

  it('refuses plain http unless OUTBOUND_ALLOW_HTTP, even to an allowed address', async () => {
    const report = await post(receiver.url, { allowHttp: false, ...parseAllowedHosts(['127.0.0.1']) });
    expect(report.outcome).toEqual({ kind: 'refused', reason: 'must use https (plain http is off: OUTBOUND_ALLOW_HTTP)' });
  });

  it('sends to what the operator allow-listed: an address, or a host name whatever it resolves to', async () => {
    const byAddress = await post(receiver.url, { allowHttp: true, ...parseAllowedHosts(['127.0.0.1/32']) });
    expect(byAddress.outcome).toMatchObject({ kind: 'response', httpStatus: 200 });
    const byName = await post(`http://hooks.internal.test:${port()}/hook`, { allowHttp: true, ...parseAllowedHosts(['hooks.internal.test']) });
    expect(byName.outcome).toMatchObject({ kind: 'response', httpStatus: 200 });
    const g = guard({ allowHttp: true, ...parseAllowedHosts(['hooks.internal.test']) });
    expect(await g.targetRefusal(`http://hooks.internal.test:${port()}/hook`)).toBeNull();
    expect(await g.targetRefusal(`http://loopback.fireline.test:${port()}/hook`)).toMatch(/non-public/);
  });

  it('does not follow a redirect to the metadata address', async () => {
    const redirecting = await startLocalHttpReceiver(() => ({ status: 302, headers: { location: 'http://169.254.169.254/latest/meta-data/' } }));
    try {
      const report = await post(redirecting.url, { allowHttp: true, ...parseAllowedHosts(['127.0.0.1']) });
      expect(report.outcome).toMatchObject({ kind: 'response', httpStatus: 302 });
    } finally {
      await redirecting.close();
    }
  });

  it('leaves a host that does not resolve to the connect-time check', async () => {
    const g = guard(HTTP_ONLY);
    expect(await g.targetRefusal('https://unknown.fireline.test/hook')).toBeNull();
    const report = await sendOutboundRequest({ url: 'https://unknown.fireline.test/hook', headers: {}, body: '{}' }, 2_000, g);
    expect(report.outcome).toEqual({ kind: 'network_error', error: expect.stringMatching(/ENOTFOUND/) });
  });
});
