import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/**
 * A TCP forwarder in front of a server (e.g. the run's PostgreSQL) that a test can cut and restore:
 * `cut()` drops every open connection and refuses new ones (ECONNREFUSED), as a database that went away;
 * `restore()` accepts again on the same port. The real server is never touched.
 */
export class TcpSwitch {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private port = 0;

  private constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  /** Starts forwarding 127.0.0.1:<free port> to `targetHost:targetPort`. */
  static async start(targetHost: string, targetPort: number): Promise<TcpSwitch> {
    const tcpSwitch = new TcpSwitch(targetHost, targetPort);
    await tcpSwitch.restore();
    return tcpSwitch;
  }

  /** `url` with its host and port replaced by this switch's. */
  route(url: string): string {
    const routed = new URL(url);
    routed.hostname = '127.0.0.1';
    routed.port = String(this.port);
    return routed.toString();
  }

  /** Drops every connection and stops listening. */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Listens again (on the same port after a `cut()`). */
  async restore(): Promise<void> {
    if (this.server) return;
    const server = createServer((client) => {
      const upstream = connect(this.targetPort, this.targetHost);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('error', () => undefined);
        socket.on('close', () => {
          this.sockets.delete(socket);
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Stops for good. */
  close(): Promise<void> {
    return this.cut();
  }
}
