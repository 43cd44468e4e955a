import { describe, expect, it } from 'vitest';
import { parseServeConfig, type ServeConfig } from '../../src/config/index.js';
import { RosterError } from '../../src/core/errors.js';

function parse(flags: Record<string, string>): ServeConfig {
  return parseServeConfig({ flags: { name: 'n1', ...flags }, env: {}, hostname: 'h' });
}

/** The error a set of flags is refused with (the test fails if they are accepted). */
function refusal(flags: Record<string, string>): RosterError {
  try {
    parse(flags);
  } catch (error) {
    expect(error).toBeInstanceOf(RosterError);
    return error as RosterError;
  }
  return expect.fail(`expected ${JSON.stringify(flags)} to be refused`);
}

const NOT_HOST_PORT = ['nope', 'host:', ':7400', 'host:0', 'host:65536', 'host:12a'];
const HOST_PORT_FLAGS = ['listen', 'peer-listen', 'http-listen', 'dns-listen', 'advertise-client',
  'advertise-peer', 'join'];
const POSITIVE_FLAGS = ['heartbeat-interval-ms', 'snapshot-entries', 'compaction-keep-entries',
  'snapshot-bytes', 'compaction-keep-bytes', 'watch-history-events'];

describe('serve config: each refusal names its flag', () => {
  it.each(HOST_PORT_FLAGS.flatMap((flag) => NOT_HOST_PORT.map((value) => [flag, value])))(
    '--%s %s', (flag, value) => {
      const error = refusal({ [flag]: value });
      expect(error.code).toBe('ROSTER_ERR_INVALID_ARGUMENT');
      expect(error.field).toBe(flag);
      expect(error.message).toContain(`--${flag}: "${value}" is not host:port`);
    });

  it.each(POSITIVE_FLAGS.flatMap((flag) => ['0', '-3', '1.5', 'ten', '9007199254740992', '1e3',
    '0x10', ' 5']
    .map((value) => [flag, value])))('--%s %s', (flag, value) => {
    const error = refusal({ [flag]: value, 'election-timeout-ms': '1000000' });
    expect(error.field).toBe(flag);
    expect(error.message).toContain(`--${flag}: must be a positive integer, got "${value}"`);
  });

  it.each<[Record<string, string>, string, string]>([
    [{ name: 'Node_1' }, 'name', 'must be a lowercase DNS label'],
    [{ name: '1node' }, 'name', 'must be a lowercase DNS label'],
    [{ 'election-timeout-ms': '0' }, 'election-timeout-ms', 'must be a positive integer'],
    [{ 'heartbeat-interval-ms': '100', 'election-timeout-ms': '299' }, 'election-timeout-ms',
      'must be at least 3 heartbeat intervals (300 ms)'],
    [{ 'initial-cluster-state': 'old' }, 'initial-cluster-state', 'must be new or existing'],
    [{ 'log-level': 'verbose' }, 'log-level', 'must be one of fatal, error, warn'],
    [{ 'initial-cluster': 'n1' }, 'initial-cluster', 'is not name=host:peerPort'],
    [{ 'initial-cluster': 'N1=h:7401' }, 'initial-cluster', 'is not name=host:peerPort'],
    [{ 'initial-cluster': 'n1=h:7401=x' }, 'initial-cluster', 'is not name=host:peerPort'],
    [{ 'initial-cluster': 'n1=h' }, 'initial-cluster', 'is not host:port'],
    [{ 'initial-cluster': 'n1=h:1' }, 'initial-cluster', 'has no usable client port'],
    [{ 'initial-cluster': 'n1=h:7401/65536' }, 'initial-cluster', 'has no usable client port'],
    [{ 'initial-cluster': ' , ' }, 'initial-cluster', 'lists no member'],
    [{ 'initial-cluster': 'n1=h:7401,n1=g:7401' }, 'initial-cluster', 'names a member twice'],
    [{ 'initial-cluster': 'n2=h:7401' }, 'initial-cluster', 'does not include this node "n1"'],
    [{ 'peer-service': 'roster' }, 'peer-service', 'has no StatefulSet ordinal'],
    [{ name: 'n-1', 'peer-service': 'roster', replicas: '0' }, 'replicas',
      'must be a positive integer'],
    [{ 'peer-route': 'n2' }, 'peer-route', 'is not name=host:port'],
    [{ 'transfer-leadership-on-stop': 'no' }, 'transfer-leadership-on-stop',
      'must be true or false, got "no"'],
    [{ 'peer-route': 'n2=proxy' }, 'peer-route', 'is not host:port'],
    [{ 'peer-cert-file': 'p.pem' }, 'peer-cert-file', 'go together'],
    [{ 'peer-key-file': 'p.key', 'peer-trusted-ca-file': 'ca' }, 'peer-cert-file', 'go together'],
  ])('%j', (flags, flag, why) => {
    const error = refusal(flags);
    expect(error.field).toBe(flag);
    expect(error.message).toContain(`--${flag}: `);
    expect(error.message).toContain(why);
  });
});

describe('serve config: bounds', () => {
  it('accepts ports 1 and 65535', () => {
    expect(parse({ listen: 'h:1', 'http-listen': 'h:65535' })).toMatchObject({
      listen: 'h:1', httpListen: 'h:65535',
    });
  });

  it('accepts an election timeout of exactly 3 heartbeat intervals', () => {
    expect(parse({ 'heartbeat-interval-ms': '100', 'election-timeout-ms': '300' })
      .settings.raft.electionTimeoutMs).toBe(300);
  });

  it('accepts counts from 1 to the largest safe integer', () => {
    const config = parse({ 'snapshot-entries': '1',
      'snapshot-bytes': String(Number.MAX_SAFE_INTEGER) });
    expect(config.settings.log.snapshotEntries).toBe(1);
    expect(config.settings.log.snapshotBytes).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('accepts the longest DNS label as a name, and refuses one longer', () => {
    const longest = `n${'a'.repeat(62)}`;
    expect(parse({ name: longest }).name).toBe(longest);
    expect(refusal({ name: `${longest}a` }).field).toBe('name');
  });
});
