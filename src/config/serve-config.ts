import { RosterError } from '../core/errors.js';
import { DEFAULT_SETTINGS, type NodeSettings } from '../core/settings.js';
import {
  CLIENT_PLANE_FLAGS, parseClientLimits, parseClientTls, type ClientTlsConfig,
} from './client-plane.js';

/** A founding member: its name and how peers and clients reach it. */
export interface MemberSpec {
  readonly name: string;
  readonly peerAddress: string;
  readonly clientAddress: string;
}

export interface ServeConfig {
  readonly name: string;
  readonly dataDir: string;
  readonly listen: string;
  readonly peerListen: string;
  readonly httpListen: string;
  readonly dnsListen: string | undefined;
  /** What others use to reach this node (the listen address unless it is a wildcard). */
  readonly advertiseClient: string;
  readonly advertisePeer: string;
  readonly initialCluster: readonly MemberSpec[];
  readonly initialClusterState: 'new' | 'existing';
  /** A running cluster's client endpoint to join as a learner (then be promoted). */
  readonly join: string | undefined;
  readonly logLevel: string;
  /** Dial these peers (by name) at these addresses instead of their advertised ones. */
  readonly peerRoutes: ReadonlyMap<string, string>;
  /** Mutual TLS between peers (etcd's --peer-cert-file, --peer-key-file, ...); else plaintext. */
  readonly peerTls: TlsFiles | undefined;
  /** TLS on the client and HTTP ports (client-plane.ts); plaintext when undefined. */
  readonly clientTls: ClientTlsConfig | undefined;
  /**
   * On SIGTERM/SIGINT a leader hands leadership to a follower first, so a rolling restart
   * costs no election. Off when the whole cluster stops at once (`roster dev`): every
   * follower is stopping too, so a transfer could only fail or leave a leader without quorum.
   */
  readonly transferLeadershipOnStop: boolean;
  /** Everything that tunes the node, nested by the part of it that uses it. */
  readonly settings: NodeSettings;
}

/** A certificate, its key, and the CA whose certificates are accepted (PEM files). */
export interface TlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
  readonly caFile: string;
}

/** Every flag of `roster serve`; each is also ROSTER_<FLAG_IN_CAPS> (README, Running a node). */
export const SERVE_FLAGS = [
  'name', 'data-dir', 'listen', 'peer-listen', 'http-listen', 'dns-listen', 'advertise-client',
  'advertise-peer', 'initial-cluster', 'initial-cluster-state', 'join', 'heartbeat-interval-ms',
  'election-timeout-ms', 'snapshot-entries', 'compaction-keep-entries', 'snapshot-bytes',
  'compaction-keep-bytes', 'log-level',
  'peer-service', 'replicas', 'peer-route', 'watch-history-events',
  'peer-cert-file', 'peer-key-file', 'peer-trusted-ca-file', 'transfer-leadership-on-stop',
  ...CLIENT_PLANE_FLAGS,
] as const;

export type ServeFlag = (typeof SERVE_FLAGS)[number];

const DNS_LABEL = /^[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const HOST_PORT = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):([0-9]{1,5})$/;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function usage(flag: string, why: string): RosterError {
  return new RosterError('ROSTER_ERR_INVALID_ARGUMENT', `--${flag}: ${why}`, { field: flag });
}

/** Flag value, else ROSTER_<FLAG> from the environment, else undefined. */
export function flagOrEnv(
  flags: Readonly<Record<string, string | undefined>>,
  env: Readonly<Record<string, string | undefined>>,
  flag: string,
): string | undefined {
  const fromFlag = flags[flag];
  if (fromFlag !== undefined) return fromFlag;
  const fromEnv = env[`ROSTER_${flag.toUpperCase().replaceAll('-', '_')}`];
  return fromEnv === '' ? undefined : fromEnv;
}

export function parseHostPort(flag: string, value: string): string {
  const match = HOST_PORT.exec(value);
  const port = Number(match?.[1]);
  if (match === null || port < 1 || port > 65_535) throw usage(flag, `"${value}" is not host:port`);
  return value;
}

function portOf(address: string): number {
  return Number(address.slice(address.lastIndexOf(':') + 1));
}

function hostOf(address: string): string {
  return address.slice(0, address.lastIndexOf(':'));
}

function positiveInteger(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  // Digits only: Number() would also take "1e3", "0x10" and blanks.
  const parsed = /^[0-9]+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(parsed) || parsed < 1) {
    throw usage(flag, `must be a positive integer, got "${value}"`);
  }
  return parsed;
}

/**
 * `name=host:peerPort` (the client port is peerPort - 1, as with the defaults 7400/7401) or
 * `name=host:peerPort/clientPort`, comma-separated.
 */
export function parseInitialCluster(value: string): MemberSpec[] {
  const members: MemberSpec[] = [];
  for (const item of value.split(',').map((part) => part.trim()).filter((part) => part !== '')) {
    const [name, address, extra] = item.split('=');
    if (name === undefined || address === undefined || extra !== undefined ||
      !DNS_LABEL.test(name)) {
      throw usage('initial-cluster',
        `"${item}" is not name=host:peerPort with a lowercase DNS name`);
    }
    const [peer, clientPort] = address.split('/');
    const peerAddress = parseHostPort('initial-cluster', peer ?? '');
    const client = clientPort === undefined ? portOf(peerAddress) - 1 : Number(clientPort);
    if (!Number.isInteger(client) || client < 1 || client > 65_535) {
      throw usage('initial-cluster', `"${item}" has no usable client port`);
    }
    members.push({ name, peerAddress, clientAddress: `${hostOf(peerAddress)}:${client}` });
  }
  if (members.length === 0) throw usage('initial-cluster', 'lists no member');
  if (new Set(members.map((member) => member.name)).size !== members.length) {
    throw usage('initial-cluster', 'names a member twice');
  }
  return members;
}

/** A wildcard listen address is not reachable as such: advertise the hostname instead. */
function advertised(listen: string, hostname: string): string {
  const host = hostOf(listen);
  if (host === '0.0.0.0' || host === '[::]' || host === '::') {
    return `${hostname}:${portOf(listen)}`;
  }
  return listen;
}

/**
 * The StatefulSet default: pod `roster-2` of service `roster` knows its peers are
 * roster-0.roster ... roster-(n-1).roster on the same ports.
 */
function statefulSetCluster(options: {
  name: string; peerService: string; replicas: number; peerPort: number;
}): MemberSpec[] {
  const match = /^(.*)-([0-9]+)$/.exec(options.name);
  if (match === null) {
    throw usage('peer-service', `the name "${options.name}" has no StatefulSet ordinal (-N)`);
  }
  const base = match[1] as string;
  return Array.from({ length: options.replicas }, (_, ordinal) => {
    const host = `${base}-${ordinal}.${options.peerService}`;
    return {
      name: `${base}-${ordinal}`,
      peerAddress: `${host}:${options.peerPort}`,
      clientAddress: `${host}:${options.peerPort - 1}`,
    };
  });
}

/** Validates every flag once and returns a frozen config; throws RosterError on bad input. */
export function parseServeConfig(options: {
  flags: Readonly<Record<string, string | undefined>>;
  env: Readonly<Record<string, string | undefined>>;
  hostname: string;
}): ServeConfig {
  const get = (flag: ServeFlag): string | undefined => flagOrEnv(options.flags, options.env, flag);
  const name = get('name') ?? options.hostname.split('.')[0] ?? 'roster';
  if (!DNS_LABEL.test(name)) throw usage('name', `"${name}" must be a lowercase DNS label`);
  const listen = parseHostPort('listen', get('listen') ?? '127.0.0.1:7400');
  const peerListen = parseHostPort('peer-listen', get('peer-listen') ?? '127.0.0.1:7401');
  const httpListen = parseHostPort('http-listen', get('http-listen') ?? '127.0.0.1:7402');
  const dns = get('dns-listen');
  const advertiseClient = parseHostPort('advertise-client',
    get('advertise-client') ?? advertised(listen, options.hostname));
  const advertisePeer = parseHostPort('advertise-peer',
    get('advertise-peer') ?? advertised(peerListen, options.hostname));
  const defaults = DEFAULT_SETTINGS;
  const heartbeatIntervalMs = positiveInteger('heartbeat-interval-ms',
    get('heartbeat-interval-ms'), defaults.raft.heartbeatIntervalMs);
  const electionTimeoutMs = positiveInteger('election-timeout-ms',
    get('election-timeout-ms'), defaults.raft.electionTimeoutMs);
  if (electionTimeoutMs < heartbeatIntervalMs * 3) {
    throw usage('election-timeout-ms',
      `must be at least 3 heartbeat intervals (${heartbeatIntervalMs * 3} ms)`);
  }
  const state = get('initial-cluster-state') ?? 'new';
  if (state !== 'new' && state !== 'existing') {
    throw usage('initial-cluster-state', 'must be new or existing');
  }
  const logLevel = get('log-level') ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) {
    throw usage('log-level', `must be one of ${LOG_LEVELS.join(', ')}`);
  }
  const initialCluster = initialClusterOf({ get, name, advertisePeer, advertiseClient });
  if (!initialCluster.some((member) => member.name === name) && get('join') === undefined &&
    state === 'new') {
    throw usage('initial-cluster', `does not include this node "${name}"`);
  }
  const join = get('join');
  const transferOnStop = get('transfer-leadership-on-stop') ?? 'true';
  if (transferOnStop !== 'true' && transferOnStop !== 'false') {
    throw usage('transfer-leadership-on-stop', `must be true or false, got "${transferOnStop}"`);
  }
  return Object.freeze({
    name,
    dataDir: get('data-dir') ?? `.roster/${name}`,
    listen, peerListen, httpListen,
    dnsListen: dns === undefined ? undefined : parseHostPort('dns-listen', dns),
    advertiseClient, advertisePeer,
    initialCluster: Object.freeze(initialCluster),
    initialClusterState: state,
    join: join === undefined ? undefined : parseHostPort('join', join),
    logLevel,
    peerRoutes: parsePeerRoutes(get('peer-route')),
    peerTls: tlsFiles('peer-', get('peer-cert-file'), get('peer-key-file'),
      get('peer-trusted-ca-file')),
    clientTls: parseClientTls(get),
    transferLeadershipOnStop: transferOnStop === 'true',
    settings: deepFreeze<NodeSettings>({
      ...defaults,
      raft: { heartbeatIntervalMs, electionTimeoutMs },
      log: {
        snapshotEntries: positiveInteger('snapshot-entries', get('snapshot-entries'),
          defaults.log.snapshotEntries),
        snapshotBytes: positiveInteger('snapshot-bytes', get('snapshot-bytes'),
          defaults.log.snapshotBytes),
        compactionKeepEntries: positiveInteger('compaction-keep-entries',
          get('compaction-keep-entries'), defaults.log.compactionKeepEntries),
        compactionKeepBytes: positiveInteger('compaction-keep-bytes',
          get('compaction-keep-bytes'), defaults.log.compactionKeepBytes),
      },
      watch: {
        ...defaults.watch,
        historyEvents: positiveInteger('watch-history-events', get('watch-history-events'),
          defaults.watch.historyEvents),
      },
      api: { ...defaults.api, limits: parseClientLimits(get) },
    }),
  });
}

/** Freezes an object and every object inside it: settings are read, never changed. */
function deepFreeze<T extends object>(value: T): T {
  for (const inner of Object.values(value)) {
    if (typeof inner === 'object' && inner !== null) deepFreeze(inner as object);
  }
  return Object.freeze(value);
}

/** All three files, or none (plaintext); one or two of them is a mistake worth stopping for. */
function tlsFiles(prefix: string, certFile: string | undefined, keyFile: string | undefined,
  caFile: string | undefined): TlsFiles | undefined {
  if (certFile === undefined && keyFile === undefined && caFile === undefined) return undefined;
  if (certFile === undefined || keyFile === undefined || caFile === undefined) {
    throw usage(`${prefix}cert-file`, `--${prefix}cert-file, --${prefix}key-file and ` +
      `--${prefix}trusted-ca-file go together`);
  }
  return Object.freeze({ certFile, keyFile, caFile });
}

/** `name=host:port,...`: how this node reaches those peers (proxies, NAT, tests). */
export function parsePeerRoutes(value: string | undefined): ReadonlyMap<string, string> {
  const routes = new Map<string, string>();
  if (value === undefined) return routes;
  for (const item of value.split(',').map((part) => part.trim()).filter((part) => part !== '')) {
    const [name, address, extra] = item.split('=');
    if (name === undefined || address === undefined || extra !== undefined ||
      !DNS_LABEL.test(name)) {
      throw usage('peer-route', `"${item}" is not name=host:port`);
    }
    routes.set(name, parseHostPort('peer-route', address));
  }
  return routes;
}

function initialClusterOf(options: {
  get: (flag: ServeFlag) => string | undefined;
  name: string;
  advertisePeer: string;
  advertiseClient: string;
}): MemberSpec[] {
  const explicit = options.get('initial-cluster');
  if (explicit !== undefined) return parseInitialCluster(explicit);
  const peerService = options.get('peer-service');
  if (peerService !== undefined) {
    const replicas = positiveInteger('replicas', options.get('replicas'), 3);
    return statefulSetCluster({
      name: options.name, peerService, replicas, peerPort: portOf(options.advertisePeer),
    });
  }
  // Alone: a single-node cluster of this node.
  return [{
    name: options.name, peerAddress: options.advertisePeer, clientAddress: options.advertiseClient,
  }];
}
