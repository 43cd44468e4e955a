import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { ApiServer, watchEventEncoder } from '../api/index.js';
import { RosterClient } from '../client/index.js';
import { getErrorMessage } from '../core/assert.js';
import { Prng } from '../core/prng.js';
import type { ServeConfig } from '../config/index.js';
import type { NodeId, Snapshot } from '../raft/index.js';
import {
  DEFAULT_LEASE_SETTINGS, Registry, RegistryNode, memberIdOf, type Scheduler,
} from '../replica/index.js';
import { LevelLog } from '../storage/index.js';
import { GrpcTransport } from '../transport/index.js';
import { createHttpServer } from './http-server.js';
import { createLogger } from './logger.js';
import { TlsFiles, sdkTlsOf } from './tls-files.js';
import { startHeapPolicy } from './heap-policy.js';
import { startIdleCompaction } from './idle-compaction.js';
import { monotonicClock, realScheduler } from './scheduler.js';

/** The bootstrap snapshot of a new cluster: index 1, term 1, the founders as voters. */
export function bootstrapSnapshot(config: ServeConfig): Snapshot {
  const members = config.initialCluster.map((member) => ({
    id: memberIdOf(member.name), ...member,
  }));
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
  readonly node: RegistryNode;
  readonly transport: GrpcTransport;
  readonly api: ApiServer;
  readonly http: Server;
}

/**
 * `roster serve`: recover the log before anything else (no vote, no answer before it),
 * bootstrap a new cluster's founders, start peers, the API and HTTP probes, then tick.
 * SIGTERM/SIGINT: stop accepting, hand leadership over, flush, exit 0.
 */
export async function runServe(config: ServeConfig): Promise<void> {
  const logger = createLogger({ name: config.name, level: config.logLevel });
  const scheduler = realScheduler();
  const id = memberIdOf(config.name);
  const log = await LevelLog.open({ dataDir: config.dataDir, nodeId: id });
  const recovered = log.recover();
  if (recovered.fresh && config.join === undefined && config.initialClusterState === 'new') {
    await log.bootstrap(bootstrapSnapshot(config), { term: 1, vote: 0, commit: 1 });
    logger.info({ members: config.initialCluster.map((member) => member.name) },
      'bootstrapped a new cluster');
  }
  const transport = new GrpcTransport({
    id,
    listen: config.peerListen,
    onMessage: (message) => node?.receive(message),
    onSnapshotReport: (to, succeeded) => node?.reportSnapshot(to, succeeded),
    onUnreachable: (to) => node?.reportUnreachable(to),
    onConnectionLost: (to) => node?.reportConnectionLost(to),
    logger: logger.child({ module: 'transport' }),
  });
  const node = createNode({
    config, logger, scheduler, log, transport, shutdownOnFatal: () => process.exit(1),
  });
  for (const member of config.initialCluster) {
    if (member.name !== config.name) transport.setPeer(memberIdOf(member.name), member.peerAddress);
  }
  applyPeerRoutes(config, transport);
  const peerAddress = await transport.start();
  const tls = config.clientTls && new TlsFiles(config.clientTls, logger.child({ module: 'tls' }));
  const api = new ApiServer({
    node, logger: logger.child({ module: 'api' }), scheduler, forwardTimeoutMs: 5_000,
    healthIntervalMs: 250, limits: config.clientLimits, tls,
    leaderCredentials: tls?.leaderCredentials,
  });
  const clientAddress = await api.start(config.listen);
  const http = await startHttp(config.httpListen, node, tls);
  node.start();
  startHeapPolicy(scheduler, logger.child({ module: 'heap' }));
  startIdleCompaction(scheduler, logger.child({ module: 'heap' }));
  logger.info({ id, clientAddress, peerAddress, http: config.httpListen, dataDir: config.dataDir },
    'serving');
  const running: Running = { config, logger, scheduler, log, node, transport, api, http };
  if (config.join !== undefined && recovered.fresh) void joinCluster(running, config.join);
  handleSignals(running);
}

function createNode(options: {
  config: ServeConfig;
  logger: Logger;
  scheduler: Scheduler;
  log: LevelLog;
  transport: GrpcTransport;
  shutdownOnFatal: () => void;
}): RegistryNode {
  const { config, logger } = options;
  const electionTicks = Math.max(3,
    Math.round(config.electionTimeoutMs / config.heartbeatIntervalMs));
  const ticksPerSecond = Math.max(1, Math.round(1000 / config.heartbeatIntervalMs));
  return new RegistryNode({
    name: config.name,
    raft: {
      prng: new Prng(Math.floor(Math.random() * 0x20_0000_0000_0000)),
      electionTicks,
      heartbeatTicks: 1,
    },
    tickMs: config.heartbeatIntervalMs,
    clock: monotonicClock(),
    leases: DEFAULT_LEASE_SETTINGS,
    encodeEvent: watchEventEncoder(),
    watchSyncIntervalMs: 100,
    watchHistoryEvents: config.watchHistoryEvents,
    storage: options.log.recover().storage,
    persister: options.log,
    transport: options.transport,
    scheduler: options.scheduler,
    snapshotEntries: config.snapshotEntries,
    compactionKeepEntries: config.compactionKeepEntries,
    snapshotBytes: config.snapshotBytes,
    compactionKeepBytes: config.compactionKeepBytes,
    proposalTimeoutTicks: 10 * ticksPerSecond,
    readTimeoutTicks: 5 * ticksPerSecond,
    logger: logger.child({ module: 'raft' }),
    onPeer: (peer: NodeId, address: string) =>
      options.transport.setPeer(peer, routeOf(config, peer) ?? address),
    onPeerRemoved: (peer: NodeId) => options.transport.removePeer(peer),
    onFatal: (error: Error) => {
      logger.fatal({ err: error }, 'storage failed: stopping');
      options.shutdownOnFatal();
    },
  });
}

/** --peer-route: a peer reached through another address than the one it advertises. */
function routeOf(config: ServeConfig, peer: NodeId): string | undefined {
  for (const [name, address] of config.peerRoutes) if (memberIdOf(name) === peer) return address;
  return undefined;
}

function applyPeerRoutes(config: ServeConfig, transport: GrpcTransport): void {
  for (const [name, address] of config.peerRoutes) {
    if (name !== config.name) transport.setPeer(memberIdOf(name), address);
  }
}

/** /livez (the process answers) and /readyz (leader known, caught up since start). */
function startHttp(listen: string, node: RegistryNode, tls: TlsFiles | undefined):
  Promise<Server> {
  const server = createHttpServer(tls, (request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (path === '/livez') {
      response.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    } else if (path === '/readyz') {
      const ready = node.status().ready;
      response.writeHead(ready ? 200 : 503, { 'content-type': 'text/plain' })
        .end(ready ? 'ready\n' : 'not ready\n');
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
 * --join: ask the cluster to add this node as a learner, wait until it has caught up, then ask
 * for promotion (the leader refuses while it lags; retry).
 */
async function joinCluster(running: Running, endpoint: string): Promise<void> {
  const { config, logger, node } = running;
  const client = new RosterClient({ endpoints: [endpoint], attempts: 20,
    tls: running.config.clientTls && sdkTlsOf(running.config.clientTls) });
  try {
    const added = await client.memberAdd({
      name: config.name, peer_address: config.advertisePeer, client_address: config.advertiseClient,
    });
    // Our log is empty until the leader's snapshot arrives: learn the members' addresses now,
    // or we could not answer the leader's first probes.
    for (const member of added.members) {
      if (member.name !== config.name && member.peer_address !== '') {
        running.transport.setPeer(member.id, routeOf(config, member.id) ?? member.peer_address);
      }
    }
    logger.info({ endpoint }, 'joined as a learner; catching up');
    for (let attempt = 0; attempt < 600; attempt++) {
      await delay(500);
      const status = node.status();
      if (!status.ready || status.role !== 'learner') continue;
      try {
        await client.memberPromote({ name: config.name });
        logger.info({}, 'promoted to voter');
        return;
      } catch (error: unknown) {
        logger.debug({ err: getErrorMessage(error) }, 'promotion refused; retrying');
      }
    }
    logger.error({}, 'gave up waiting for promotion');
  } catch (error: unknown) {
    logger.error({ err: getErrorMessage(error), endpoint }, 'could not join the cluster');
  } finally {
    client.close();
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
  const { node, api, transport, log, http, config } = running;
  const apiStopped = api.stop(2_000);
  http.close();
  if (node.isLeader()) {
    try {
      const to = await node.transferLeadership(undefined, config.electionTimeoutMs * 2);
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
    await node.snapshotNow();
    running.logger.info({ ms: Date.now() - snapshotStartMs }, 'snapshot taken for the restart');
  } catch (error: unknown) {
    running.logger.warn({ err: getErrorMessage(error) }, 'snapshot at shutdown failed');
  }
  node.stop();
  await transport.stop();
  const closeStartMs = Date.now();
  await log.close();
  running.logger.info({ ms: Date.now() - closeStartMs }, 'raft log closed');
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
