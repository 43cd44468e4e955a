import type { HardState, Snapshot } from '../raft/index.js';

/**
 * What a recovered log promises and does not hold, in words; undefined when it is whole. A
 * stored commit index beyond the last stored entry means entries this node had synced (and
 * others counted as replicated) are gone: a node that went on would vote and serve as if it
 * had them. LevelLog refuses to open such a log, and the simulator's disk applies the same test.
 */
export function recoveredLogProblem(options: {
  readonly hardState: HardState | undefined;
  readonly snapshot: Snapshot;
  readonly lastIndex: number;
}): string | undefined {
  const { hardState, snapshot, lastIndex } = options;
  if (hardState === undefined) return undefined;
  if (hardState.commit > lastIndex) {
    return `hard state commit ${hardState.commit} is beyond the last log index ${lastIndex} ` +
      '(committed entries are missing)';
  }
  const snapshotIndex = snapshot.metadata.index;
  const empty = hardState.term === 0 && hardState.vote === 0 && hardState.commit === 0;
  // A snapshot only ever holds committed state, and Raft refuses such a hard state anyway.
  if (!empty && hardState.commit < snapshotIndex) {
    return `hard state commit ${hardState.commit} is below the snapshot index ${snapshotIndex}`;
  }
  if (!empty && hardState.term < snapshot.metadata.term) {
    return `hard state term ${hardState.term} is below the snapshot's term ` +
      `${snapshot.metadata.term}`;
  }
  return undefined;
}
