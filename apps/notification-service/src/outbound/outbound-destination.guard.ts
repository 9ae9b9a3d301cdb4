import { Logger } from '@nestjs/common';
import { promises as dns, type LookupAddress, type LookupOptions } from 'node:dns';
import { Agent } from 'undici';
import { checkTargetUrl, isAllowedAddress, type OutboundPolicy } from './domain/outbound-destination.policy';

/** Resolves a host name to every address it has (`dns.lookup(host, { all: true })` by default: /etc/hosts, then DNS). */
export type HostResolver = (hostname: string) => Promise<LookupAddress[]>;

/** The operating system's resolver, as `net.connect` would use it. */
export const systemResolver: HostResolver = (hostname) => dns.lookup(hostname, { all: true, verbatim: true });

/** `code` of the error the guarded connector fails with for a refused destination. */
export const OUTBOUND_REFUSED = 'EFIRELINE_OUTBOUND_REFUSED';

/** A destination the outbound policy refuses; raised before any connection is opened. */
export class OutboundDestinationRefusedError extends Error {
  readonly code = OUTBOUND_REFUSED;

  constructor(readonly reason: string) {
    super(`refused by the outbound policy: ${reason}`);
    this.name = 'OutboundDestinationRefusedError';
  }
}

const NON_PUBLIC = 'resolves to a non-public address (loopback, private, link-local and other special ranges are refused)';

/** How long a rule's create or update waits for DNS before leaving the check to connect time. */
const CREATION_LOOKUP_TIMEOUT_MS = 2_000;

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * The SSRF guard of every outbound request (webhooks, Slack, later channels). Three checks:
 * 1. `targetRefusal` when a rule is created or changed: the URL (`checkTargetUrl`) and every address
 *    its host resolves to now (a host that does not resolve is left to the connect-time check);
 * 2. `urlRefusal` before each attempt: the URL alone (scheme, an IP address as host);
 * 3. the `dispatcher`'s connections: the addresses a host name resolves to *when the connection is
 *    opened*, the ones actually dialled (its `lookup` is the one `net.connect`/`tls.connect` use), so a
 *    DNS answer that changes after the rule was checked (DNS rebinding) is caught.
 * Every refusal is one message per reason and is decided before a socket exists, so the delivery log
 * tells nothing about which internal ports are open, closed or filtered. Redirects are never followed
 * (the sender asks for `redirect: 'manual'`).
 */
export class OutboundDestinationGuard {
  private readonly logger = new Logger(OutboundDestinationGuard.name);
  private agent: Agent | null = null;

  constructor(
    readonly policy: OutboundPolicy,
    private readonly resolve: HostResolver = systemResolver,
  ) {}

  /** Logs, loudly, every way the policy is wider than the default (call once at start-up). */
  announce(): void {
    if (this.policy.allowHttp) this.logger.warn('OUTBOUND_ALLOW_HTTP=true: webhooks and Slack messages may be sent over plain http');
    const allowed = [...this.policy.allowedHostNames, ...this.policy.allowedNetworks.map((network) => network.cidr)];
    if (allowed.length > 0) this.logger.warn(`OUTBOUND_ALLOWED_HOSTS: deliveries may reach these non-public destinations: ${allowed.join(', ')}`);
  }

  /** Why a request to `target` may not be made, judging by the URL alone; null when it may (as far as the URL tells). */
  urlRefusal(target: string): string | null {
    const verdict = checkTargetUrl(target, this.policy);
    return verdict.allowed ? null : verdict.reason;
  }

  /**
   * Why a rule may not post to `target`: the URL, then every address its host resolves to now.
   * Null when it may; also when the host does not resolve (yet), since every connection is checked again.
   */
  async targetRefusal(target: string): Promise<string | null> {
    const verdict = checkTargetUrl(target, this.policy);
    if (!verdict.allowed) return verdict.reason;
    if (verdict.hostIsAddress || verdict.hostAllowListed) return null;
    const addresses = await withTimeout(this.resolve(verdict.host), CREATION_LOOKUP_TIMEOUT_MS).catch(() => null);
    if (addresses === null) return null;
    return addresses.every((entry) => isAllowedAddress(entry.address, this.policy)) ? null : `host ${verdict.host} ${NON_PUBLIC}`;
  }

  /**
   * The undici dispatcher outbound requests go through: its connector resolves host names with the
   * guard's resolver and refuses the connection (`OutboundDestinationRefusedError`, before dialling)
   * when any address is not allowed. One per guard; `close()` ends its pooled connections.
   */
  get dispatcher(): Agent {
    this.agent ??= new Agent({ connect: { lookup: this.lookup } });
    return this.agent;
  }

  /** Closes the dispatcher's connections (shutdown). */
  async close(): Promise<void> {
    const agent = this.agent;
    this.agent = null;
    await agent?.close();
  }

  /** `net.connect`'s `lookup` option: same contract as `dns.lookup` (with or without `all`). */
  private readonly lookup = (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    const host = hostname.replace(/^\[(.*)\]$/, '$1');
    const trusted = this.policy.allowedHostNames.includes(host.toLowerCase().replace(/\.$/, ''));
    this.resolve(host).then(
      (resolved) => {
        const family = options.family === 4 || options.family === 'IPv4' ? 4 : options.family === 6 || options.family === 'IPv6' ? 6 : 0;
        const addresses = resolved.filter((entry) => family === 0 || entry.family === family);
        if (addresses.length === 0) {
          const error: NodeJS.ErrnoException = Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND', hostname: host });
          return callback(error, '');
        }
        if (!trusted && !resolved.every((entry) => isAllowedAddress(entry.address, this.policy))) {
          return callback(new OutboundDestinationRefusedError(`host ${host} ${NON_PUBLIC}`), '');
        }
        if (options.all) callback(null, addresses);
        else callback(null, addresses[0].address, addresses[0].family);
      },
      (error: NodeJS.ErrnoException) => callback(error, ''),
    );
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
