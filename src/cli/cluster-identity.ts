/**
 * Before a node on a data dir that belongs to no cluster yet can take part in Raft, it either
 * founds a new cluster with the other founders (src/replica/founding.ts explains why they must
 * first agree on each other's member ids), or joins a running one: with --join, with
 * --initial-cluster-state existing, or because the cluster knows its name under another id
 * (its data dir was lost), in which case it takes that member's place.
 */
import type { Logger } from 'pino';
import { RosterClient } from '../client/index.js';
import { getErrorMessage } from '../core/assert.js';
import { RosterError } from '../core/errors.js';
import { limits } from '../core/limits.js';
import type { ServeConfig } from '../config/index.js';
import {
  decideFounding, decodeFoundingState, encodeFoundingState, isComplete, newFoundingState,
  recordFounder, validateFounderNames, validateId, validateName, validateSpec,
  type FounderId, type FoundingPeer, type FoundingState, type FoundingStep, type Member,
} from '../replica/index.js';
import type { LevelLog } from '../storage/index.js';
import type {
  GrpcTransport, HelloRequest, HelloResponse, PeerMember,
} from '../transport/index.js';
import { sdkTlsOf } from './tls-files.js';

const HELLO_TIMEOUT_MS = 2_000;
const ROUND_INTERVAL_MS = 500;
/** How often a node still waiting says what for. */
const WAIT_LOG_INTERVAL_MS = 5_000;
const JOIN_RETRY_MAX_MS = 5_000;

export interface IdentityContext {
  readonly config: ServeConfig;
  readonly log: LevelLog;
  readonly transport: GrpcTransport;
  readonly logger: Logger;
}

/** How a node with no cluster yet gets one. */
export type Membership =
  | { readonly kind: 'bootstrap'; readonly founders: readonly FounderId[];
    readonly clusterId: number }
  /** The cluster already has this node as a member: start on an empty log. */
  | { readonly kind: 'adopted'; readonly clusterId: number; readonly members: readonly Member[] }
  | { readonly kind: 'joined'; readonly clusterId: number; readonly members: readonly Member[] };

/**
 * Founds or joins, answering peers' Hello meanwhile; resolves once this node knows its
 * cluster (the caller persists it). Rejects, with what to do, when it must not go on.
 */
export async function establishMembership(context: IdentityContext): Promise<Membership> {
  const { config } = context;
  if (config.join !== undefined || config.initialClusterState === 'existing') {
    return join(context, joinEndpoints(config), 'joining the cluster');
  }
  const step = await new Founder(context).run();
  switch (step.kind) {
    case 'bootstrap':
      return step;
    case 'adopt':
      return { kind: 'adopted', clusterId: step.clusterId, members: step.members };
    case 'rejoin':
      context.logger.warn({ formerId: step.formerId, id: context.log.identity().nodeId },
        'the cluster knows this name under another member id: this data dir is new (the ' +
        'old one was lost); rejoining as a new member in its place');
      return join(context, step.members.map((member) => member.clientAddress)
        .filter((address) => address !== ''), 'rejoining in place of the lost member');
    case 'refuse':
    case 'wait':
      throw new RosterError('ROSTER_ERR_CONF_CHANGE_INVALID', step.why);
  }
}

/**
 * A node that joined and crashed before the leader's snapshot reached it has no member on disk
 * to answer: it asks again (adding a member is idempotent) and learns them from the answer.
 */
export async function relearnMembers(context: IdentityContext): Promise<Membership> {
  const membership = await join(context, joinEndpoints(context.config),
    'restarted before the first snapshot; asking for the members again');
  const clusterId = context.log.identity().clusterId;
  if (membership.clusterId !== clusterId) {
    throw new RosterError('ROSTER_ERR_CONF_CHANGE_INVALID', `the cluster at ` +
      `${joinEndpoints(context.config).join(', ')} is ${membership.clusterId}, but data dir ` +
      `${context.config.dataDir} belongs to cluster ${clusterId}`);
  }
  return membership;
}

function joinEndpoints(config: ServeConfig): string[] {
  if (config.join !== undefined) return [config.join];
  return config.initialCluster.filter((member) => member.name !== config.name)
    .map((member) => member.clientAddress);
}

/**
 * The Hello answer of a node that serves a cluster. One that knows no member yet (it joined
 * and awaits its first snapshot) says it is joining: its empty list would read as "removed".
 */
export function foundedAnswer(context: IdentityContext, members: readonly Member[]):
  HelloResponse {
  if (members.length === 0) return joiningAnswer(context);
  const identity = context.log.identity();
  const founding = savedFounding(context.log);
  return {
    name: identity.name, id: identity.nodeId, state: 'founded',
    founders: founding?.founders ?? [], recorded: recordedList(founding),
    spec: founding?.spec ?? '', cluster_id: identity.clusterId,
    members: members.map(toPeerMember),
  };
}

/** The Hello answer of a node that is joining (it knows no cluster yet). */
export function joiningAnswer(context: IdentityContext): HelloResponse {
  const identity = context.log.identity();
  const founding = savedFounding(context.log);
  return {
    name: identity.name, id: identity.nodeId, state: 'joining',
    founders: founding?.founders ?? [], recorded: recordedList(founding),
    spec: founding?.spec ?? '', cluster_id: 0, members: [],
  };
}

/** The founders and their addresses, the same text for the same --initial-cluster. */
function foundersSpec(config: ServeConfig): string {
  return config.initialCluster
    .map((member) => `${member.name}=${member.peerAddress}/${member.clientAddress}`)
    .sort().join(',');
}

function savedFounding(log: LevelLog): FoundingState | undefined {
  const bytes = log.founding();
  return bytes === undefined ? undefined : decodeFoundingState(bytes);
}

function recordedList(state: FoundingState | undefined): HelloResponse['recorded'] {
  return state === undefined ? [] : [...state.recorded].map(([name, id]) => ({ name, id }));
}

function toPeerMember(member: Member): PeerMember {
  return {
    id: member.id, name: member.name, peer_address: member.peerAddress,
    client_address: member.clientAddress,
  };
}

/**
 * One founder's side of the handshake: Hello to every other founder each round, record what
 * they say of themselves (durably, before answering), and decide.
 */
class Founder {
  private state: FoundingState;
  private readonly self: FounderId;
  private readonly peers = new Map<string, FoundingPeer>();
  /** Hello answers and rounds change the state one at a time. */
  private turn: Promise<unknown> = Promise.resolve();
  private lastWaitLogMs = 0;

  constructor(private readonly context: IdentityContext) {
    const identity = context.log.identity();
    this.self = { name: identity.name, id: identity.nodeId };
    const founders = context.config.initialCluster.map((member) => member.name);
    this.state = savedFounding(context.log) ??
      newFoundingState(founders, foundersSpec(context.config), this.self);
    context.transport.answerHello((request) => this.serialized(() => this.answer(request)));
  }

  async run(): Promise<FoundingStep> {
    await this.serialized(() => this.context.log.saveFounding(encodeFoundingState(this.state)));
    for (;;) {
      const routes = this.context.config.peerRoutes;
      const answers = await Promise.all(this.otherFounders().map((member) =>
        this.context.transport.hello(routes.get(member.name) ?? member.peerAddress,
          this.request(), HELLO_TIMEOUT_MS).catch(() => undefined)));
      const step = await this.serialized(async () => {
        for (const answer of answers) if (answer !== undefined) await this.learnAnswer(answer);
        return decideFounding({ self: this.self, state: this.state, peers: this.peers });
      });
      if (step.kind !== 'wait') return step;
      this.logWait(step.why);
      await delay(ROUND_INTERVAL_MS);
    }
  }

  private otherFounders(): ServeConfig['initialCluster'] {
    return this.context.config.initialCluster.filter((member) => member.name !== this.self.name);
  }

  private request(): HelloRequest {
    return { name: this.self.name, id: this.self.id, founders: this.state.founders,
      recorded: recordedList(this.state), spec: this.state.spec };
  }

  private async answer(request: HelloRequest): Promise<HelloResponse> {
    await this.learn({ ...request, state: 'founding', cluster_id: 0, members: [] });
    return { ...this.request(), state: 'founding', cluster_id: 0, members: [] };
  }

  private async learnAnswer(answer: HelloResponse): Promise<void> {
    try {
      await this.learn(answer);
    } catch (error: unknown) {
      if (error instanceof RosterError && error.code !== 'ROSTER_ERR_INVALID_ARGUMENT') {
        throw error;
      }
      this.context.logger.warn({ from: answer.name, err: getErrorMessage(error) },
        'ignoring a malformed Hello answer');
    }
  }

  /** Takes in what a peer said of itself; records its id if it is one of our founders. */
  private async learn(message: HelloResponse): Promise<void> {
    const peer = toFoundingPeer(message);
    this.peers.set(peer.name, peer);
    if (peer.state !== 'founding') return;
    const next = recordFounder(this.state, peer);
    if (next === undefined || next === this.state) return;
    await this.context.log.saveFounding(encodeFoundingState(next));
    this.state = next;
    if (isComplete(next)) {
      this.context.logger.info({ founders: Object.fromEntries(next.recorded) },
        'every founder\'s member id is known');
    }
  }

  private serialized<Value>(task: () => Promise<Value>): Promise<Value> {
    const result = this.turn.then(task);
    this.turn = result.catch(() => undefined);
    return result;
  }

  private logWait(why: string): void {
    const nowMs = Date.now();
    if (nowMs - this.lastWaitLogMs < WAIT_LOG_INTERVAL_MS) return;
    this.lastWaitLogMs = nowMs;
    this.context.logger.info({ id: this.self.id }, `founding a new cluster: ${why}`);
  }
}

/** Validates what a peer sent (it crossed a socket) into the founding module's terms. */
function toFoundingPeer(message: HelloResponse): FoundingPeer {
  const state = message.state;
  if (state !== 'founding' && state !== 'founded' && state !== 'joining') {
    throw new RosterError('ROSTER_ERR_INVALID_ARGUMENT', 'unknown Hello state');
  }
  const founders = validateFounderNames(message.founders);
  const spec = validateSpec(message.spec);
  const recorded = new Map<string, number>();
  for (const item of message.recorded.slice(0, founders.length)) {
    recorded.set(memberName(item.name), validateId(item.id));
  }
  if (message.members.length > limits.clusterMembersMax) {
    throw new RosterError('ROSTER_ERR_INVALID_ARGUMENT', 'too many members');
  }
  return {
    name: memberName(message.name), id: validateId(message.id), state, founders, spec, recorded,
    clusterId: message.cluster_id,
    members: message.members.map((member) => ({
      id: validateId(member.id), name: memberName(member.name),
      peerAddress: address(member.peer_address), clientAddress: address(member.client_address),
    })),
  };
}

function memberName(value: string): string {
  return validateName('name', value, limits.serviceNameCharsMax);
}

function address(value: string): string {
  if (value.length > limits.addressCharsMax + 6) {
    throw new RosterError('ROSTER_ERR_INVALID_ARGUMENT', 'address too long');
  }
  return value;
}

/**
 * Asks the cluster (any of `endpoints`; the request reaches the leader) to add this node as a
 * learner under its member id, in place of a member of the same name whose data dir was lost.
 * Retries until the cluster answers: it may have no leader yet.
 */
async function join(context: IdentityContext, endpoints: readonly string[], what: string):
  Promise<Membership> {
  const { config, log, logger } = context;
  const identity = log.identity();
  context.transport.answerHello(() => Promise.resolve(joiningAnswer(context)));
  if (endpoints.length === 0) {
    throw new RosterError('ROSTER_ERR_CONF_CHANGE_INVALID', 'no endpoint of the cluster to ' +
      'join: give --join host:port or the members in --initial-cluster');
  }
  const client = new RosterClient({ endpoints: [...endpoints], attempts: 3,
    tls: config.clientTls && sdkTlsOf(config.clientTls) });
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        const added = await client.memberAdd({
          name: config.name, id: identity.nodeId, peer_address: config.advertisePeer,
          client_address: config.advertiseClient, replace: true,
        });
        logger.info({ endpoints, clusterId: added.cluster_id }, `${what}: added as a learner`);
        return {
          kind: 'joined', clusterId: added.cluster_id,
          members: added.members.map((member) => ({
            id: member.id, name: member.name, peerAddress: member.peer_address,
            clientAddress: member.client_address,
          })),
        };
      } catch (error: unknown) {
        if (attempt % 10 === 0) {
          logger.warn({ endpoints, err: getErrorMessage(error) }, `${what}: not yet; retrying`);
        }
        await delay(Math.min(JOIN_RETRY_MAX_MS, 250 * 2 ** Math.min(attempt, 5)) *
          (0.5 + Math.random() / 2));
      }
    }
  } finally {
    client.close();
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
