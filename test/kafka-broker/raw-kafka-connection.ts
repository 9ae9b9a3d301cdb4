import { connect, type Socket } from 'node:net';
import { ProtocolWriter } from './protocol-writer';

/**
 * A bare TCP client for tests that need to send what kafkajs never would (unknown API keys, corrupt
 * batches). Frames requests with header v1 and returns response bodies after the correlation id.
 */
export class RawKafkaConnection {
  private buffered: Buffer = Buffer.alloc(0);
  private nextCorrelationId = 1;
  private readonly pending = new Map<number, { resolve: (body: Buffer) => void; reject: (error: Error) => void }>();
  /** Resolves when the broker closes the socket. */
  readonly closed: Promise<void>;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk) => this.onData(chunk));
    this.closed = new Promise((resolve) => {
      socket.on('close', () => {
        for (const { reject } of this.pending.values()) reject(new Error('connection closed by broker'));
        this.pending.clear();
        resolve();
      });
    });
    socket.on('error', () => undefined);
  }

  static open(host: string, port: number): Promise<RawKafkaConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, host, () => resolve(new RawKafkaConnection(socket)));
      socket.once('error', reject);
    });
  }

  request(apiKey: number, apiVersion: number, body: Buffer): Promise<Buffer> {
    const correlationId = this.nextCorrelationId++;
    const frame = new ProtocolWriter().int16(apiKey).int16(apiVersion).int32(correlationId).string('raw-test-client').raw(body).toBuffer();
    const sized = new ProtocolWriter().int32(frame.length).raw(frame).toBuffer();
    return new Promise((resolve, reject) => {
      this.pending.set(correlationId, { resolve, reject });
      this.socket.write(sized);
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.buffered = Buffer.concat([this.buffered, chunk]);
    while (this.buffered.length >= 4 && this.buffered.length >= 4 + this.buffered.readInt32BE(0)) {
      const size = this.buffered.readInt32BE(0);
      const correlationId = this.buffered.readInt32BE(4);
      const body = this.buffered.subarray(8, 4 + size);
      this.buffered = this.buffered.subarray(4 + size);
      this.pending.get(correlationId)?.resolve(body);
      this.pending.delete(correlationId);
    }
  }
}
