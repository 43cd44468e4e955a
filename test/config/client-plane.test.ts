import { describe, expect, it } from 'vitest';
import { parseServeConfig } from '../../src/config/index.js';
import { limits } from '../../src/core/limits.js';
import { RosterError } from '../../src/core/errors.js';

function parse(flags: Record<string, string>, env: Record<string, string> = {}) {
  return parseServeConfig({ flags: { name: 'n1', ...flags }, env, hostname: 'h' });
}

function refusal(flags: Record<string, string>): string {
  try {
    parse(flags);
  } catch (error) {
    expect(error).toBeInstanceOf(RosterError);
    return (error as Error).message;
  }
  return expect.fail('expected the flags to be refused');
}

describe('serve flags: client-plane limits', () => {
  it('default to core/limits.ts', () => {
    expect(parse({}).settings.api.limits).toEqual({
      requestBytesMax: limits.requestBytesMax, quotaBytes: limits.quotaBytes,
      connectionsMax: limits.connectionsMax,
      streamsPerConnectionMax: limits.streamsPerConnectionMax,
      connectionIdleMs: limits.connectionIdleMs,
      streamBufferBytesMax: limits.streamBufferBytesMax,
      bufferedBytesMax: limits.bufferedBytesMax, streamStallMs: limits.streamStallMs,
      streamsMax: limits.streamsMax,
      connectionRequestsPerSecond: limits.connectionRequestsPerSecond,
    });
    expect(limits.requestBytesMax).toBe(1.5 * 1024 * 1024);
  });

  it('take flags and ROSTER_ variables', () => {
    const config = parse({ 'max-request-bytes': '2097152', 'max-connections': '10' },
      { ROSTER_QUOTA_BYTES: '1000000', ROSTER_STREAM_STALL_MS: '5000' });
    expect(config.settings.api.limits).toMatchObject({
      requestBytesMax: 2_097_152, connectionsMax: 10, quotaBytes: 1_000_000,
      streamStallMs: 5_000,
    });
  });

  it.each<[Record<string, string>, string]>([
    [{ 'max-request-bytes': '1k' }, '--max-request-bytes: must be an integer'],
    [{ 'max-request-bytes': '100' }, 'from 65536'],
    [{ 'quota-bytes': '0' }, '--quota-bytes'],
    [{ 'max-connections': '-5' }, '--max-connections'],
    [{ 'connection-idle-ms': '10' }, 'from 1000'],
  ])('refuses %j', (flags, why) => {
    expect(refusal(flags)).toContain(why);
  });
});

describe('serve flags: TLS (etcd names)', () => {
  it('is off without --cert-file', () => {
    expect(parse({}).clientTls).toBeUndefined();
  });

  it('reads --cert-file, --key-file, --trusted-ca-file and --client-cert-auth', () => {
    expect(parse({
      'cert-file': 'c.pem', 'key-file': 'k.pem', 'trusted-ca-file': 'ca.pem',
      'client-cert-auth': 'true',
    }).clientTls).toEqual({
      certFile: 'c.pem', keyFile: 'k.pem', trustedCaFile: 'ca.pem', clientCertAuth: true,
    });
  });

  it.each<[Record<string, string>, string]>([
    [{ 'cert-file': 'c.pem' }, 'needs both --cert-file and --key-file'],
    [{ 'key-file': 'k.pem' }, 'needs both'],
    [{ 'trusted-ca-file': 'ca.pem' }, '--trusted-ca-file: needs TLS'],
    [{ 'cert-file': 'c', 'key-file': 'k', 'client-cert-auth': 'true' }, 'needs --trusted-ca-file'],
    [{ 'cert-file': 'c', 'key-file': 'k', 'client-cert-auth': 'yes' }, 'must be true or false'],
  ])('refuses %j', (flags, why) => {
    expect(refusal(flags)).toContain(why);
  });
});
