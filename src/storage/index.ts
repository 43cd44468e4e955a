/** Storage: the RaftStorage read interface (defined in raft/, which reads it) and its twins. */
export type { RaftStorage } from '../raft/index.js';
export { MemoryStorage } from './memory-storage.js';
