import type { Model, Operation } from './linearizability.js';
import {
  describeRegistryOp, registryModel,
  type RegistryInput, type RegistryOutput, type RegistryState,
} from './registry-model.js';

/**
 * A committed write knows where Raft put it: `logIndex`. The checker's model uses only
 * `logRank`, the write's position among the committed writes of its service.
 */
export type LoggedInput = RegistryInput & { readonly logIndex?: number; readonly logRank?: number };

export interface LogOrderState {
  readonly registry: RegistryState;
  /** The rank of the next write allowed to take effect. */
  readonly nextRank: number;
}

/**
 * The registry model with one more rule: committed writes take effect in log order. In Raft
 * the log order is the order of effects, so it is a candidate linearization for the writes;
 * reads still float freely within their intervals. A linearization found under this rule is
 * a linearization, full stop (a proof of linearizability); none found means reads or results
 * contradict the log, which is a bug however else the history might be explained. The search
 * then costs little even when many writes were in flight together, where the unconstrained
 * search can blow up (writes that wait out a long outage all complete at once).
 */
export const registryModelInLogOrder: Model<LogOrderState, LoggedInput, RegistryOutput> = {
  partition: (history) => registryModel.partition?.(history) ?? [history.slice()],
  init: () => ({ registry: registryModel.init(), nextRank: 0 }),
  step(state, input, output) {
    const rank = input.logRank;
    if (input.kind !== 'lookup' && rank !== undefined && rank !== state.nextRank) {
      return { ok: false, state };
    }
    const result = registryModel.step(state.registry, input, output);
    if (!result.ok) return { ok: false, state };
    const nextRank = rank === undefined ? state.nextRank : state.nextRank + 1;
    return { ok: true, state: { registry: result.state, nextRank } };
  },
  key: (state) => `${state.nextRank}|${registryModel.key(state.registry)}`,
  describe: (input, output) => {
    const where = input.logIndex === undefined ? '' : ` @${input.logIndex}`;
    return `${describeRegistryOp(input, output)}${where}`;
  },
};

/** Gives each committed write its rank in log order within its service. */
export function rankByLogIndex(
  history: readonly Operation<LoggedInput, RegistryOutput>[],
): Operation<LoggedInput, RegistryOutput>[] {
  const byService = new Map<string, number[]>();
  for (const op of history) {
    if (op.input.logIndex === undefined) continue;
    const indexes = byService.get(op.input.service) ?? [];
    indexes.push(op.input.logIndex);
    byService.set(op.input.service, indexes);
  }
  const ranks = new Map<string, Map<number, number>>();
  for (const [service, indexes] of byService) {
    indexes.sort((a, b) => a - b);
    ranks.set(service, new Map(indexes.map((index, rank) => [index, rank])));
  }
  return history.map((op) => {
    const logIndex = op.input.logIndex;
    if (logIndex === undefined) return op;
    const logRank = ranks.get(op.input.service)?.get(logIndex);
    return { ...op, input: { ...op.input, logRank } };
  });
}
