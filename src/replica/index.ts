/**
 * The replica facade: what api/ and cli/ use to run a node. It re-exports the registry's
 * model and validation, so api/ depends on replica/ alone (the module rule, docs/ARCHITECTURE.md).
 */
export { Replica, type ReplicaOptions } from './replica.js';
export { RegistryNode, type RegistryNodeOptions } from './registry-node.js';
export {
  replicaSettingsOf, type RaftTimings, type ReplicaSettings,
} from './node-options.js';
export {
  registryFacade,
  type BackupSource, type ReadConsistency, type RegistryFacade, type RegistryView,
} from './facade.js';
export type { MemberView } from './membership.js';
export type { NodeStatus } from './node-status.js';
export type {
  ProposalOutcome, ReadOutcome, ReplicaObserver, Scheduler, SnapshotProgress, StateMachine,
} from './interfaces.js';
export {
  DEFAULT_NAMESPACE, LEASE_BYTES, Registry, instanceBytes, validateInstance,
  validateKey, validateName, validateNamespace, validateTtlMs, validateLookupQuery, isHealthy,
  encodeMemberContext,
  type Command, type CommandResult, type InstanceKey, type InstanceSpec, type LookupQuery,
  type Member, type MemberAddresses, type RawInstance, type RawLookupQuery, type RegistryEvent,
  type ServiceSummary, type ServingStatus, type StoredInstance,
} from '../registry/index.js';
export {
  clusterIdOf, decideFounding, decodeFoundingState, encodeFoundingState, isComplete,
  newFoundingState, recordFounder, validateFounderNames, validateId, validateSpec,
  type FounderId, type FoundingPeer, type FoundingState, type FoundingStep,
} from './founding.js';
export type { LeaseRenewal } from './lease-keeper.js';
export type {
  WatchDelivery, WatchDeliveryKind, WatchFilter, WatchSink,
} from '../watch/index.js';
