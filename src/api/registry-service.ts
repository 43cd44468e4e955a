import type * as grpc from '@grpc/grpc-js';
import { RosterError } from '../core/errors.js';
import {
  validateInstance, validateKey, validateTtlMs,
  type CommandResult, type RegistryNode,
} from '../replica/index.js';
import {
  namespaceOrDefault, toInstanceMessage, toLookupQuery, toRawInstance, toServiceSummaryMessage,
} from './convert.js';
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
import { loadApiProtos } from './generated/load.js';
import { LookupCache } from './lookup-cache.js';
import { unary, type HandlerContext } from './unary.js';

const serializeLookup = loadApiProtos().registry.roster.v1.Registry.service.Lookup
  .responseSerialize as (value: LookupResponse) => Buffer;

/**
 * roster.v1.Registry: validation first (a bad request changes nothing), then writes through
 * Raft on the leader (forwarded from followers), reads linearizable by default.
 */
export function registryHandlers(context: HandlerContext & { forwarder: LeaderForwarder }):
  Partial<RegistryHandlers> {
  const { node, forwarder } = context;
  const cache = new LookupCache();
  return {
    Register: unary(context, (call) => register(node, forwarder, call)),
    Deregister: unary(context, (call) => deregister(node, forwarder, call)),
    Lookup: unary(context, (call) => lookup(node, call.request, cache)),
    ListServices: unary(context, (call) => listServices(node, call.request)),
  };
}

type Call<Request> = grpc.ServerUnaryCall<Request, unknown>;

async function register(
  node: RegistryNode,
  forwarder: LeaderForwarder,
  call: Call<RegisterRequest__Output>,
): Promise<RegisterResponse> {
  const request = call.request;
  if (request.ttl_ms !== 0 && request.lease_id !== 0) {
    throw new RosterError('ROSTER_ERR_INVALID_ARGUMENT', 'give ttl_ms or lease_id, not both',
      { field: 'lease_id' });
  }
  const lease = request.ttl_ms !== 0 ? { ttlMs: validateTtlMs(request.ttl_ms) }
    : request.lease_id !== 0 ? { id: request.lease_id } : undefined;
  const instance = validateInstance(toRawInstance(request.instance));
  return forwarder.run<RegisterResponse>(call, async () => {
    const result = expectOk(await node.propose({ op: 'register', instance, lease }));
    if (result.op !== 'register') throw unexpected(result);
    return {
      instance_id: result.instance.id,
      lease_id: result.instance.leaseId,
      revision: result.revision,
      created: result.created,
    };
  }, (clients, metadata, options) =>
    callUnary(clients.registry.Register.bind(clients.registry), request, metadata, options));
}

async function deregister(
  node: RegistryNode,
  forwarder: LeaderForwarder,
  call: Call<DeregisterRequest__Output>,
): Promise<DeregisterResponse> {
  const request = call.request;
  if (request.lease_id !== 0) {
    const leaseId = request.lease_id;
    return forwarder.run<DeregisterResponse>(call, async () => {
      const result = expectOk(await node.propose({ op: 'deregisterLease', leaseId }));
      return { revision: result.revision, removed: 'count' in result ? result.count : 0 };
    }, (clients, metadata, options) =>
      callUnary(clients.registry.Deregister.bind(clients.registry), request, metadata, options));
  }
  const key = validateKey({
    namespace: request.namespace,
    service: request.service,
    id: request.id,
  });
  return forwarder.run<DeregisterResponse>(call, async () => {
    const result = expectOk(await node.propose({ op: 'deregister', key }));
    return { revision: result.revision, removed: 1 };
  }, (clients, metadata, options) =>
    callUnary(clients.registry.Deregister.bind(clients.registry), request, metadata, options));
}

/** Answers pre-encoded (the Lookup serializer passes Buffers through), from the cache. */
async function lookup(
  node: RegistryNode, request: LookupRequest__Output, cache: LookupCache,
): Promise<LookupResponse> {
  const query = toLookupQuery(request);
  if (request.consistency !== 'SERIALIZABLE') await node.readBarrier();
  const revision = node.registry.revision;
  const encoded = cache.get(JSON.stringify(query), revision, () => serializeLookup({
    instances: node.registry.lookup(query).map(toInstanceMessage), revision,
  }));
  return encoded as unknown as LookupResponse;
}

async function listServices(
  node: RegistryNode,
  request: ListServicesRequest__Output,
): Promise<ListServicesResponse> {
  const namespace = namespaceOrDefault(request.namespace);
  if (request.consistency !== 'SERIALIZABLE') await node.readBarrier();
  const services = node.registry.listServices(namespace);
  return { services: services.map(toServiceSummaryMessage), revision: node.registry.revision };
}

/** A command that did nothing becomes the error the client should see. */
function expectOk(result: CommandResult): Extract<CommandResult, { ok: true }> {
  if (result.ok) return result;
  const code = result.failure.code === 'not_found' ? 'ROSTER_ERR_NOT_FOUND'
    : 'ROSTER_ERR_RESOURCE_EXHAUSTED';
  throw new RosterError(code, result.failure.detail);
}

function unexpected(result: CommandResult): RosterError {
  return new RosterError('ROSTER_ERR_INTERNAL', `unexpected result for ${result.op}`);
}
