import { DEFAULT_HTTP_SERVER_LIMITS, type HttpServerLimits } from '@fireline/config';
import { Logger } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { STATUS_CODES, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { PROBLEM_JSON, problemTypeOf, type ProblemDetails } from './problem-details';
import { problemDetailsFrameworkErrors } from './problem-details.filter';

/** Options of `createFastifyAdapter`. */
export interface FastifyAdapterOptions {
  /** Largest accepted request body (bytes); larger ones get 413 problem+json. */
  bodyLimitBytes: number;
  /** Timeouts and the per-address connection cap; `DEFAULT_HTTP_SERVER_LIMITS` when absent. */
  limits?: HttpServerLimits;
}

/**
 * Node enforces `requestTimeout` and `headersTimeout` from a timer that runs every
 * `connectionsCheckingInterval` (30 s by default: a 10 s headers timeout would then bite anywhere
 * between 10 and 40 s). Checked every quarter of the shorter timeout, between 250 ms and 1 s.
 */
export function connectionsCheckingIntervalOf(limits: HttpServerLimits): number {
  return Math.max(250, Math.min(1_000, Math.floor(Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 4)));
}

/**
 * The one way Fireline creates its Fastify adapter (each service's main, the platform, tests):
 * `bodyLimit`; `trustProxy` (which proxies' `X-Forwarded-For` gives `request.ip`); router errors (`problemDetailsFrameworkErrors`) and socket-level client errors
 * (`problemDetailsClientErrors`) as problem+json; Node's request, headers, keep-alive and idle-socket
 * timeouts from `limits`, enforced promptly (`connectionsCheckingIntervalOf`); and at most
 * `limits.maxConnectionsPerIp` open connections per client address (`capConnectionsPerIp`).
 */
export function createFastifyAdapter(options: FastifyAdapterOptions): FastifyAdapter {
  const limits = options.limits ?? DEFAULT_HTTP_SERVER_LIMITS;
  const adapter = new FastifyAdapter({
    bodyLimit: options.bodyLimitBytes,
    // request.ip: the client named by X-Forwarded-For when the peer is a trusted proxy.
    trustProxy: limits.trustProxy ?? false,
    frameworkErrors: problemDetailsFrameworkErrors,
    clientErrorHandler: problemDetailsClientErrors,
    // Fastify sets these on the Node server itself after creating it (its defaults: none, 72 s, none).
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionTimeout: limits.connectionTimeoutMs,
    http: { headersTimeout: limits.headersTimeoutMs, requestTimeout: limits.requestTimeoutMs, connectionsCheckingInterval: connectionsCheckingIntervalOf(limits) },
  });
  capConnectionsPerIp(adapter.getInstance().server, limits.maxConnectionsPerIp);
  return adapter;
}

/**
 * Closes, at accept, each connection beyond `max` open ones from the same remote address, without a
 * word (an answer would cost what the cap saves): one client cannot hold every socket the process
 * can serve. `max` 0 means no cap (logged as a warning). Behind a proxy every client shares the
 * proxy's address: raise `max` there, and let the proxy cap per client.
 */
export function capConnectionsPerIp(server: Server, max: number): void {
  if (max <= 0) {
    new Logger('HttpServer').warn('HTTP_MAX_CONNECTIONS_PER_IP=0: no cap on connections per client address');
    return;
  }
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? '';
    const count = (open.get(address) ?? 0) + 1;
    if (count > max) {
      socket.destroy();
      return;
    }
    open.set(address, count);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left > 0) open.set(address, left);
      else open.delete(address);
    });
  });
}

/** Node's client error codes we answer specifically; anything else the parser refuses is a 400. */
const CLIENT_ERRORS: Record<string, { status: number; code: string; detail: string }> = {
  HPE_HEADER_OVERFLOW: { status: 431, code: 'REQUEST.HEADERS_TOO_LARGE', detail: 'The request headers are larger than the server accepts (16 KiB)' },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, code: 'REQUEST.TIMEOUT', detail: 'The request (headers or body) did not arrive in time' },
};
const MALFORMED = { status: 400, code: 'REQUEST.MALFORMED_HTTP', detail: 'The request is not well-formed HTTP/1.1' };

/**
 * Fastify's `clientErrorHandler`: errors Node's HTTP parser and timers raise on a socket before there
 * is any request to route (`431` headers too large, `408` request or headers timeout, `400` a garbage
 * request line or header), answered as problem+json and the connection closed. As Node does, nothing
 * is written when the socket is gone or a response to it has already started.
 */
export function problemDetailsClientErrors(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const { status, code, detail } = CLIENT_ERRORS[error.code ?? ''] ?? MALFORMED;
  const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (socket.writable && inFlight?.headersSent !== true) {
    const problem: ProblemDetails = { type: problemTypeOf(code), title: STATUS_CODES[status] ?? 'Client Error', status, detail, code };
    const body = JSON.stringify(problem);
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nContent-Type: ${PROBLEM_JSON}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
