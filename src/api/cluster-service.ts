import type * as grpc from '@grpc/grpc-js';
import { RosterError } from '../core/errors.js';
import { validateName, type MemberView, type RegistryFacade } from '../replica/api-surface.js';
import { callUnary, type LeaderForwarder } from './forward.js';
import type { ClusterHandlers } from './generated/types/roster/v1/Cluster.js';
import type { Member } from './generated/types/roster/v1/Member.js';
import type { MemberAddRequest__Output } from './generated/types/roster/v1/MemberAddRequest.js';
import type { MemberAddResponse } from './generated/types/roster/v1/MemberAddResponse.js';
import type { MemberListResponse } from './generated/types/roster/v1/MemberListResponse.js';
import type {
  MemberPromoteRequest__Output,
} from './generated/types/roster/v1/MemberPromoteRequest.js';
import type {
  MemberRemoveRequest__Output,
} from './generated/types/roster/v1/MemberRemoveRequest.js';
import type { MemberRemoveResponse } from './generated/types/roster/v1/MemberRemoveResponse.js';
import type { StatusResponse } from './generated/types/roster/v1/StatusResponse.js';
import type {
  TransferLeadershipRequest__Output,
} from './generated/types/roster/v1/TransferLeadershipRequest.js';
import type {
  TransferLeadershipResponse,
} from './generated/types/roster/v1/TransferLeadershipResponse.js';
import { quote } from '../core/text.js';
import { optionalId } from './requests.js';
import { snapshotHandler } from './snapshot-stream.js';
import { unary, type HandlerContext } from './unary.js';

const PEER_ADDRESS = /^[A-Za-z0-9.-]+:[0-9]{1,5}$|^\[[0-9A-Fa-f:.]+\]:[0-9]{1,5}$/;

/** roster.v1.Cluster: membership and leadership changes run on the leader (forwarded). */
export function clusterHandlers(context: HandlerContext): Partial<ClusterHandlers> {
  const { node, forwarder } = context;
  return {
    MemberList: unary(context, async () => {
      await node.read('LINEARIZABLE');
      return memberList(node);
    }),
    MemberAdd: unary(context, (call) => memberAdd(node, forwarder, call)),
    MemberRemove: unary(context, (call) => memberChange(node, forwarder, call, 'remove')),
    MemberPromote: unary(context, (call) => memberChange(node, forwarder, call, 'promote')),
    TransferLeadership: unary(context, (call) => transfer(node, forwarder, call)),
    Status: unary(context, () => Promise.resolve(status(node))),
    Snapshot: snapshotHandler(context),
  };
}

function toMemberMessage(member: MemberView): Member {
  return {
    id: member.id,
    name: member.name,
    peer_address: member.peerAddress,
    client_address: member.clientAddress,
    learner: member.learner,
  };
}

function memberList(node: RegistryFacade): MemberListResponse {
  return { members: node.members().map(toMemberMessage), leader_id: node.leaderId() };
}

type Call<Request> = grpc.ServerUnaryCall<Request, unknown>;

async function memberAdd(
  node: RegistryFacade,
  forwarder: LeaderForwarder,
  call: Call<MemberAddRequest__Output>,
): Promise<MemberAddResponse> {
  const request = call.request;
  const name = validateName('name', request.name, 63);
  for (const [field, value] of [['peer_address', request.peer_address],
    ['client_address', request.client_address]] as const) {
    if (!PEER_ADDRESS.test(value)) {
      throw new RosterError('ROSTER_ERR_INVALID_ARGUMENT',
        `${field} must be host:port, got ${quote(value)}`, { field });
    }
  }
  const id = request.id;
  if (!Number.isSafeInteger(id) || id <= 0) {
    throw new RosterError('ROSTER_ERR_INVALID_ARGUMENT',
      'id must be the new member\'s id (its data dir\'s), a positive integer below 2^53',
      { field: 'id' });
  }
  return forwarder.run<MemberAddResponse>(call, async () => {
    const member = await node.addMember({
      id, name, peerAddress: request.peer_address, clientAddress: request.client_address,
    }, { replace: request.replace });
    return {
      member: toMemberMessage(member), members: node.members().map(toMemberMessage),
      cluster_id: node.clusterId,
    };
  }, (clients, metadata, options) =>
    callUnary(clients.cluster.MemberAdd.bind(clients.cluster), request, metadata, options));
}

async function memberChange(
  node: RegistryFacade,
  forwarder: LeaderForwarder,
  call: Call<MemberRemoveRequest__Output | MemberPromoteRequest__Output>,
  change: 'remove' | 'promote',
): Promise<MemberRemoveResponse> {
  const request = call.request;
  const id = memberIdFromRequest(node, request);
  return forwarder.run<MemberRemoveResponse>(call, async () => {
    if (change === 'remove') await node.removeMember(id);
    else await node.promoteMember(id);
    return { members: node.members().map(toMemberMessage) };
  }, (clients, metadata, options) => change === 'remove'
    ? callUnary(clients.cluster.MemberRemove.bind(clients.cluster), request, metadata, options)
    : callUnary(clients.cluster.MemberPromote.bind(clients.cluster), request, metadata, options));
}

function memberIdFromRequest(node: RegistryFacade, request: { id: number; name: string }): number {
  const id = optionalId('id', request.id);
  if (id !== 0) return id;
  if (request.name === '') {
    throw new RosterError('ROSTER_ERR_INVALID_ARGUMENT', 'id or name is required', { field: 'id' });
  }
  return memberIdOfName(node, 'name', request.name);
}

/** Names are unique among members; a name no member has is NOT_FOUND. */
function memberIdOfName(node: RegistryFacade, field: string, value: string): number {
  const name = validateName(field, value, 63);
  const member = node.memberNamed(name);
  if (member === undefined) {
    throw new RosterError('ROSTER_ERR_NOT_FOUND', `no member is named ${name}`, { field });
  }
  return member.id;
}

async function transfer(
  node: RegistryFacade,
  forwarder: LeaderForwarder,
  call: Call<TransferLeadershipRequest__Output>,
): Promise<TransferLeadershipResponse> {
  const request = call.request;
  const toId = optionalId('to_id', request.to_id);
  const to = toId !== 0 ? toId
    : request.to_name !== '' ? memberIdOfName(node, 'to_name', request.to_name) : undefined;
  return forwarder.run<TransferLeadershipResponse>(call,
    async () => ({ leader_id: await node.transferLeadership(to) }),
    (clients, metadata, options) => callUnary(
      clients.cluster.TransferLeadership.bind(clients.cluster), request, metadata, options));
}

function status(node: RegistryFacade): StatusResponse {
  const status = node.status();
  return {
    id: status.id,
    name: status.name,
    role: status.role,
    term: status.term,
    commit_index: status.commitIndex,
    applied_index: status.appliedIndex,
    leader_id: status.leaderId,
    leader_name: node.leader()?.name ?? '',
    revision: status.revision,
    first_index: status.firstIndex,
    last_index: status.lastIndex,
    snapshot_index: status.snapshotIndex,
    instances: status.instances,
    version: ROSTER_VERSION,
    ready: status.ready,
    leases: status.leases,
    lease_protection: status.leaseProtection,
    leases_deferred: status.leasesDeferred,
    watchers: status.watchers,
    cluster_id: node.clusterId,
  };
}

export const ROSTER_VERSION = '0.1.0';
