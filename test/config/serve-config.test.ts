import { describe, expect, it } from 'vitest';
import { parseServeConfig, type ServeConfig } from '../../src/config/index.js';

function parse(flags: Record<string, string> = {}, env: Record<string, string> = {},
  hostname = 'box.example.com'): ServeConfig {
  return parseServeConfig({ flags, env, hostname });
}

describe('serve config: defaults', () => {
  it('is a single-node cluster named after the host, on the loopback ports 7400-7402', () => {
    const config = parse();
    expect(config).toMatchObject({
      name: 'box', dataDir: '.roster/box',
      listen: '127.0.0.1:7400', peerListen: '127.0.0.1:7401', httpListen: '127.0.0.1:7402',
      dnsListen: undefined,
      advertiseClient: '127.0.0.1:7400', advertisePeer: '127.0.0.1:7401',
      initialCluster: [
        { name: 'box', peerAddress: '127.0.0.1:7401', clientAddress: '127.0.0.1:7400' },
      ],
      initialClusterState: 'new', join: undefined,
      logLevel: 'info',
      peerTls: undefined, clientTls: undefined, transferLeadershipOnStop: true,
      settings: {
        raft: { heartbeatIntervalMs: 100, electionTimeoutMs: 1000 },
        log: {
          snapshotEntries: 10_000, compactionKeepEntries: 5_000,
          snapshotBytes: 4 * 1024 * 1024, compactionKeepBytes: 1024 * 1024,
        },
        requests: { proposalTimeoutMs: 10_000, readTimeoutMs: 5_000, forwardTimeoutMs: 5_000 },
        watch: { syncIntervalMs: 100, historyEvents: 20_000 },
        api: { healthIntervalMs: 250, drainMs: 2_000 },
        membership: { promoteRetryMs: 500 },
      },
    });
    expect(config.peerRoutes.size).toBe(0);
  });

  it('a leader hands leadership over when stopped, unless told the cluster stops whole', () => {
    expect(parse({ 'transfer-leadership-on-stop': 'false' }).transferLeadershipOnStop)
      .toBe(false);
    expect(parse({}, { ROSTER_TRANSFER_LEADERSHIP_ON_STOP: 'false' }).transferLeadershipOnStop)
      .toBe(false);
    expect(parse({ 'transfer-leadership-on-stop': 'true' }).transferLeadershipOnStop).toBe(true);
  });

  it('advertises the hostname for a wildcard listen address', () => {
    const config = parse({ listen: '0.0.0.0:9400', 'peer-listen': '[::]:9401' }, {}, 'node-1');
    expect(config.name).toBe('node-1');
    expect(config.advertiseClient).toBe('node-1:9400');
    expect(config.advertisePeer).toBe('node-1:9401');
    expect(config.initialCluster).toEqual([
      { name: 'node-1', peerAddress: 'node-1:9401', clientAddress: 'node-1:9400' },
    ]);
  });
});

describe('serve config: sources', () => {
  it('takes ROSTER_ variables, a flag winning over its variable', () => {
    const config = parse({ 'log-level': 'debug' },
      { ROSTER_LOG_LEVEL: 'warn', ROSTER_HEARTBEAT_INTERVAL_MS: '50', ROSTER_DATA_DIR: '/d' });
    expect(config.logLevel).toBe('debug');
    expect(config.settings.raft.heartbeatIntervalMs).toBe(50);
    expect(config.dataDir).toBe('/d');
  });

  it('treats an empty variable as unset', () => {
    expect(parse({}, { ROSTER_LOG_LEVEL: '' }).logLevel).toBe('info');
  });
});

describe('serve config: members', () => {
  it('reads --initial-cluster, the client port one below the peer port unless given', () => {
    const config = parse({ name: 'n1',
      'initial-cluster': 'n1=10.0.0.1:7401, n2=10.0.0.2:8001/9000,n3=[::1]:7501' });
    expect(config.initialCluster).toEqual([
      { name: 'n1', peerAddress: '10.0.0.1:7401', clientAddress: '10.0.0.1:7400' },
      { name: 'n2', peerAddress: '10.0.0.2:8001', clientAddress: '10.0.0.2:9000' },
      { name: 'n3', peerAddress: '[::1]:7501', clientAddress: '[::1]:7500' },
    ]);
  });

  it('derives a StatefulSet\'s members from the pod name and --peer-service', () => {
    const config = parse({ name: 'roster-2', 'peer-service': 'roster', replicas: '3',
      'peer-listen': '0.0.0.0:7401' }, {}, 'roster-2');
    expect(config.initialCluster.map((member) => [member.peerAddress, member.clientAddress]))
      .toEqual([
        ['roster-0.roster:7401', 'roster-0.roster:7400'],
        ['roster-1.roster:7401', 'roster-1.roster:7400'],
        ['roster-2.roster:7401', 'roster-2.roster:7400'],
      ]);
  });

  it('lets a node outside --initial-cluster join, or restart into an existing cluster', () => {
    const others = { name: 'n9', 'initial-cluster': 'n1=h1:7401' };
    expect(parse({ ...others, join: 'h1:7400' }).join).toBe('h1:7400');
    expect(parse({ ...others, 'initial-cluster-state': 'existing' }).initialClusterState)
      .toBe('existing');
  });

  it('reads --peer-route and the three peer TLS files', () => {
    const config = parse({ 'peer-route': 'n2=proxy:1000, n3=proxy:1001',
      'peer-cert-file': 'p.pem', 'peer-key-file': 'p.key', 'peer-trusted-ca-file': 'ca.pem' });
    expect([...config.peerRoutes]).toEqual([['n2', 'proxy:1000'], ['n3', 'proxy:1001']]);
    expect(config.peerTls).toEqual({ certFile: 'p.pem', keyFile: 'p.key', caFile: 'ca.pem' });
  });
});

describe('serve config: the result', () => {
  it('is frozen, down to its lists and nested settings', () => {
    const config = parse({ 'peer-cert-file': 'p.pem', 'peer-key-file': 'p.key',
      'peer-trusted-ca-file': 'ca.pem', 'cert-file': 'c.pem', 'key-file': 'k.pem' });
    for (const part of [config, config.initialCluster, config.peerTls, config.clientTls,
      config.settings, config.settings.raft, config.settings.log, config.settings.api,
      config.settings.api.limits]) {
      expect(Object.isFrozen(part)).toBe(true);
    }
    expect(() => {
      (config as { name: string }).name = 'other';
    }).toThrow(TypeError);
    expect(config.name).toBe('box');
  });
});
