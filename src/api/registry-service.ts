import type * as grpc from '@grpc/grpc-js';
import { RosterError } from '../core/errors.js';
import {
  LEASE_BYTES, instanceBytes,
  type Command, type CommandResult, type InstanceSpec, type RegistryFacade, type RegistryView,
} from '../replica/api-surface.js';
import { toInstanceMessage, toServiceSummaryMessage } from './convert.js';
import { callUnary, type LeaderForwarder } from './forward.js';
import type { DeregisterRequest__Output } from './generated/types/roster/v1/DeregisterRequest.js';
import type { DeregisterResponse } from './generated/types/roster/v1/DeregisterResponse.js';
import type {
  ListServicesRequest__Output,
} from './generated/types/roster/v1/ListServicesRequest.js';
import type { ListServicesResponse } from './generated/types/roster/v1/ListServicesResponse.js';
import type { LookupRequest__Output } from './generated/types/roster/v1/LookupRequest.js';
import type { LookupResponse } from './generated/types/roster/v1/LookupResponse.js';
import type { RegisterRequest__Output } from './generated/types/roster/v1/RegisterRequest.js';
import type { RegisterResponse } from './generated/types/roster/v1/RegisterResponse.js';
import type { RegistryHandlers } from './generated/types/roster/v1/Registry.js';
import { loadApiProtos } from '../wire/index.js';
import { randomLeaseId } from './lease-ids.js';
import { LookupCache } from './lookup-cache.js';
import {
  validateDeregister, validateListServices, validateLookup, validateRegister,
  type RegisterLease,
} from './requests.js';
import { unary, type HandlerContext } from './unary.js';

const serializeLookup = loadApiProtos().registry.roster.v1.Registry.service.Lookup
  .responseSerialize as (value: LookupResponse) => Buffer;

/** Draws of a lease id that is free (a draw colliding with a live lease is ~n/2^53). */
const LEASE_ID_DRAWS_MAX = 4;

/**
 * roster.v1.Registry: validation first (a bad request changes nothing), then writes through
 * Raft on the leader (forwarded from followers), reads linearizable by default.
 */
export function registryHandlers(context: HandlerContext): Partial<RegistryHandlers> {
  const { node, forwarder } = context;
  const cache = new LookupCache();
  return {
    Register: unary(context, (call) => register(context, call)),
    Deregister: unary(context, (call) => deregister(node, forwarder, call)),
    Lookup: unary(context, (call) => lookup(context, call.request, cache)),
    ListServices: unary(context, (call) => listServices(node, call.request)),
  };
}

type Call<Request> = grpc.ServerUnaryCall<Request, unknown>;

async function register(
  context: HandlerContext,
  call: Call<RegisterRequest__Output>,
): Promise<RegisterResponse> {
  const request = call.request;
  const { instance, lease } = validateRegister(request);
  return context.forwarder.run<RegisterResponse>(call, async () => {
    const result = await proposeRegister(context, instance, lease);
    return {
      instance_id: result.instance.id,
      lease_id: result.instance.leaseId,
      revision: result.revision,
      created: result.created,
    };
  }, (clients, metadata, options) =>
    callUnary(clients.registry.Register.bind(clients.registry), request, metadata, options));
}

type Registered = Extract<CommandResult, { op: 'register'; ok: true }>;

/**
 * On the leader: the quota admits what the write adds, then the command goes with a fresh
 * random lease id when it grants a lease (drawn again if a live lease took it meanwhile).
 */
async function proposeRegister(
  context: HandlerContext, instance: InstanceSpec, lease: RegisterLease,
): Promise<Registered> {
  const { node } = context;
  const state = node.local;
  const release = context.quota.admit(state.stateBytes, addedBytes(state, instance, lease));
  try {
    for (let draw = 0; draw < LEASE_ID_DRAWS_MAX; draw++) {
      const command: Command = lease !== undefined && 'ttlMs' in lease
        ? { op: 'register', instance, lease: { ttlMs: lease.ttlMs, grantId: freeLeaseId(state) } }
        : { op: 'register', instance, lease };
      const result = await node.write(command);
      if (!result.ok && result.failure.code === 'conflict') continue;
      const registered = expectOk(result);
      if (registered.op !== 'register') throw unexpected(registered);
      return registered;
    }
    throw new RosterError('ROSTER_ERR_INTERNAL', 'could not draw a free lease id');
  } finally {
    release();
  }
}

/** What a registration adds to the state: the instance (less the one it replaces), a lease. */
function addedBytes(state: RegistryView, instance: InstanceSpec, lease: RegisterLease): number {
  const existing = state.get(instance);
  const replaced = existing === undefined ? 0 : instanceBytes(existing);
  const granted = lease !== undefined && 'ttlMs' in lease ? LEASE_BYTES : 0;
  return instanceBytes(instance) - replaced + granted;
}

function freeLeaseId(state: RegistryView): number {
  let id = randomLeaseId();
  for (let draw = 1; draw < LEASE_ID_DRAWS_MAX && state.lease(id) !== undefined; draw++) {
    id = randomLeaseId();
  }
  return id;
}

async function deregister(
  node: RegistryFacade,
  forwarder: LeaderForwarder,
  call: Call<DeregisterRequest__Output>,
): Promise<DeregisterResponse> {
  const request = call.request;
  const target = validateDeregister(request);
  return forwarder.run<DeregisterResponse>(call, async () => {
    if ('leaseId' in target) {
      const leaseId = target.leaseId;
      const result = expectOk(await node.write({ op: 'deregisterLease', leaseId }));
      return { revision: result.revision, removed: 'count' in result ? result.count : 0 };
    }
    const result = expectOk(await node.write({ op: 'deregister', key: target.key }));
    return { revision: result.revision, removed: 1 };
  }, (clients, metadata, options) =>
    callUnary(clients.registry.Deregister.bind(clients.registry), request, metadata, options));
}

/** Answers pre-encoded (the Lookup serializer passes Buffers through), from the cache. */
async function lookup(
  context: HandlerContext, request: LookupRequest__Output, cache: LookupCache,
): Promise<LookupResponse> {
  const { node } = context;
  const { query, consistency } = validateLookup(request);
  if (context.outbound.totalFull) {
    // Answers are the largest thing a client can make the node hold (unary-outbound.ts).
    throw new RosterError('ROSTER_ERR_RESOURCE_EXHAUSTED', 'the answers waiting for clients ' +
      'to read them fill this node\'s buffers (--max-buffered-bytes); retry shortly');
  }
  const state = await node.read(consistency);
  const revision = state.revision;
  const encoded = cache.get(JSON.stringify(query), revision, () => serializeLookup({
    instances: state.lookup(query).map(toInstanceMessage), revision,
  }));
  return encoded as unknown as LookupResponse;
}

async function listServices(
  node: RegistryFacade,
  request: ListServicesRequest__Output,
): Promise<ListServicesResponse> {
  const { namespace, consistency } = validateListServices(request);
  const state = await node.read(consistency);
  const services = state.listServices(namespace);
  return { services: services.map(toServiceSummaryMessage), revision: state.revision };
}

/** A command that did nothing becomes the error the client should see. */
function expectOk(result: CommandResult): Extract<CommandResult, { ok: true }> {
  if (result.ok) return result;
  const code = result.failure.code === 'not_found' ? 'ROSTER_ERR_NOT_FOUND'
    : result.failure.code === 'limit' ? 'ROSTER_ERR_RESOURCE_EXHAUSTED' : 'ROSTER_ERR_INTERNAL';
  throw new RosterError(code, result.failure.detail);
}

function unexpected(result: CommandResult): RosterError {
  return new RosterError('ROSTER_ERR_INTERNAL', `unexpected result for ${result.op}`);
}
