/** Loopback ports for the clusters the bench and the integration tests start. */
import { connect, createServer } from 'node:net';

/**
 * Below the kernel's ephemeral range (32768-60999 by default): a port the kernel handed out
 * could be taken by an outgoing connection of a node already running before the node meant
 * to listen on it starts.
 */
const FIRST_PORT = 20_000;
const LAST_PORT = 32_000;
const handedOut = new Set<number>();

export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = FIRST_PORT + Math.floor(Math.random() * (LAST_PORT - FIRST_PORT));
    if (handedOut.has(port) || !(await canListen(port))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error('no free loopback port found below the ephemeral range');
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** Whether something accepts a TCP connection at host:port (a connect, then a close). */
export function accepts(endpoint: string): Promise<boolean> {
  const colon = endpoint.lastIndexOf(':');
  return new Promise((resolve) => {
    const socket = connect(Number(endpoint.slice(colon + 1)), endpoint.slice(0, colon));
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
