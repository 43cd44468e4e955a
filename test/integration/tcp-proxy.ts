import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy in front of one node's peer port, for one direction of one link (test code).
 * cut(): every open connection is destroyed and new ones are dropped at once (the sender's
 * gRPC stream breaks and keeps reconnecting with backoff); heal() lets them through again.
 */
export class TcpProxy {
  readonly address: string;
  private readonly server: Server;
  private readonly target: { host: string; port: number };
  private readonly sockets = new Set<Socket>();
  private isCut = false;

  private constructor(server: Server, address: string, target: string) {
    this.server = server;
    this.address = address;
    const at = target.lastIndexOf(':');
    this.target = { host: target.slice(0, at), port: Number(target.slice(at + 1)) };
  }

  static async start(options: { target: string }): Promise<TcpProxy> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const proxy = new TcpProxy(server, `127.0.0.1:${port}`, options.target);
    server.on('connection', (socket) => proxy.accept(socket));
    return proxy;
  }

  private accept(inbound: Socket): void {
    if (this.isCut) {
      inbound.destroy();
      return;
    }
    const outbound = connect(this.target.port, this.target.host);
    this.track(inbound);
    this.track(outbound);
    inbound.pipe(outbound);
    outbound.pipe(inbound);
    const close = (): void => {
      inbound.destroy();
      outbound.destroy();
    };
    inbound.once('close', close);
    outbound.once('close', close);
    inbound.on('error', close);
    outbound.on('error', close);
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }

  cut(): void {
    this.isCut = true;
    for (const socket of this.sockets) socket.destroy();
  }

  heal(): void {
    this.isCut = false;
  }

  get cutNow(): boolean {
    return this.isCut;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
