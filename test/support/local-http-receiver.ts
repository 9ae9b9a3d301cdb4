import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the receiver got, body as raw bytes. */
export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  rawBody: Buffer;
}

export interface ReceiverReply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

/** How to answer request number `n` (1-based). */
export type Responder = (request: ReceivedRequest, n: number) => ReceiverReply;

/** A real HTTP server on 127.0.0.1 standing in for a webhook receiver or Slack. */
export interface LocalHttpReceiver {
  url: string;
  requests: ReceivedRequest[];
  /** Stops the server; safe to call twice. */
  close(): Promise<void>;
}

/** Starts a receiver on an ephemeral port. Default answer: 200 `ok` (as Slack answers). */
export async function startLocalHttpReceiver(respond: Responder = () => ({ status: 200, body: 'ok' }), path = '/hook'): Promise<LocalHttpReceiver> {
  const requests: ReceivedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request: ReceivedRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, rawBody: Buffer.concat(chunks) };
      requests.push(request);
      const reply = respond(request, requests.length);
      res.writeHead(reply.status, { 'content-type': 'text/plain', ...reply.headers });
      res.end(reply.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        if (!server.listening) return resolve();
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
