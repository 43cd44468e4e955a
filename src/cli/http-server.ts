import { createServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { TlsFiles } from './tls-files.js';

/** HTTP connections at once: probes, scrapes and curl. */
const HTTP_CONNECTIONS_MAX = 256;
/** A request's headers must arrive within this, and the whole request too. */
const HTTP_REQUEST_TIMEOUT_MS = 10_000;
/** How often connections are checked against those deadlines. */
const HTTP_CHECK_INTERVAL_MS = 1_000;
/** An idle keep-alive connection is closed after this. */
const HTTP_KEEPALIVE_TIMEOUT_MS = 5_000;

/**
 * The HTTP port's server: HTTPS with the client port's certificate (reloaded with it) when
 * TLS is on, and bounded like the client port: a cap on connections, and deadlines for
 * headers and idle connections, so that connections that send nothing do not pile up.
 */
export function createHttpServer(tls: TlsFiles | undefined, handler: RequestListener): Server {
  const checking = { connectionsCheckingInterval: HTTP_CHECK_INTERVAL_MS };
  const server = tls === undefined ? createServer(checking, handler) : createHttpsServer({
    ...checking,
    ...tls.options(),
    requestCert: tls.clientCertAuth,
    rejectUnauthorized: tls.clientCertAuth,
    handshakeTimeout: HTTP_REQUEST_TIMEOUT_MS,
  }, handler);
  if (tls !== undefined) {
    const secure = server as ReturnType<typeof createHttpsServer>;
    tls.onChange(() => secure.setSecureContext(tls.options()));
  }
  server.maxConnections = HTTP_CONNECTIONS_MAX;
  server.headersTimeout = HTTP_REQUEST_TIMEOUT_MS;
  server.requestTimeout = HTTP_REQUEST_TIMEOUT_MS;
  server.keepAliveTimeout = HTTP_KEEPALIVE_TIMEOUT_MS;
  return server;
}
