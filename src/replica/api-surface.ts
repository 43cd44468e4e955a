/**
 * All that api/ may use of replica/ and the modules below it: the facade of a node, the
 * registry's model and validation, and the watch delivery types. The module rule lets api/
 * import this file alone, so handlers cannot reach round the facade into the registry, the
 * replica or Raft.
 */
export type {
  BackupSource, ReadConsistency, RegistryFacade, RegistryView,
} from './facade.js';
export type { KeepAliveRequest, LeaseRenewal } from './lease-keeper.js';
export type { MemberView } from './membership.js';
export type { NodeStatus } from './node-status.js';
export type { Scheduler } from './interfaces.js';
export {
  LEASE_BYTES, instanceBytes, validateInstance, validateKey, validateLookupQuery, validateName,
  validateNamespace, validateTtlMs,
  type Command, type CommandResult, type InstanceKey, type InstanceSpec, type LookupQuery,
  type Member, type RawInstance, type RegistryEvent, type ServiceSummary, type ServingStatus,
  type StoredInstance,
} from '../registry/index.js';
export type {
  WatchDelivery, WatchDeliveryKind, WatchFilter, WatchSink,
} from '../watch/index.js';
