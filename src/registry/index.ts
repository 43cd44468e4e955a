/** The replicated registry: data model, validation, commands, and the state machine. */
export * from './model.js';
export { encodeCommand, encodeCommandBatch, decodeCommand, decodeCommands } from './commands.js';
export {
  encodeMemberContext, decodeMemberContext,
  type MemberAddresses, type MemberChange,
} from './members.js';
export {
  INITIAL_REVISION, Registry, type Applied, type LogEntry, type StateLimits,
} from './registry.js';
export * from './validate.js';
export { LEASE_BYTES, instanceBytes } from './state-size.js';
