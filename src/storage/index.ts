/** Storage: the RaftStorage read interface (defined in raft/, which reads it) and its twins. */
export type { RaftStorage } from '../raft/index.js';
export {
  MemoryStorage, RELEASED_SNAPSHOT_DATA, isReleasedSnapshotData,
} from './memory-storage.js';
export type { LogPersister, PersistBatch } from './persister.js';
export {
  DataDirLockedError, LevelLog, wipeAdvice,
  type DataDirIdentity, type LevelLogOptions, type RecoveredLog,
} from './level-storage.js';
export { recoveredLogProblem } from './recovery-check.js';
