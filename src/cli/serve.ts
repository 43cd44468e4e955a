import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { ApiServer, Metrics, watchEventEncoder } from '../api/index.js';
import { RosterClient } from '../client/index.js';
import { getErrorMessage } from '../core/assert.js';
import { RosterError } from '../core/errors.js';
import { Prng } from '../core/prng.js';
import type { ServeConfig } from '../config/index.js';
import type { NodeId, Snapshot } from '../raft/index.js';
import {
  Registry, RegistryNode, registryFacade, replicaSettingsOf,
  type FounderId, type Member, type Scheduler,
} from '../replica/index.js';
import { type LevelLog, wipeAdvice } from '../storage/index.js';
import { GrpcTransport } from '../transport/index.js';
import {
  establishMembership, foundedAnswer, relearnMembers, type IdentityContext, type Membership,
} from './cluster-identity.js';
import { createHttpServer } from './http-server.js';
import { createLogger } from './logger.js';
import { TlsFiles, sdkTlsOf } from './tls-files.js';
import { startHeapPolicy } from './heap-policy.js';
import { startIdleCompaction } from './idle-compaction.js';
import { monotonicClock, realScheduler } from './scheduler.js';

/** The first snapshot of a new cluster: index 1, term 1, the founders as voters. */
export function bootstrapSnapshot(config: ServeConfig, founders: readonly FounderId[]): Snapshot {
  const members = founders.map((founder) => {
    const spec = config.initialCluster.find((member) => member.name === founder.name);
    return {
      id: founder.id, name: founder.name,
      peerAddress: spec?.peerAddress ?? '', clientAddress: spec?.clientAddress ?? '',
    };
  });
  const registry = new Registry();
  registry.setMembers(members);
  const voters = members.map((member) => member.id).sort((a, b) => a - b);
  return {
    metadata: { index: 1, term: 1, confState: { voters, learners: [] } },
    data: registry.snapshot(),
  };
}

interface Running {
  readonly config: ServeConfig;
  readonly logger: Logger;
  readonly scheduler: Scheduler;
  readonly log: LevelLog;
  readonly transport: GrpcTransport;
  readonly http: Server;
  node: RegistryNode | undefined;
  api: ApiServer | undefined;
}

/**
 * `roster serve`, given the data dir being opened (open-data-dir.ts): recover the log before
 * anything else (no vote, no answer before it); a data dir in no cluster yet founds one or
 * joins one first (cluster-identity.ts); then peers, the API and HTTP probes, then tick.
 * SIGTERM/SIGINT: stop accepting, hand leadership over, flush, exit 0. A data dir that cannot
 * be trusted is refused with ROSTER_ERR_CORRUPT_DATA.
 */
export async function runServe(config: ServeConfig, opening: Promise<LevelLog>): Promise<void> {
  const logger = createLogger({ name: config.name, level: config.logLevel });
  const scheduler = realScheduler();
  const log = await opening;
  const identity = log.identity();
  // Peers may call in before this node runs Raft (it may have to found or join a cluster
  // first): until then their messages go nowhere.
  let node: RegistryNode | undefined = undefined;
  const transport: GrpcTransport = new GrpcTransport({
    id: identity.nodeId,
    name: config.name,
    advertise: config.advertisePeer,
    clusterId: identity.clusterId,
    listen: config.peerListen,
    onPeerAddress: (id, name, address) => {
      if (!isPeerAddress(name, address)) return;
      logger.info({ peer: id, name, address }, 'learned a peer from its stream');
      setPeerOf(config, transport, { id, name, peerAddress: address, clientAddress: '' });
    },
    onMessage: (message) => node?.receive(message),
    onSnapshotReport: (to, succeeded) => node?.reportSnapshot(to, succeeded),
    onUnreachable: (to) => node?.reportUnreachable(to),
    onConnectionLost: (to) => node?.reportConnectionLost(to),
    onPeerReconnected: (from) => node?.reportPeerReconnected(from),
    logger: logger.child({ module: 'transport' }),
    tls: config.peerTls,
  });
  const peerAddress = await transport.start();
  warnIfPlaintextPeers(config, logger);
  const tls = config.clientTls && new TlsFiles(config.clientTls, logger.child({ module: 'tls' }));
  const http = await startHttp(config.httpListen, () => node?.status().ready ?? false, tls);
  const running: Running = {
    config, logger, scheduler, log, transport, http, node: undefined, api: undefined,
  };
  handleSignals(running);
  const context: IdentityContext = { config, log, transport, logger };
  const membership = identity.clusterId === 0 ? await enterCluster(context)
    : knowsNoMembers(log) ? await relearnMembers(context) : undefined;
  const started = createNode({
    config, logger, scheduler, log, transport,
    shutdownOnFatal: (error) => void stopOnFatal(running, error),
  });
  node = started;
  running.node = started;
  const known = membership !== undefined && 'members' in membership ? membership.members : [];
  for (const member of known) setPeerOf(config, transport, member);
  transport.answerHello(() =>
    Promise.resolve(foundedAnswer(context, started.membership.members())));
  const api = new ApiServer({
    node: registryFacade(started), logger: logger.child({ module: 'api' }), scheduler,
    forwardTimeoutMs: config.settings.requests.forwardTimeoutMs,
    healthIntervalMs: config.settings.api.healthIntervalMs, limits: config.settings.api.limits, tls,
    leaderCredentials: tls?.leaderCredentials,
  });
  running.api = api;
  const clientAddress = await api.start(config.listen);
  started.start();
  startHeapPolicy(scheduler, logger.child({ module: 'heap' }));
  startIdleCompaction(scheduler, logger.child({ module: 'heap' }));
  logger.info({ id: started.id, clusterId: started.clusterId, clientAddress, peerAddress,
    http: config.httpListen, dataDir: config.dataDir }, 'serving');
  void promoteWhenCaughtUp(running, started);
}

/**
 * Without peer TLS anyone who reaches the peer port can claim to be a member: fine on
 * loopback (roster dev, tests), not on a network.
 */
function warnIfPlaintextPeers(config: ServeConfig, logger: Logger): void {
  if (config.peerTls !== undefined) return;
  const host = config.peerListen.slice(0, config.peerListen.lastIndexOf(':'));
  if (host === '127.0.0.1' || host === 'localhost' || host === '[::1]') return;
  logger.warn({ peerListen: config.peerListen }, 'PEERS ARE NOT AUTHENTICATED: the peer port ' +
    'serves plaintext on a non-loopback address, so any host that reaches it can act as a ' +
    'member. Give --peer-cert-file, --peer-key-file and --peer-trusted-ca-file');
}

/** Before the first snapshot a joined node's disk names no member (the leader sends one first). */
function knowsNoMembers(log: LevelLog): boolean {
  return log.recover().storage.snapshot().metadata.index === 0;
}

/**
 * A data dir in no cluster: found one or join one, then record the cluster (and, for a
 * founder, the first snapshot) durably before Raft starts.
 */
async function enterCluster(context: IdentityContext): Promise<Membership> {
  const { config, log, transport, logger } = context;
  const membership = await establishMembership(context);
  if (membership.kind === 'bootstrap') {
    await log.bootstrap(bootstrapSnapshot(config, membership.founders),
      { term: 1, vote: 0, commit: 1 });
    logger.info({ clusterId: membership.clusterId,
      founders: membership.founders.map((founder) => founder.name) },
    'bootstrapped a new cluster');
  }
  await log.setClusterId(membership.clusterId);
  transport.setClusterId(membership.clusterId);
  return membership;
}

function createNode(options: {
  config: ServeConfig;
  logger: Logger;
  scheduler: Scheduler;
  log: LevelLog;
  transport: GrpcTransport;
  shutdownOnFatal: (error: Error) => void;
}): RegistryNode {
  const { config, logger } = options;
  const identity = options.log.identity();
  return new RegistryNode({
    name: config.name,
    id: identity.nodeId,
    clusterId: identity.clusterId,
    settings: replicaSettingsOf(config.settings),
    raft: { prng: new Prng(Math.floor(Math.random() * 0x20_0000_0000_0000)) },
    clock: monotonicClock(),
    encodeEvent: watchEventEncoder(),
    storage: options.log.recover().storage,
    persister: options.log,
    transport: options.transport,
    scheduler: options.scheduler,
    logger: logger.child({ module: 'raft' }),
    onPeer: (member: Member) => setPeerOf(config, options.transport, member),
    onPeerRemoved: (peer: NodeId) => options.transport.removePeer(peer),
    onFatal: (error: Error) => options.shutdownOnFatal(error),
  });
}

const DNS_LABEL = /^[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const HOST_PORT = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]{1,253}):[0-9]{1,5}$/;

/** What a peer said of itself crossed a socket: a member name and a host:port, or nothing. */
function isPeerAddress(name: string, address: string): boolean {
  return DNS_LABEL.test(name) && HOST_PORT.test(address);
}

/** A member's peer address, or the --peer-route for its name (proxies, NAT, tests). */
function setPeerOf(config: ServeConfig, transport: GrpcTransport, member: Member): void {
  if (member.name === config.name) return;
  const address = config.peerRoutes.get(member.name) ?? member.peerAddress;
  if (address !== '') transport.setPeer(member.id, address);
}

/**
 * The node cannot go on (storage failed, or a committed entry cannot be applied). Storage that
 * lost writes it had synced is marked, so that every later start refuses the data dir before
 * it can vote with what is left.
 */
async function stopOnFatal(running: Running, error: Error): Promise<void> {
  const { logger, log, config } = running;
  const lostWrites = error instanceof RosterError && error.code === 'ROSTER_ERR_CORRUPT_DATA';
  if (lostWrites) {
    logger.fatal({ err: error.message, dataDir: config.dataDir, code: error.code },
      `this node's log lost writes it had synced; ${wipeAdvice(config.dataDir)}`);
    await log.markDamaged(error.message).catch((markError: unknown) => {
      logger.error({ err: getErrorMessage(markError) }, 'could not mark the data dir damaged');
    });
  } else {
    logger.fatal({ err: error, dataDir: config.dataDir }, `stopping: ${error.message}`);
  }
  process.exit(1);
}

/**
 * /livez (the process answers), /readyz (leader known, caught up since start) and /metrics
 * (Prometheus text).
 */
function startHttp(listen: string, ready: () => boolean, tls: TlsFiles | undefined):
  Promise<Server> {
  const metrics = new Metrics();
  const server = createHttpServer(tls, (request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (path === '/metrics') {
      metrics.render().then((text) => {
        response.writeHead(200, { 'content-type': metrics.contentType }).end(text);
      }, (error: unknown) => {
        response.writeHead(500, { 'content-type': 'text/plain' })
          .end(`metrics failed: ${getErrorMessage(error)}\n`);
      });
    } else if (path === '/livez') {
      response.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    } else if (path === '/readyz') {
      const isReady = ready();
      response.writeHead(isReady ? 200 : 503, { 'content-type': 'text/plain' })
        .end(isReady ? 'ready\n' : 'not ready\n');
    } else {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    }
  });
  const port = Number(listen.slice(listen.lastIndexOf(':') + 1));
  const host = listen.slice(0, listen.lastIndexOf(':'));
  return new Promise((resolve, reject) => {
    server.once('error',
      (error) => reject(new Error(`cannot listen on ${listen}: ${error.message}`)));
    server.listen(port, host, () => resolve(server));
  });
}

/**
 * A learner (it joined, or took a lost member's place) asks to be promoted once it has caught
 * up; the leader refuses while it lags, so it retries. A voter has nothing to do.
 */
async function promoteWhenCaughtUp(running: Running, node: RegistryNode): Promise<void> {
  const { config, logger } = running;
  const endpoints = (): string[] => {
    const known = node.membership.members().filter((member) => member.id !== node.id)
      .map((member) => member.clientAddress).filter((address) => address !== '');
    return config.join === undefined ? known : [config.join, ...known];
  };
  while (!node.isStopped) {
    await delay(config.settings.membership.promoteRetryMs);
    const self = node.membership.members().find((member) => member.id === node.id);
    if (self !== undefined && !self.learner) return;
    // Not a member in its own log yet (the leader's snapshot has not come), or behind.
    if (self === undefined || !node.status().ready) continue;
    const client = new RosterClient({ endpoints: endpoints(), attempts: 3,
      tls: config.clientTls && sdkTlsOf(config.clientTls) });
    try {
      await client.memberPromote({ id: node.id });
      logger.info({}, 'promoted to voter');
      return;
    } catch (error: unknown) {
      logger.debug({ err: getErrorMessage(error) }, 'promotion refused; retrying');
    } finally {
      client.close();
    }
  }
}

function handleSignals(running: Running): void {
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    running.logger.info({ signal }, 'shutting down');
    shutdown(running).then(() => process.exit(0), (error: unknown) => {
      running.logger.error({ err: getErrorMessage(error) }, 'shutdown failed');
      process.exit(1);
    });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

/**
 * Stop accepting, hand leadership over, snapshot, stop Raft, flush the log, close everything.
 */
async function shutdown(running: Running): Promise<void> {
  const { node, api, transport, log, http } = running;
  http.close();
  if (node !== undefined && api !== undefined) await stopServing(running, node, api);
  await transport.stop();
  const closeStartMs = Date.now();
  await log.close();
  running.logger.info({ ms: Date.now() - closeStartMs }, 'raft log closed');
}

async function stopServing(running: Running, node: RegistryNode, api: ApiServer): Promise<void> {
  const { config } = running;
  const apiStopped = api.stop(config.settings.api.drainMs);
  const facade = registryFacade(node);
  if (config.transferLeadershipOnStop && node.isLeader()) {
    try {
      const to = await facade.transferLeadership(undefined,
        config.settings.raft.electionTimeoutMs * 2);
      running.logger.info({ to }, 'handed leadership over');
    } catch (error: unknown) {
      running.logger.warn({ err: getErrorMessage(error) }, 'leadership transfer failed');
    }
  }
  await apiStopped;
  // Restarting from a snapshot of everything applied replays no log: a rolling restart of a
  // large registry is back in service sooner. A crash still recovers from snapshot + log.
  const snapshotStartMs = Date.now();
  try {
    await facade.snapshotNow();
    running.logger.info({ ms: Date.now() - snapshotStartMs }, 'snapshot taken for the restart');
  } catch (error: unknown) {
    running.logger.warn({ err: getErrorMessage(error) }, 'snapshot at shutdown failed');
  }
  node.stop();
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
