import { checkTargetUrl, DEFAULT_OUTBOUND_POLICY, isAllowedAddress, isPublicUnicastAddress, parseAllowedHosts, type OutboundPolicy } from './outbound-destination.policy';

describe(isPublicUnicastAddress.name, () => {
  it.each([
    ['0.0.0.0/8 "this network"', '0.0.0.0'],
    ['0.0.0.0/8, not only 0.0.0.0', '0.1.2.3'],
    ['10/8 private', '10.0.0.1'],
    ['100.64/10 carrier-grade NAT (Alibaba metadata 100.100.100.200)', '100.100.100.200'],
    ['127/8 loopback', '127.0.0.1'],
    ['127/8 loopback, not only .1', '127.255.0.7'],
    ['169.254/16 link-local: the cloud metadata service', '169.254.169.254'],
    ['172.16/12 private', '172.16.0.1'],
    ['172.16/12 private, upper end', '172.31.255.254'],
    ['192.0.0/24 IETF protocol assignments', '192.0.0.8'],
    ['192.0.2/24 documentation', '192.0.2.1'],
    ['192.168/16 private', '192.168.1.1'],
    ['198.18/15 benchmarking', '198.19.0.1'],
    ['224/4 multicast', '224.0.0.1'],
    ['240/4 reserved', '240.0.0.1'],
    ['the broadcast address', '255.255.255.255'],
    [':: unspecified', '::'],
    ['::1 loopback', '::1'],
    ['::/96 IPv4-compatible loopback', '::127.0.0.1'],
    ['fc00::/7 unique-local', 'fc00::1'],
    ['fd00::/8 unique-local: AWS metadata over IPv6', 'fd00:ec2::254'],
    ['fe80::/10 link-local', 'fe80::1'],
    ['ff00::/8 multicast', 'ff02::1'],
    ['IPv4-mapped loopback', '::ffff:127.0.0.1'],
    ['IPv4-mapped metadata', '::ffff:169.254.169.254'],
    ['IPv4-mapped private, hex form', '::ffff:a00:1'],
    ['SIIT (::ffff:0:0/96) private', '::ffff:0:10.0.0.1'],
    ['NAT64 64:ff9b::/96 of 10.0.0.1', '64:ff9b::a00:1'],
    ['NAT64 64:ff9b:1::/48 (local-use)', '64:ff9b:1::a00:1'],
    ['6to4 2002::/16 embedding 127.0.0.1', '2002:7f00:1::1'],
    ['6to4 embedding 192.168.0.1', '2002:c0a8:1::'],
    ['Teredo 2001::/32', '2001:0:4136:e378:8000:63bf:3fff:fdd2'],
    ['2001:db8::/32 documentation', '2001:db8::1'],
    ['100::/64 discard', '100::1'],
    ['a zone-scoped link-local address', 'fe80::1%eth0'],
    ['a host name', 'example.com'],
    ['garbage', 'not-an-ip'],
  ])('refuses %s: %s', (_what, ip) => {
    expect(isPublicUnicastAddress(ip)).toBe(false);
  });

  it.each([
    ['a public IPv4 address', '93.184.215.14'],
    ['just outside 172.16/12', '172.32.0.1'],
    ['just outside 100.64/10', '100.128.0.1'],
    ['a public IPv6 address', '2606:4700:4700::1111'],
    ['IPv4-mapped public', '::ffff:8.8.8.8'],
    ['NAT64 of a public address', '64:ff9b::808:808'],
    ['6to4 of a public address', '2002:808:808::1'],
  ])('allows %s: %s', (_what, ip) => {
    expect(isPublicUnicastAddress(ip)).toBe(true);
  });
});

describe(checkTargetUrl.name, () => {
  const refused = (url: string, policy: OutboundPolicy = DEFAULT_OUTBOUND_POLICY) => {
    const verdict = checkTargetUrl(url, policy);
    return verdict.allowed ? null : verdict.reason;
  };

  it.each([
    ['hex', 'https://0x7f000001/hook'],
    ['decimal', 'https://2130706433/hook'],
    ['octal', 'https://017700000001/hook'],
    ['short dotted', 'https://127.1/hook'],
    ['mixed radix', 'https://0x7f.0.0.1/hook'],
    ['IPv6 loopback', 'https://[::1]/hook'],
    ['IPv4-mapped IPv6 in brackets', 'https://[::ffff:127.0.0.1]:8443/hook'],
    ['metadata', 'https://169.254.169.254/latest/meta-data/'],
    ['metadata, decimal', 'https://2852039166/latest/meta-data/'],
    ['localhost', 'https://localhost:5432/'],
    ['a .localhost name', 'https://admin.localhost/'],
    ['the unspecified address', 'https://0.0.0.0:3000/v1/admin'],
  ])('refuses a loopback, private or metadata host written as %s', (_what, url) => {
    expect(refused(url)).toMatch(/not a public/);
  });

  it('refuses plain http by default, other schemes always, and URLs that still carry a read mask', () => {
    expect(refused('http://hooks.example.com/x')).toMatch(/must use https/);
    expect(refused('ftp://hooks.example.com/x')).toMatch(/must be an https URL/);
    expect(refused('file:///etc/passwd')).toMatch(/must be an https URL/);
    expect(refused('gopher://127.0.0.1:6379/_FLUSHALL', { ...DEFAULT_OUTBOUND_POLICY, allowHttp: true })).toMatch(/must be an https URL/);
    expect(refused('https://hooks.slack.com/services/T0/B0/…abcd')).toMatch(/masked/);
    expect(refused('not a url')).toMatch(/not a valid URL/);
    expect(refused('https://ops:hunter2@hooks.example.com/x')).toMatch(/must not carry a user name or password/);
    expect(refused('https://hooks.example.com@10.0.0.1/')).toMatch(/must not carry a user name or password/);
  });

  it('allows a public https URL and leaves a host name to the resolver check', () => {
    expect(checkTargetUrl('https://hooks.example.com/x', DEFAULT_OUTBOUND_POLICY)).toMatchObject({ allowed: true, host: 'hooks.example.com', hostIsAddress: false, hostAllowListed: false });
    expect(checkTargetUrl('https://93.184.215.14/x', DEFAULT_OUTBOUND_POLICY)).toMatchObject({ allowed: true, hostIsAddress: true });
  });

  it('lets an operator allow-list addresses, networks and names, and plain http', () => {
    const policy: OutboundPolicy = { allowHttp: true, ...parseAllowedHosts(['127.0.0.1', '10.20.0.0/16', 'Hooks.Internal.Example.', '[::1]']) };
    expect(refused('http://127.0.0.1:8080/hook', policy)).toBeNull();
    expect(refused('http://[::1]:8080/hook', policy)).toBeNull();
    expect(refused('http://[::ffff:127.0.0.1]:8080/hook', policy)).toBeNull();
    expect(refused('https://10.20.3.4/hook', policy)).toBeNull();
    expect(refused('https://10.21.0.1/hook', policy)).toMatch(/not a public/);
    expect(refused('https://127.0.0.2/hook', policy)).toMatch(/not a public/);
    expect(checkTargetUrl('https://hooks.internal.example/x', policy)).toMatchObject({ allowed: true, hostAllowListed: true });
    expect(isAllowedAddress('10.20.255.255', policy)).toBe(true);
  });
});

describe(parseAllowedHosts.name, () => {
  it('reads addresses, CIDR ranges and host names, and reports what it cannot read', () => {
    const parsed = parseAllowedHosts(['127.0.0.1', ' 10.0.0.0/8 ', 'fd00::/8', 'hooks.internal', '', 'bad host!', '10.0.0.0/99']);
    expect(parsed.allowedNetworks.map((network) => network.cidr)).toEqual(['127.0.0.1/32', '10.0.0.0/8', 'fd00::/8']);
    expect(parsed.allowedHostNames).toEqual(['hooks.internal']);
    expect(parsed.invalid).toEqual(['bad host!', '10.0.0.0/99']);
  });
});
