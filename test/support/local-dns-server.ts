import DNS from 'dns2';
import { Resolver } from 'node:dns/promises';
import type { LookupAddress } from 'node:dns';
import type { AddressInfo } from 'node:net';

/** What the server answers for one question: addresses of the asked type, or none (NXDOMAIN if both are empty). */
export type DnsAnswers = (name: string, type: 'A' | 'AAAA', n: number) => string[];

/** A real DNS server on 127.0.0.1 (UDP, `dns2`), and a resolver that asks it and nothing else. */
export interface LocalDnsServer {
  /** `HostResolver` shape: A and AAAA over UDP through Node's c-ares resolver, like `dns.lookup(…, { all: true })` returns. */
  resolve(hostname: string): Promise<LookupAddress[]>;
  /** Questions asked, `A example.test`, in order. */
  queries: string[];
  close(): Promise<void>;
}

/**
 * Starts a DNS server answering from `answers` (TTL 0, so nothing is cached between questions;
 * `n` counts the questions for one name and type, from 1, so an answer can change: DNS rebinding).
 * Offline and honest: the guard under test resolves names through real DNS messages to this server.
 */
export async function startLocalDnsServer(answers: DnsAnswers): Promise<LocalDnsServer> {
  const queries: string[] = [];
  const counts = new Map<string, number>();
  const server = DNS.createUDPServer((request, send) => {
    const response = DNS.Packet.createResponseFromRequest(request);
    const question = request.questions[0];
    const type = question?.type === DNS.Packet.TYPE.AAAA ? 'AAAA' : question?.type === DNS.Packet.TYPE.A ? 'A' : null;
    if (question && type) {
      const key = `${type} ${question.name.toLowerCase()}`;
      queries.push(key);
      const n = (counts.get(key) ?? 0) + 1;
      counts.set(key, n);
      for (const address of answers(question.name.toLowerCase(), type, n)) {
        response.answers.push(DNS.Packet.createResourceFromQuestion(question, { type: DNS.Packet.TYPE[type], class: DNS.Packet.CLASS.IN, ttl: 0, address }));
      }
    }
    void send(response);
  });
  await server.listen(0, '127.0.0.1');
  const { port } = server.address() as AddressInfo;
  const resolver = new Resolver({ timeout: 1_000, tries: 1 });
  resolver.setServers([`127.0.0.1:${port}`]);
  const ask = (query: Promise<string[]>) => query.catch((error: NodeJS.ErrnoException) => (error.code === 'ENODATA' || error.code === 'ENOTFOUND' ? [] : Promise.reject(error)));
  return {
    queries,
    async resolve(hostname) {
      const [v4, v6] = await Promise.all([ask(resolver.resolve4(hostname)), ask(resolver.resolve6(hostname))]);
      const found = [...v4.map((address) => ({ address, family: 4 })), ...v6.map((address) => ({ address, family: 6 }))];
      if (found.length === 0) throw Object.assign(new Error(`queryA ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname });
      return found;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
