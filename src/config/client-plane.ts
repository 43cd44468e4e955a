/**
 * The client plane's serve flags: TLS on the client and HTTP ports (etcd's flag names) and
 * the limits that keep any client from exhausting a node (README, Limits).
 */
import { RosterError } from '../core/errors.js';
import { limits, type ClientLimits } from '../core/limits.js';

export interface ClientTlsConfig {
  readonly certFile: string;
  readonly keyFile: string;
  /** Clients' certificates are checked against it (and the leader's, when forwarding). */
  readonly trustedCaFile: string | undefined;
  /** Clients must present a certificate signed by the trusted CA. */
  readonly clientCertAuth: boolean;
}

export const CLIENT_PLANE_FLAGS = [
  'cert-file', 'key-file', 'trusted-ca-file', 'client-cert-auth', 'max-request-bytes',
  'quota-bytes', 'max-connections', 'max-streams-per-connection', 'connection-idle-ms',
  'max-stream-buffer-bytes', 'max-buffered-bytes', 'stream-stall-ms', 'max-streams',
  'max-connection-requests-per-second',
] as const;

/** Flags that may be given without a value (`--client-cert-auth` means true). */
export const CLIENT_PLANE_SWITCHES: readonly string[] = ['client-cert-auth'];

type Get = (flag: (typeof CLIENT_PLANE_FLAGS)[number]) => string | undefined;

function usage(flag: string, why: string): RosterError {
  return new RosterError('ROSTER_ERR_INVALID_ARGUMENT', `--${flag}: ${why}`, { field: flag });
}

function bounded(get: Get, flag: (typeof CLIENT_PLANE_FLAGS)[number], fallback: number,
  range: { min: number; max: number }): number {
  const value = get(flag);
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!/^[0-9]+$/.test(value) || !Number.isSafeInteger(parsed) || parsed < range.min ||
    parsed > range.max) {
    throw usage(flag, `must be an integer from ${range.min} to ${range.max}, got "${value}"`);
  }
  return parsed;
}

function flagBoolean(get: Get, flag: (typeof CLIENT_PLANE_FLAGS)[number]): boolean {
  const value = get(flag);
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  throw usage(flag, `must be true or false, got "${value}"`);
}

export function parseClientTls(get: Get): ClientTlsConfig | undefined {
  const certFile = get('cert-file');
  const keyFile = get('key-file');
  const trustedCaFile = get('trusted-ca-file');
  const clientCertAuth = flagBoolean(get, 'client-cert-auth');
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw usage(certFile === undefined ? 'cert-file' : 'key-file',
      'TLS needs both --cert-file and --key-file');
  }
  if (certFile === undefined || keyFile === undefined) {
    if (trustedCaFile !== undefined || clientCertAuth) {
      throw usage(trustedCaFile !== undefined ? 'trusted-ca-file' : 'client-cert-auth',
        'needs TLS: give --cert-file and --key-file too');
    }
    return undefined;
  }
  if (clientCertAuth && trustedCaFile === undefined) {
    throw usage('client-cert-auth', 'needs --trusted-ca-file (the CA clients\' certificates ' +
      'are checked against)');
  }
  return Object.freeze({ certFile, keyFile, trustedCaFile, clientCertAuth });
}

const MIB = 1024 * 1024;

export function parseClientLimits(get: Get): ClientLimits {
  return Object.freeze({
    requestBytesMax: bounded(get, 'max-request-bytes', limits.requestBytesMax,
      { min: 64 * 1024, max: 64 * MIB }),
    quotaBytes: bounded(get, 'quota-bytes', limits.quotaBytes,
      { min: 1, max: Number.MAX_SAFE_INTEGER }),
    connectionsMax: bounded(get, 'max-connections', limits.connectionsMax,
      { min: 1, max: 1_000_000 }),
    streamsPerConnectionMax: bounded(get, 'max-streams-per-connection',
      limits.streamsPerConnectionMax, { min: 1, max: 1_000_000 }),
    connectionIdleMs: bounded(get, 'connection-idle-ms', limits.connectionIdleMs,
      { min: 1_000, max: 2 ** 31 - 1 }),
    streamBufferBytesMax: bounded(get, 'max-stream-buffer-bytes', limits.streamBufferBytesMax,
      { min: 16 * 1024, max: 1024 * MIB }),
    bufferedBytesMax: bounded(get, 'max-buffered-bytes', limits.bufferedBytesMax,
      { min: 16 * 1024, max: 64 * 1024 * MIB }),
    streamStallMs: bounded(get, 'stream-stall-ms', limits.streamStallMs,
      { min: 1_000, max: 2 ** 31 - 1 }),
    streamsMax: bounded(get, 'max-streams', limits.streamsMax, { min: 1, max: 10_000_000 }),
    connectionRequestsPerSecond: bounded(get, 'max-connection-requests-per-second',
      limits.connectionRequestsPerSecond, { min: 1, max: 10_000_000 }),
  });
}
