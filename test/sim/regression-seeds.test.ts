import { describe, expect, it } from 'vitest';
import { runSeed } from '../../src/sim/run-seed.js';
import { STEPS, expectSeedsPass } from './seed-runner.js';

/**
 * Every seed that ever failed, with what it found. A seed replays exactly only on the code it
 * failed on; after a fix it is a fixed extra seed. Real protocol bugs also have a scripted test
 * in test/raft (named there), which keeps the scenario whatever the simulator draws.
 */
const REGRESSIONS: { seed: number; nodes: 3 | 5; found: string }[] = [
  // Raft: a restarted node campaigned with its applied (stale) membership although later conf
  // entries in its log had committed; removed, lagging nodes could elect it. Fixed by making
  // membership take effect on append (test/raft/membership.test.ts).
  { seed: 18, nodes: 3, found: 'stale membership after restart' },
  { seed: 123, nodes: 3, found: 'stale membership after restart' },
  { seed: 125, nodes: 3, found: 'stale membership after restart' },
  { seed: 128, nodes: 3, found: 'stale membership after restart' },
  // Checker: a joining node's empty log was not a known origin of the log-matching hashes.
  { seed: 1, nodes: 3, found: 'checker: empty log origin' },
  { seed: 2, nodes: 3, found: 'checker: empty log origin' },
  { seed: 4, nodes: 3, found: 'checker: empty log origin' },
  // Workload: many unknown-outcome writes made the linearizability search explode; writes are
  // now resolved against the applied ledger (ground truth).
  { seed: 9, nodes: 3, found: 'linearizability search budget (unknown writes)' },
  { seed: 17, nodes: 3, found: 'linearizability search budget (unknown writes)' },
  { seed: 657, nodes: 3, found: 'linearizability search budget (no CheckQuorum)' },
  { seed: 960, nodes: 3, found: 'linearizability search budget (no CheckQuorum)' },
  // Liveness: proposals in a follower's stale uncommitted tail only settle by timeout.
  { seed: 6, nodes: 3, found: 'liveness: stale tail proposals' },
  { seed: 24, nodes: 3, found: 'liveness: stale tail proposals' },
  { seed: 64, nodes: 3, found: 'liveness: stale tail proposals' },
  { seed: 103, nodes: 3, found: 'liveness: stale tail proposals' },
  // Workload: a leader without quorum piled up concurrent writes (search blow-up); clients now
  // wait for their replica's answer.
  { seed: 1183, nodes: 5, found: 'linearizability search budget (stalled leader)' },
  // Checker: 18 writes waiting out an 8.6 s outage all completed at once; the plain search
  // needs ~100M steps. Now a log-order witness search follows an exhausted plain search.
  { seed: 93, nodes: 3, found: 'linearizability search budget (long outage)' },
  // Watch: a watcher resumed on a node behind it was sent progress at the node's lower
  // revision (now held back until the node catches up; test/watch/watch-hub.test.ts).
  { seed: 19, nodes: 3, found: 'watch: progress behind the resume revision' },
  // Watch: "from now" could not be resumed exactly when it began at revision 0, which also
  // meant "from now": the registry now starts at revision 1 and a watch from now is anchored
  // by a first progress notice.
  { seed: 45, nodes: 3, found: 'watch: resume after revision 0 skipped events' },
  // Leases: a leader whose promotion barrier failed never promoted its lessor, so no lease
  // expired and no KeepAlive was answered for as long as it led. Now retried.
  { seed: 1116, nodes: 5, found: 'liveness: lessor never promoted' },
  { seed: 1950, nodes: 5, found: 'liveness: lessor never promoted' },
  // Checker: a deposed leader's lessor decided on a stale view; only committed Revokes count.
  { seed: 193, nodes: 3, found: 'checker: uncommitted expiry decision' },
  // Liveness (found when leaders began sending before persisting): a removal committed only
  // during the liveness phase, its node leading on alone (now shut down then as well)...
  { seed: 625, nodes: 3, found: 'liveness: removal committed while converging' },
  // ...and, without PreVote, a voter missing the entry that made the only other voter one kept
  // raising its term; that voter's lower-term requests were ignored. Refusals now carry the
  // term (test/raft/election.test.ts, "a candidate of a stale term").
  { seed: 276, nodes: 3, found: 'liveness: stale-term candidate never caught up' },
  // Liveness (found when the simulated transport began dropping messages to peers a node had
  // no address for, as the real one does): a node restarted behind the entry that added the
  // leader could not answer it. A stream's first batch now carries its sender's address.
  { seed: 241, nodes: 3, found: 'liveness: a lagging node could not answer a newer leader' },
  { seed: 258, nodes: 3, found: 'liveness: a lagging node could not answer a newer leader' },
  // Storage faults (the harness): a disk was lost while a conf change was in flight (in the
  // leader's log, then in another node's), leaving a two-voter configuration with a lost
  // voter; and a joined node with no snapshot yet knew no peer after a restart (it now asks
  // the cluster again, as roster serve does).
  { seed: 132, nodes: 3, found: 'liveness: a disk lost during a conf change' },
  { seed: 1686, nodes: 3, found: 'liveness: a disk lost during a conf change' },
  { seed: 36, nodes: 3, found: 'liveness: a joined node without a snapshot knew no peer' },
  // Leases: a Revoke whose proposal timed out (a quorum lost for seconds) made the lease
  // renewable again while the entry stayed in the leader's log; heartbeats were answered,
  // then the Revoke committed. A timed-out Revoke now keeps its leases revoking.
  { seed: 721, nodes: 3, found: 'leases: renewed while its timed-out Revoke was in the log' },
];

describe('simulator: regression seeds', () => {
  it.each(REGRESSIONS)('seed $seed ($nodes nodes): $found', ({ seed, nodes }) => {
    expectSeedsPass([seed], nodes);
  });

  it('replays a seed exactly: same history, same statistics', () => {
    const histories: string[] = [];
    const stats: string[] = [];
    for (let run = 0; run < 2; run++) {
      const result = runSeed({
        seed: 128, nodes: 3, steps: STEPS,
        onHistory: (history) => histories.push(JSON.stringify(history)),
      });
      stats.push(JSON.stringify(result.stats));
    }
    expect(histories[0]?.length).toBeGreaterThan(1000);
    expect(histories[1]).toBe(histories[0]);
    expect(stats[1]).toBe(stats[0]);
  });

  it('the runs exercise faults: elections, crashes, membership changes, snapshots', () => {
    const results = expectSeedsPass([30_001, 30_002, 30_003, 30_004, 30_005, 30_006], 3);
    const total = (key: string): number => results.reduce((sum, r) => sum + (r.stats[key] ?? 0), 0);
    expect(total('leaders')).toBeGreaterThan(12);
    expect(total('crashes')).toBeGreaterThan(6);
    expect(total('nodesEver')).toBeGreaterThan(18); // some nodes joined
    expect(total('committed')).toBeGreaterThan(300);
    expect(total('snapshotsRestored')).toBeGreaterThan(0);
    expect(total('heartbeats')).toBeGreaterThan(100);
    expect(total('expired')).toBeGreaterThan(0);
    expect(total('watchDeliveries')).toBeGreaterThan(100);
    expect(total('watchResumes')).toBeGreaterThan(0);
  });

  it('the runs lose data dirs and disks that lost writes, and the nodes rejoin', () => {
    // Seeds where a node's data dir is lost, or refused at start, and it is replaced.
    const results = expectSeedsPass([30_005, 30_011, 30_020], 3);
    for (const result of results) expect(result.stats.replaced).toBeGreaterThan(0);
  });
});
