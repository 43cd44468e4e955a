/**
 * The client port's sockets, accepted here and handed to grpc-js (its connection injector)
 * rather than by grpc-js's own listener, so that the node decides who gets a connection:
 * at most connectionsMax at once (each is a file descriptor, and LevelDB stops a node that
 * runs out of them), TLS terminated here with a handshake deadline (a connection that never
 * completes one would otherwise hold its descriptor for two minutes) and certificates that
 * can be replaced while serving. Once injected, grpc-js's keepalive pings close connections
 * whose peer stopped answering, and its idle timeout those that carry no call.
 */
import * as net from 'node:net';
import * as tls from 'node:tls';
import type { Duplex } from 'node:stream';

/** TLS settings that may change while serving (certificates rotated on disk). */
export interface TlsSource {
  /** The current key, certificate and CA, and whether clients must present a certificate. */
  readonly options: () => tls.SecureContextOptions;
  readonly clientCertAuth: boolean;
  /** Calls `listener` after each change of the files; returns a function that stops it. */
  readonly onChange: (listener: () => void) => () => void;
}

export interface ListenerOptions {
  readonly listen: string;
  readonly connectionsMax: number;
  /** A TLS connection must complete its handshake within this. */
  readonly handshakeTimeoutMs: number;
  readonly tls: TlsSource | undefined;
  readonly accept: (socket: Duplex) => void;
  /** A connection closed ("address:port" of its peer). */
  readonly onClose?: (peer: string) => void;
  readonly onTlsError?: (error: Error) => void;
}

export class ClientListener {
  private readonly server: net.Server;
  /** Open connections by "address:port" of the peer, as grpc-js's getPeer() names them. */
  private readonly sockets = new Map<string, net.Socket>();
  private stopTlsWatch: (() => void) | undefined;

  constructor(private readonly options: ListenerOptions) {
    const source = options.tls;
    // Small answers leave at once: no Nagle delay waiting for the last segment to be acked.
    if (source === undefined) {
      this.server = net.createServer({ noDelay: true }, (socket) => this.accepted(socket, socket));
    } else {
      const server = tls.createServer({
        ...source.options(),
        noDelay: true,
        ALPNProtocols: ['h2'],
        handshakeTimeout: options.handshakeTimeoutMs,
        requestCert: source.clientCertAuth,
        rejectUnauthorized: source.clientCertAuth,
      });
      server.on('secureConnection', (socket) => this.accepted(socket, socket));
      server.on('tlsClientError', (error) => options.onTlsError?.(error));
      this.stopTlsWatch = source.onChange(() => server.setSecureContext(source.options()));
      this.server = server;
    }
    // Past the cap, Node closes new sockets as they are accepted.
    this.server.maxConnections = options.connectionsMax;
  }

  get connectionCount(): number {
    return this.sockets.size;
  }

  async start(): Promise<string> {
    const at = this.options.listen.lastIndexOf(':');
    const host = this.options.listen.slice(0, at).replace(/^\[(.*)\]$/, '$1');
    const port = Number(this.options.listen.slice(at + 1));
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', (error) =>
        reject(new Error(`cannot listen on ${this.options.listen}: ${error.message}`)));
      this.server.listen(port, host, () => resolve());
    });
    const address = this.server.address() as net.AddressInfo;
    return `${this.options.listen.slice(0, at)}:${address.port}`;
  }

  /** Closes the connection of `peer` ("address:port"), with every call on it. */
  destroyPeer(peer: string): boolean {
    const socket = this.sockets.get(peer);
    if (socket === undefined) return false;
    socket.destroy();
    return true;
  }

  /** Stops accepting; open connections are left to grpc-js's shutdown. */
  close(): void {
    this.stopTlsWatch?.();
    this.server.close();
  }

  destroyAll(): void {
    for (const socket of this.sockets.values()) socket.destroy();
  }

  private accepted(socket: net.Socket, stream: Duplex): void {
    const peer = `${socket.remoteAddress ?? ''}:${socket.remotePort ?? ''}`;
    this.sockets.set(peer, socket);
    socket.once('close', () => {
      if (this.sockets.get(peer) === socket) this.sockets.delete(peer);
      this.options.onClose?.(peer);
    });
    socket.on('error', () => {});
    this.options.accept(stream);
  }
}
