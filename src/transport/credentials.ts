/**
 * Credentials of the peer transport. With TLS files, peers authenticate each other (mutual
 * TLS): a peer's certificate must chain to the cluster's CA, whichever side dials, and the
 * dialed peer's certificate must also name the address dialed. The files are read again every
 * few seconds, so renewed certificates take effect without a restart (connections made before
 * keep the certificates they were made with).
 */
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { ChannelCredentials, ServerCredentials, experimental } from '@grpc/grpc-js';

/** How often certificate files are read again. */
export const PEER_TLS_REFRESH_MS = 5_000;

export interface PeerTlsFiles {
  /** This node's certificate (PEM), for serving and for dialing its peers. */
  readonly certFile: string;
  readonly keyFile: string;
  /** The cluster's CA (PEM): the only issuer whose peers are accepted. */
  readonly caFile: string;
  /** How often the files are read again (default PEER_TLS_REFRESH_MS). */
  readonly refreshMs?: number;
}

export interface PeerCredentials {
  readonly server: ServerCredentials;
  readonly channel: ChannelCredentials;
  readonly secure: boolean;
}

/** Mutual TLS with `tls`; without it plaintext (roster dev and tests; the caller warns). */
export function createPeerCredentials(tls?: PeerTlsFiles): PeerCredentials {
  if (tls === undefined) {
    return {
      server: ServerCredentials.createInsecure(),
      channel: ChannelCredentials.createInsecure(),
      secure: false,
    };
  }
  checkLoads(tls);
  // One provider serves as both CA and identity source: grpc-js 1.14's server factory passes
  // its two providers to the constructor in the wrong order, harmless when they are one.
  const files = new experimental.FileWatcherCertificateProvider({
    caCertificateFile: tls.caFile, certificateFile: tls.certFile, privateKeyFile: tls.keyFile,
    refreshIntervalMs: tls.refreshMs ?? PEER_TLS_REFRESH_MS,
  });
  return {
    server: experimental.createCertificateProviderServerCredentials(files, files, true),
    channel: experimental.createCertificateProviderChannelCredentials(files, files),
    secure: true,
  };
}

/** Missing or unreadable files fail the start, saying which, instead of every connection. */
function checkLoads(tls: PeerTlsFiles): void {
  try {
    createSecureContext({
      cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile),
      ca: readFileSync(tls.caFile),
    });
  } catch (error: unknown) {
    throw new Error(`peer TLS files do not load (${tls.certFile}, ${tls.keyFile}, ` +
      `${tls.caFile}): ${error instanceof Error ? error.message : String(error)}`,
    { cause: error });
  }
}
