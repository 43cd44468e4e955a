import type { CommandResult } from '../registry/index.js';

export interface AppliedRecord {
  readonly term: number;
  /** When the first node applied it: the effect was visible from then on. */
  readonly timeMs: number;
  /** The results of the entry's commands, in order (none for a membership change). */
  readonly results: CommandResult[] | undefined;
}

/**
 * What was applied at each log index, first time seen (every node applies the same, which the
 * safety checker verifies). The workload resolves proposals whose answer never reached the
 * client against it: the simulator's ground truth.
 */
export class AppliedLedger {
  private readonly byIndex = new Map<number, AppliedRecord>();

  record(index: number, record: AppliedRecord): void {
    if (!this.byIndex.has(index)) this.byIndex.set(index, record);
  }

  get(index: number): AppliedRecord | undefined {
    return this.byIndex.get(index);
  }
}
