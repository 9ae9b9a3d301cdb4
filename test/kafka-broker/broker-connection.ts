import type { Socket } from 'node:net';
import type { ApiHandler, ProcessResult } from './api-handler';
import { UnsupportedRequestError } from './api-handler';
import { unsupportedApiVersionsResponse } from './api-versions.handler';
import { ApiKey } from './api-keys';
import type { BrokerState } from './broker-state';
import { MalformedRequestError, ProtocolReader } from './protocol-reader';

/** Kafka's socket.request.max.bytes default. */
const MAX_REQUEST_BYTES = 100 * 1024 * 1024;
const SIZE_PREFIX = 4;

/** A request the broker did not answer normally; kept for tests and logged as it happens. */
export interface RefusedRequest {
  readonly apiKey: number | null;
  readonly apiVersion: number | null;
  readonly clientId: string | null;
  readonly reason: string;
  readonly action: 'closed-connection' | 'answered-unsupported-version';
}

export interface ConnectionDependencies {
  readonly state: BrokerState;
  readonly handlers: ReadonlyMap<number, ApiHandler>;
  readonly refuse: (refusal: RefusedRequest) => void;
}

interface RequestHeader {
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly correlationId: number;
  readonly clientId: string | null;
}

/**
 * One client connection. Frames are `int32 size` + request header v1 (api_key, api_version,
 * correlation_id, client_id) + body; responses are `int32 size` + response header v0 (correlation_id) +
 * body: every API this broker implements uses non-flexible versions. Like Kafka, requests on one
 * connection are handled one at a time, so responses come back in request order.
 */
export class BrokerConnection {
  private buffered: Buffer = Buffer.alloc(0);
  private readonly queue: Buffer[] = [];
  private draining = false;
  private readonly closedController = new AbortController();

  constructor(
    private readonly socket: Socket,
    private readonly deps: ConnectionDependencies,
  ) {
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('close', () => this.closedController.abort());
    socket.on('error', () => this.closedController.abort());
  }

  get closed(): AbortSignal {
    return this.closedController.signal;
  }

  destroy(): void {
    this.closedController.abort();
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    while (this.buffered.length >= SIZE_PREFIX) {
      const size = this.buffered.readInt32BE(0);
      if (size < 0 || size > MAX_REQUEST_BYTES) {
        this.refuse(null, `request size ${size} outside 0..${MAX_REQUEST_BYTES}`);
        return;
      }
      if (this.buffered.length < SIZE_PREFIX + size) break;
      this.queue.push(this.buffered.subarray(SIZE_PREFIX, SIZE_PREFIX + size));
      this.buffered = this.buffered.subarray(SIZE_PREFIX + size);
    }
    void this.drain();
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      for (let frame = this.queue.shift(); frame && !this.closed.aborted; frame = this.queue.shift()) {
        await this.handleFrame(frame);
      }
    } finally {
      this.draining = false;
    }
  }

  private async handleFrame(frame: Buffer): Promise<void> {
    let header: RequestHeader | null = null;
    try {
      const reader = new ProtocolReader(frame);
      header = { apiKey: reader.int16(), apiVersion: reader.int16(), correlationId: reader.int32(), clientId: reader.nullableString() };
      const handler = this.deps.handlers.get(header.apiKey);
      if (!handler || header.apiVersion < handler.minVersion || header.apiVersion > handler.maxVersion) {
        this.onUnsupported(header, handler);
        return;
      }
      const result = await handler.process(reader.rest(), {
        apiVersion: header.apiVersion,
        clientId: header.clientId,
        clientHost: this.socket.remoteAddress ?? 'unknown',
        broker: this.deps.state,
        closed: this.closed,
      });
      this.complete(header, result);
    } catch (error) {
      const reason =
        error instanceof MalformedRequestError || error instanceof UnsupportedRequestError
          ? error.message
          : `internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
      this.refuse(header, reason);
    }
  }

  private complete(header: RequestHeader, result: ProcessResult): void {
    switch (result.kind) {
      case 'respond':
        this.send(header.correlationId, result.body);
        return;
      case 'no-response':
        return;
      case 'close-connection':
        this.refuse(header, result.reason);
        return;
      default: {
        const _never: never = result;
        return _never;
      }
    }
  }

  private onUnsupported(header: RequestHeader, handler: ApiHandler | undefined): void {
    const what = handler
      ? `${handler.apiName} (key ${header.apiKey}) v${header.apiVersion}; implemented v${handler.minVersion}-${handler.maxVersion}`
      : `API key ${header.apiKey} v${header.apiVersion}; not implemented`;
    if (header.apiKey === ApiKey.ApiVersions) {
      // Kafka's rule for ApiVersions only: answer in v0 shape so the client can pick a shared version.
      this.deps.refuse({ ...header, reason: `unsupported ${what}`, action: 'answered-unsupported-version' });
      this.send(header.correlationId, unsupportedApiVersionsResponse(this.deps.state.supportedApis));
      return;
    }
    this.refuse(header, `unsupported ${what}`);
  }

  private refuse(header: RequestHeader | null, reason: string): void {
    this.deps.refuse({
      apiKey: header?.apiKey ?? null,
      apiVersion: header?.apiVersion ?? null,
      clientId: header?.clientId ?? null,
      reason,
      action: 'closed-connection',
    });
    this.destroy();
  }

  private send(correlationId: number, body: Buffer): void {
    if (this.closed.aborted) return;
    const head = Buffer.alloc(8);
    head.writeInt32BE(4 + body.length, 0);
    head.writeInt32BE(correlationId, 4);
    this.socket.write(Buffer.concat([head, body]));
  }
}
