import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, type NodeSettings } from '../../src/core/settings.js';
import { limits } from '../../src/core/limits.js';
import { replicaSettingsOf } from '../../src/replica/index.js';

const settings = (raft: NodeSettings['raft'], requests = DEFAULT_SETTINGS.requests):
  NodeSettings => ({ ...DEFAULT_SETTINGS, raft, requests,
  api: { ...DEFAULT_SETTINGS.api, limits: { ...limits } } });

describe('replicaSettingsOf', () => {
  it('counts Raft timeouts in ticks of one heartbeat interval', () => {
    const replica = replicaSettingsOf(settings(
      { heartbeatIntervalMs: 100, electionTimeoutMs: 1_000 },
      { proposalTimeoutMs: 10_000, readTimeoutMs: 5_000, forwardTimeoutMs: 5_000 }));
    expect(replica.timings).toEqual({
      tickMs: 100, electionTicks: 10, heartbeatTicks: 1, proposalTimeoutTicks: 100,
      readTimeoutTicks: 50,
    });
  });

  it('rounds to the nearest tick, and never below one', () => {
    const replica = replicaSettingsOf(settings(
      { heartbeatIntervalMs: 300, electionTimeoutMs: 1_000 },
      { proposalTimeoutMs: 100, readTimeoutMs: 460, forwardTimeoutMs: 5_000 }));
    expect(replica.timings.electionTicks).toBe(3);
    expect(replica.timings.proposalTimeoutTicks).toBe(1);
    expect(replica.timings.readTimeoutTicks).toBe(2);
  });

  it('passes the log, watch and lease settings on as they are', () => {
    const node = settings(DEFAULT_SETTINGS.raft);
    const replica = replicaSettingsOf(node);
    expect(replica.log).toBe(node.log);
    expect(replica.watch).toBe(node.watch);
    expect(replica.leases).toBe(node.leases);
  });
});
