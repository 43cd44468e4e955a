export { Replica, type ReplicaOptions } from './replica.js';
export type {
  LogPersister, PersistBatch, ProposalOutcome, ReadOutcome, ReplicaObserver, StateMachine,
} from './interfaces.js';
