/** The pure Raft core: everything outside raft/ uses it through this file. */
export { RaftNode, type RaftStatus } from './raft-node.js';
export { CAMPAIGN_TRANSFER_CONTEXT, type RaftConfig, type RaftLogger } from './raft.js';
export type { LocalResult, ProposeResult, Refusal, RefusalReason } from './results.js';
export {
  LogCompactedError, LogUnavailableError, SnapshotUnavailableError, type RaftStorage,
} from './storage.js';
export {
  applyToConfState, confStatesEqual, decodeConfChange, encodeConfChange, parseConfChange,
} from './conf-change.js';
export { limitSize as limitEntriesSize } from './log.js';
export { confHistoryOf } from './conf-history.js';
export * from './types.js';
