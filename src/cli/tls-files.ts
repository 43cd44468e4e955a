import { readFileSync, unwatchFile, watchFile, type StatsListener } from 'node:fs';
import { createSecureContext, type SecureContextOptions } from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { TlsSource } from '../api/index.js';
import type { RosterTlsOptions } from '../client/index.js';
import { getErrorMessage } from '../core/assert.js';
import type { ClientTlsConfig } from '../config/index.js';

/** How often the files are checked for changes. */
const WATCH_INTERVAL_MS = 1_000;

/**
 * The client plane's certificate, key and CA, read from their files and read again when a
 * file changes, so that certificates are rotated without a restart (the client port, the HTTP
 * port and the forwarding client follow). A set of files that does not load (a key replaced
 * before its certificate, say) is logged and the previous one kept until the next change.
 */
export class TlsFiles implements TlsSource {
  readonly clientCertAuth: boolean;
  private current: SecureContextOptions;
  private credentials: grpc.ChannelCredentials;
  private readonly listeners = new Set<() => void>();
  private readonly files: string[];
  private readonly onFileChange: StatsListener;

  constructor(private readonly config: ClientTlsConfig, private readonly logger: Logger) {
    this.clientCertAuth = config.clientCertAuth;
    this.current = this.load();
    this.credentials = this.channelCredentials();
    this.files = [config.certFile, config.keyFile, config.trustedCaFile]
      .filter((file): file is string => file !== undefined);
    this.onFileChange = (now, before) => {
      if (now.mtimeMs !== before.mtimeMs || now.size !== before.size) this.reload();
    };
    for (const file of this.files) {
      watchFile(file, { interval: WATCH_INTERVAL_MS, persistent: false }, this.onFileChange);
    }
  }

  readonly options = (): SecureContextOptions => this.current;

  readonly onChange = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /**
   * Credentials for this node's own calls to another node's client port (forwarding to the
   * leader): the cluster's CA, and this node's certificate as its client certificate.
   */
  readonly leaderCredentials = (): grpc.ChannelCredentials => this.credentials;

  close(): void {
    for (const file of this.files) unwatchFile(file, this.onFileChange);
    this.listeners.clear();
  }

  private load(): SecureContextOptions {
    const options: SecureContextOptions = {
      cert: readFileSync(this.config.certFile),
      key: readFileSync(this.config.keyFile),
      ...(this.config.trustedCaFile === undefined ? {} :
        { ca: readFileSync(this.config.trustedCaFile) }),
    };
    // Throws on a key that does not match its certificate, or unreadable PEM.
    createSecureContext(options);
    return options;
  }

  private channelCredentials(): grpc.ChannelCredentials {
    const { ca, key, cert } = this.current;
    return grpc.credentials.createSsl(ca === undefined ? null : ca as Buffer, key as Buffer,
      cert as Buffer);
  }

  private reload(): void {
    try {
      this.current = this.load();
      this.credentials = this.channelCredentials();
    } catch (error: unknown) {
      this.logger.error({ err: getErrorMessage(error) },
        'TLS files changed but do not load; still serving the previous certificate');
      return;
    }
    this.logger.info({ cert: this.config.certFile }, 'TLS certificate reloaded');
    for (const listener of this.listeners) listener();
  }
}

/** The files as an SDK client's TLS options: this node calling its cluster (--join). */
export function sdkTlsOf(config: ClientTlsConfig): RosterTlsOptions {
  return {
    cert: readFileSync(config.certFile), key: readFileSync(config.keyFile),
    ...(config.trustedCaFile === undefined ? {} : { ca: readFileSync(config.trustedCaFile) }),
  };
}
