import ipaddr from 'ipaddr.js';

/**
 * Where notification-service may send HTTP requests: webhooks, Slack, and any later outbound channel.
 * The default (`DEFAULT_OUTBOUND_POLICY`) is https only, to public unicast addresses only. An operator
 * widens it with `OUTBOUND_ALLOWED_HOSTS` (host names, IP addresses, CIDR ranges) and
 * `OUTBOUND_ALLOW_HTTP=true`; tests and the demo do, for receivers on 127.0.0.1.
 */
export interface OutboundPolicy {
  /** Plain `http:` targets too (default false: `https:` only). */
  allowHttp: boolean;
  /** Lower-case host names trusted whatever they resolve to (`hooks.internal.example`). */
  allowedHostNames: string[];
  /** Address ranges trusted even though they are not public (`127.0.0.1/32`, `10.20.0.0/16`). */
  allowedNetworks: AllowedNetwork[];
}

/** One CIDR range of `OUTBOUND_ALLOWED_HOSTS`, as written (`10.0.0.0/8`) and parsed. */
export interface AllowedNetwork {
  cidr: string;
  range: [ipaddr.IPv4 | ipaddr.IPv6, number];
}

export const DEFAULT_OUTBOUND_POLICY: OutboundPolicy = Object.freeze({ allowHttp: false, allowedHostNames: [], allowedNetworks: [] }) as OutboundPolicy;

/**
 * `OUTBOUND_ALLOWED_HOSTS` entries -> policy parts: an IP address (`127.0.0.1`, `::1`) or CIDR
 * (`10.0.0.0/8`) becomes a network, anything else a host name (lower-cased, trailing dot dropped).
 * @returns the entries it could not read, as `invalid`.
 */
export function parseAllowedHosts(entries: readonly string[]): Pick<OutboundPolicy, 'allowedHostNames' | 'allowedNetworks'> & { invalid: string[] } {
  const allowedHostNames: string[] = [];
  const allowedNetworks: AllowedNetwork[] = [];
  const invalid: string[] = [];
  for (const raw of entries.map((entry) => entry.trim()).filter((entry) => entry !== '')) {
    const entry = raw.replace(/^\[(.*)\]$/, '$1');
    if (entry.includes('/')) {
      try {
        allowedNetworks.push({ cidr: entry, range: ipaddr.parseCIDR(entry) });
      } catch {
        invalid.push(raw);
      }
    } else if (ipaddr.isValid(entry)) {
      const address = ipaddr.parse(entry);
      allowedNetworks.push({ cidr: `${address.toString()}/${address.kind() === 'ipv4' ? 32 : 128}`, range: [address, address.kind() === 'ipv4' ? 32 : 128] });
    } else if (/^(?=.{1,253}\.?$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i.test(entry)) {
      allowedHostNames.push(entry.toLowerCase().replace(/\.$/, ''));
    } else {
      invalid.push(raw);
    }
  }
  return { allowedHostNames, allowedNetworks, invalid };
}

/** IPv6 global unicast: 2000::/3 (RFC 4291 §2.4); everything outside it is special or unassigned. */
const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3');

/** IPv6 forms that carry an IPv4 address: judged by that address. */
function embeddedIPv4(address: ipaddr.IPv6): ipaddr.IPv4 | null {
  const range = address.range();
  const parts = address.parts;
  switch (range) {
    case 'ipv4Mapped': // ::ffff:a.b.c.d
    case 'rfc6145': // ::ffff:0:a.b.c.d (SIIT)
    case 'rfc6052': // 64:ff9b::a.b.c.d (NAT64, and 64:ff9b:1::/48)
      return new ipaddr.IPv4([parts[6] >> 8, parts[6] & 0xff, parts[7] >> 8, parts[7] & 0xff]);
    case '6to4': // 2002:AABB:CCDD::/48
      return new ipaddr.IPv4([parts[1] >> 8, parts[1] & 0xff, parts[2] >> 8, parts[2] & 0xff]);
    default:
      return null;
  }
}

/**
 * True only for an address a webhook may be sent to by default: public unicast. Refused (ranges as
 * `ipaddr.js` classifies them, from the IANA special-purpose registries):
 * IPv4 0.0.0.0/8, 10/8, 100.64/10 (CGNAT; also Alibaba's metadata 100.100.100.200), 127/8,
 * 169.254/16 (link-local; cloud metadata 169.254.169.254), 172.16/12, 192.0.0/24, 192.0.2/24,
 * 192.88.99/24, 192.168/16, 198.18/15, 198.51.100/24, 203.0.113/24, 224/4, 240/4, 255.255.255.255, AS112, AMT;
 * IPv6 everything outside 2000::/3 (::, ::1, ::/96 IPv4-compatible, fc00::/7 unique-local incl. AWS's
 * fd00:ec2::254, fe80::/10, ff00::/8, 100::/64 discard, 5f00::/16), and inside it Teredo, ORCHID,
 * documentation, benchmarking and other reserved blocks. IPv4-mapped (::ffff:0:0/96), SIIT, NAT64
 * (64:ff9b::/96, 64:ff9b:1::/48) and 6to4 (2002::/16) addresses are judged by the IPv4 address they embed.
 * Anything that does not parse as an IP address is refused.
 */
export function isPublicUnicastAddress(ip: string): boolean {
  if (!ipaddr.isValid(ip)) return false;
  const address = ipaddr.parse(ip);
  if (address.kind() === 'ipv4') return address.range() === 'unicast';
  const v6 = address as ipaddr.IPv6;
  const embedded = embeddedIPv4(v6);
  if (embedded !== null) return embedded.range() === 'unicast';
  return v6.range() === 'unicast' && v6.match(GLOBAL_UNICAST_V6);
}

/** Whether the policy lets requests go to `ip`: a public unicast address, or one in an allowed network. */
export function isAllowedAddress(ip: string, policy: OutboundPolicy): boolean {
  if (isPublicUnicastAddress(ip)) return true;
  if (!ipaddr.isValid(ip)) return false;
  const parsed = ipaddr.parse(ip);
  const candidates = parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress() ? [parsed, (parsed as ipaddr.IPv6).toIPv4Address()] : [parsed];
  return policy.allowedNetworks.some(({ range }) => candidates.some((candidate) => candidate.kind() === range[0].kind() && candidate.match(range)));
}

/** What `checkTargetUrl` found: a URL to send to, or the one reason it is refused. */
export type TargetUrlVerdict =
  | { allowed: true; url: URL; host: string; hostIsAddress: boolean; hostAllowListed: boolean }
  | { allowed: false; reason: string };

/** `[::1]` -> `::1`: the host as an address or name to look up. */
export function bareHost(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/**
 * What can be decided from the URL alone, before any DNS look-up: the scheme (`https:`, or `http:` when
 * allowed), a host, no user info, no mask left in it from a masked read, and, when the host is an IP address, that
 * the address is allowed. The WHATWG URL parser (as `new URL` implements it) has already turned
 * `http://0x7f000001/`, `http://2130706433/`, `http://0177.1/` and `http://127.1/` into `127.0.0.1`,
 * which is then refused like the dotted form. A host name is left to the resolver check
 * (`isAllowedAddress` on every address it resolves to), unless the allow-list names it.
 */
export function checkTargetUrl(target: string, policy: OutboundPolicy): TargetUrlVerdict {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return { allowed: false, reason: 'is not a valid URL' };
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && policy.allowHttp)) {
    return { allowed: false, reason: url.protocol === 'http:' ? 'must use https (plain http is off: OUTBOUND_ALLOW_HTTP)' : `must be an https URL, not ${url.protocol}` };
  }
  if (url.username !== '' || url.password !== '') {
    // fetch (WHATWG Fetch, undici) refuses such URLs anyway, quoting them whole in its error.
    return { allowed: false, reason: 'must not carry a user name or password (webhooks are authenticated by their signature)' };
  }
  if (target.includes('…') || /%E2%80%A6/i.test(url.href)) {
    return { allowed: false, reason: 'contains "…": reads show URLs masked, send the full URL' };
  }
  const host = bareHost(url);
  if (host === '') return { allowed: false, reason: 'has no host' };
  if (ipaddr.isValid(host)) {
    return isAllowedAddress(host, policy)
      ? { allowed: true, url, host, hostIsAddress: true, hostAllowListed: false }
      : { allowed: false, reason: `points at ${host}, which is not a public address (loopback, private, link-local and other special ranges are refused)` };
  }
  const name = host.toLowerCase().replace(/\.$/, '');
  if (name === 'localhost' || name.endsWith('.localhost')) {
    if (!policy.allowedHostNames.includes(name)) return { allowed: false, reason: `points at ${name}, which is not a public host` };
  }
  return { allowed: true, url, host, hostIsAddress: false, hostAllowListed: policy.allowedHostNames.includes(name) };
}
