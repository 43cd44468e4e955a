/**
 * Every `roster` command and its flags, declared once: parsing (flags.ts), --help (help.ts)
 * and README.md (a test checks that it names every flag) all read these tables. Only tables
 * live here, so `roster <command> --help` loads no client or server code.
 */
import { DEFAULT_SETTINGS } from '../core/settings.js';
import { limits } from '../core/limits.js';
import type { ServeFlag } from '../config/index.js';
import type { FlagSpec, FlagTable } from './flags.js';

export interface CommandSpec {
  /** The words that name it: 'register', 'member add'. */
  readonly path: string;
  /** One line for `roster --help` and the head of its own --help. */
  readonly summary: string;
  /** Its positional arguments, as usage shows them: 'SERVICE', '[SERVICE]', 'FILE'. */
  readonly args?: string;
  readonly flags: FlagTable;
  /** Talks to a cluster: takes the client flags (CLIENT_FLAGS) too. */
  readonly client: boolean;
  readonly section: 'server' | 'client';
  /** Paragraphs printed after the flags. */
  readonly notes?: readonly string[];
}

const UINT32_MAX = 4_294_967_295;
const INT32 = { min: -2_147_483_648, max: 2_147_483_647 };
/** Timers in Node hold at most 2^31-1 ms; a longer one fires at once. */
const TIMER_MS_MAX = 2_147_483_647;

export const OUTPUT_FLAG = {
  kind: 'choice', choices: ['table', 'json'], default: 'table',
  description: 'aligned columns for people, or JSON for programs',
} as const satisfies FlagSpec;

/** Flags every client command takes, besides its own. */
export const CLIENT_FLAGS = {
  endpoints: {
    kind: 'string', value: 'H:P,...', default: 'ROSTER_ENDPOINTS, else 127.0.0.1:7400',
    description: 'client addresses of any of the cluster\'s nodes, comma-separated',
  },
  output: OUTPUT_FLAG,
  'timeout-ms': {
    kind: 'integer', value: 'MS', min: 1, max: TIMER_MS_MAX, default: 5_000,
    description: 'how long one call may take; also how long watch waits to reach a node ' +
      'and leader transfer waits to see the new leader',
  },
  token: {
    kind: 'string', value: 'TOKEN',
    description: 'not implemented yet: refused, so that no call looks authenticated when it ' +
      'is not (or ROSTER_TOKEN)',
  },
  cacert: {
    kind: 'string', value: 'FILE',
    description: 'TLS: the CA that signed the servers\' certificates (or ROSTER_CACERT)',
  },
  cert: {
    kind: 'string', value: 'FILE',
    description: 'TLS: this client\'s certificate, for --client-cert-auth servers (or ROSTER_CERT)',
  },
  key: {
    kind: 'string', value: 'FILE', description: 'TLS: the key of --cert (or ROSTER_KEY)',
  },
} as const satisfies FlagTable;

const NAMESPACE = {
  kind: 'string', value: 'NAME', default: '"default"', description: 'the namespace',
} as const satisfies FlagSpec;
const SERIALIZABLE = {
  kind: 'boolean',
  description: 'read the answering node\'s copy (faster, may lag) instead of a linearizable read',
} as const satisfies FlagSpec;

export const REGISTER = {
  path: 'register', section: 'client', client: true,
  summary: 'register an instance of a service (kept until deregistered, or while its lease ' +
    'lives)',
  flags: {
    service: { kind: 'string', value: 'NAME', required: true, description: 'the service' },
    address: {
      kind: 'string', value: 'HOST', required: true,
      description: 'where the instance listens: an IP literal or a hostname',
    },
    port: { kind: 'integer', value: 'PORT', min: 1, max: 65_535, required: true,
      description: 'its port' },
    id: {
      kind: 'string', value: 'ID', default: 'ADDRESS:PORT', description: 'its id in the service',
    },
    namespace: NAMESPACE,
    'ttl-ms': {
      kind: 'integer', value: 'MS', min: limits.ttlMsMin, max: limits.ttlMsMax,
      description: 'a lease of this TTL: the instance goes away unless kept alive; ' +
        'without it, none',
    },
    keepalive: {
      kind: 'boolean', description: 'stay in the foreground heartbeating the lease (needs ' +
        '--ttl-ms); SIGINT/SIGTERM deregisters',
    },
    tag: { kind: 'string', value: 'TAG', multiple: true, description: 'a tag' },
    meta: { kind: 'string', value: 'KEY=VALUE', multiple: true, description: 'a metadata entry' },
    'named-port': {
      kind: 'string', value: 'NAME=PORT', multiple: true,
      description: 'another port under a name, e.g. grpc=9090',
    },
    protocol: { kind: 'string', value: 'PROTO', description: 'its protocol, e.g. http or grpc' },
    version: { kind: 'string', value: 'VERSION', description: 'its version' },
    environment: { kind: 'string', value: 'ENV', description: 'its environment, e.g. prod' },
    region: { kind: 'string', value: 'REGION', description: 'its region' },
    zone: { kind: 'string', value: 'ZONE', description: 'its zone' },
    weight: {
      kind: 'integer', value: 'W', min: 0, max: UINT32_MAX,
      description: 'its share for weighted balancers, 0 never picked; servers default to 100 ' +
        `and take at most ${limits.weightMax}`,
    },
    priority: {
      kind: 'integer', value: 'P', ...INT32,
      description: 'lower is preferred by failover balancers; servers default to 0',
    },
    capacity: {
      kind: 'integer', value: 'C', min: 0, max: UINT32_MAX,
      description: `how much load it takes; servers take at most ${limits.capacityMax}`,
    },
  },
} as const satisfies CommandSpec;

export const DEREGISTER = {
  path: 'deregister', section: 'client', client: true, summary: 'remove an instance',
  flags: {
    service: { kind: 'string', value: 'NAME', required: true, description: 'its service' },
    id: { kind: 'string', value: 'ID', required: true, description: 'its id' },
    namespace: NAMESPACE,
  },
} as const satisfies CommandSpec;

export const LOOKUP = {
  path: 'lookup', section: 'client', client: true, args: 'SERVICE',
  summary: 'list a service\'s healthy instances',
  flags: {
    namespace: NAMESPACE,
    tag: { kind: 'string', value: 'TAG', multiple: true, description: 'only instances with it' },
    version: { kind: 'string', value: 'VERSION', description: 'only this version' },
    zone: { kind: 'string', value: 'ZONE', description: 'only this zone' },
    region: { kind: 'string', value: 'REGION', description: 'only this region' },
    environment: { kind: 'string', value: 'ENV', description: 'only this environment' },
    all: { kind: 'boolean', description: 'unhealthy and draining instances too' },
    serializable: SERIALIZABLE,
  },
} as const satisfies CommandSpec;

export const WATCH = {
  path: 'watch', section: 'client', client: true, args: '[SERVICE]',
  summary: 'print changes to a service (or to all) as they happen, until Ctrl-C',
  flags: {
    namespace: NAMESPACE,
    'all-namespaces': { kind: 'boolean', description: 'every namespace\'s services' },
    'from-revision': {
      kind: 'integer', value: 'R', min: 0, max: Number.MAX_SAFE_INTEGER, default: 0,
      description: 'start after this revision; 0: from now',
    },
  },
  notes: ['If no node answers within --timeout-ms, watch exits 1. Once it has heard from one, ' +
    'it resumes on another node from its last revision whenever its node fails.'],
} as const satisfies CommandSpec;

export const SERVICES = {
  path: 'services', section: 'client', client: true,
  summary: 'list services with their instance and healthy counts',
  flags: { namespace: NAMESPACE, serializable: SERIALIZABLE },
} as const satisfies CommandSpec;

export const MEMBERS = {
  path: 'members', section: 'client', client: true,
  summary: 'list the cluster\'s members, their roles and addresses', flags: {},
} as const satisfies CommandSpec;

export const MEMBER_ADD = {
  path: 'member add', section: 'client', client: true, args: 'NAME',
  summary: 'reserve a learner\'s place for a node that will join (serve --join)',
  flags: {
    'peer-address': {
      kind: 'string', value: 'H:P', required: true, description: 'where peers reach it',
    },
    'client-address': {
      kind: 'string', value: 'H:P', required: true, description: 'where clients reach it',
    },
    id: {
      kind: 'integer', value: 'ID', min: 1, max: Number.MAX_SAFE_INTEGER,
      description: 'its member id; by default a random one, whose place the joining node takes',
    },
  },
} as const satisfies CommandSpec;

export const MEMBER_REMOVE = {
  path: 'member remove', section: 'client', client: true, args: 'NAME|ID',
  summary: 'remove a member from the cluster', flags: {},
} as const satisfies CommandSpec;

export const MEMBER_PROMOTE = {
  path: 'member promote', section: 'client', client: true, args: 'NAME|ID',
  summary: 'make a caught-up learner a voter', flags: {},
} as const satisfies CommandSpec;

export const LEADER_TRANSFER = {
  path: 'leader transfer', section: 'client', client: true,
  summary: 'hand leadership to another voter, and wait until a node names the new leader',
  flags: {
    to: {
      kind: 'string', value: 'NAME', default: 'the most caught-up voter',
      description: 'the voter to lead',
    },
  },
} as const satisfies CommandSpec;

export const STATUS = {
  path: 'status', section: 'client', client: true,
  summary: 'each endpoint\'s own state: name, id, role, term, commit and applied index, leader',
  flags: {},
} as const satisfies CommandSpec;

export const SNAPSHOT_SAVE = {
  path: 'snapshot save', section: 'client', client: true, args: 'FILE',
  summary: 'write a consistent backup of the registry to FILE (mode 0600)', flags: {},
} as const satisfies CommandSpec;

export const SNAPSHOT_RESTORE = {
  path: 'snapshot restore', section: 'server', client: false, args: 'FILE',
  summary: 'write a new one-member cluster\'s data dir from a backup',
  flags: {
    'data-dir': {
      kind: 'string', value: 'DIR', required: true, description: 'the new data dir (empty)',
    },
    name: { kind: 'string', value: 'NAME', default: 'the hostname',
      description: 'the member\'s name' },
    'initial-cluster': {
      kind: 'string', value: 'NAME=H:P', description: 'this member\'s peer address (as serve ' +
        'takes it; no other member)',
    },
    listen: { kind: 'string', value: 'H:P', description: 'its client address, as serve takes it' },
    'peer-listen': { kind: 'string', value: 'H:P', description: 'its peer address, as serve ' +
      'takes it' },
    output: OUTPUT_FLAG,
  },
  notes: ['Start the restored node with serve, then add the other members with ' +
    '`roster serve --join` on empty data dirs: they catch up from it.'],
} as const satisfies CommandSpec;

export const DEV = {
  path: 'dev', section: 'server', client: false,
  summary: 'run a local cluster of serve processes on loopback (what npm start runs)',
  flags: {
    nodes: { kind: 'choice', choices: ['1', '3', '5'], default: '3', description: 'how many' },
    'data-dir': {
      kind: 'string', value: 'DIR', default: '.roster',
      description: 'where node i keeps its data: DIR/node-i, kept across runs',
    },
    'base-port': {
      kind: 'integer', value: 'PORT', min: 1, max: 65_535, default: 7400,
      description: 'node i listens on PORT+10i (client), +1 (peer), +2 (HTTP)',
    },
    reset: { kind: 'boolean', description: 'delete the nodes\' data first: start a new cluster' },
  },
} as const satisfies CommandSpec;

const settings = DEFAULT_SETTINGS;

/** `roster serve`: parsed and checked by config/ (each flag is also ROSTER_<FLAG_IN_CAPS>). */
export const SERVE_FLAG_TABLE = {
  name: { kind: 'string', value: 'NAME', default: 'the hostname',
    description: 'this member\'s name, a lowercase DNS label' },
  'data-dir': { kind: 'string', value: 'DIR', default: '.roster/NAME',
    description: 'where its log and snapshot live' },
  listen: { kind: 'string', value: 'H:P', default: '127.0.0.1:7400',
    description: 'client gRPC address' },
  'peer-listen': { kind: 'string', value: 'H:P', default: '127.0.0.1:7401',
    description: 'peer (Raft) address' },
  'http-listen': { kind: 'string', value: 'H:P', default: '127.0.0.1:7402',
    description: 'HTTP: /livez, /readyz, /metrics' },
  'dns-listen': { kind: 'string', value: 'H:P',
    description: 'not implemented yet: refused' },
  'advertise-client': { kind: 'string', value: 'H:P', default: '--listen',
    description: 'the client address others are told; a wildcard listen advertises the hostname' },
  'advertise-peer': { kind: 'string', value: 'H:P', default: '--peer-listen',
    description: 'the peer address others are told' },
  'initial-cluster': { kind: 'string', value: 'NAME=H:P[/CP],...',
    description: 'the founding members and their peer addresses (client port: peer port - 1, ' +
      'or /CP)' },
  'initial-cluster-state': { kind: 'string', value: 'new|existing', default: 'new',
    description: 'found a new cluster, or join a running one' },
  join: { kind: 'string', value: 'H:P',
    description: 'join a running cluster through this member\'s client address, as a learner' },
  'heartbeat-interval-ms': { kind: 'string', value: 'MS',
    default: String(settings.raft.heartbeatIntervalMs), description: 'leader heartbeat period' },
  'election-timeout-ms': { kind: 'string', value: 'MS',
    default: String(settings.raft.electionTimeoutMs),
    description: 'silence before a follower campaigns, at least 3 heartbeats' },
  'snapshot-entries': { kind: 'string', value: 'N', default: String(settings.log.snapshotEntries),
    description: 'snapshot after this many entries applied' },
  'snapshot-bytes': { kind: 'string', value: 'B', default: String(settings.log.snapshotBytes),
    description: 'or once the entries applied since the last snapshot hold this many bytes' },
  'compaction-keep-entries': { kind: 'string', value: 'N',
    default: String(settings.log.compactionKeepEntries),
    description: 'entries kept below a snapshot for slightly lagging followers' },
  'compaction-keep-bytes': { kind: 'string', value: 'B',
    default: String(settings.log.compactionKeepBytes),
    description: 'of those, at most this many bytes' },
  'watch-history-events': { kind: 'string', value: 'N',
    default: String(settings.watch.historyEvents),
    description: 'events kept for watches that resume from an older revision' },
  'log-level': { kind: 'string', value: 'LEVEL', default: 'info',
    description: 'fatal, error, warn, info, debug, trace or silent' },
  'peer-service': { kind: 'string', value: 'SERVICE',
    description: 'StatefulSet: peers are NAME-i.SERVICE (with --replicas)' },
  replicas: { kind: 'string', value: 'N', default: '3',
    description: 'StatefulSet: how many peers --peer-service has' },
  'peer-route': { kind: 'string', value: 'NAME=H:P,...',
    description: 'reach these peers at these addresses instead (proxies, NAT)' },
  'peer-cert-file': { kind: 'string', value: 'FILE',
    description: 'peer mutual TLS: this member\'s certificate' },
  'peer-key-file': { kind: 'string', value: 'FILE', description: 'peer mutual TLS: its key' },
  'peer-trusted-ca-file': { kind: 'string', value: 'FILE',
    description: 'peer mutual TLS: the CA peers\' certificates are checked against' },
  'transfer-leadership-on-stop': { kind: 'string', value: 'true|false', default: 'true',
    description: 'whether a leader stopped by SIGTERM/SIGINT first hands leadership over; ' +
      'roster dev turns it off, as its nodes all stop together' },
  'cert-file': { kind: 'string', value: 'FILE',
    description: 'TLS on the client and HTTP ports: the certificate' },
  'key-file': { kind: 'string', value: 'FILE', description: 'TLS: its key' },
  'trusted-ca-file': { kind: 'string', value: 'FILE',
    description: 'TLS: the CA clients\' certificates are checked against' },
  'client-cert-auth': { kind: 'string', value: '[=true|false]', default: 'false',
    description: 'TLS: every client must present a certificate the CA signed' },
  'max-request-bytes': { kind: 'string', value: 'B', default: String(limits.requestBytesMax),
    description: 'largest request message' },
  'quota-bytes': { kind: 'string', value: 'B', default: String(limits.quotaBytes),
    description: 'largest registry state; writes that add to it are refused past it' },
  'max-connections': { kind: 'string', value: 'N', default: String(limits.connectionsMax),
    description: 'client connections open at once' },
  'max-streams-per-connection': { kind: 'string', value: 'N',
    default: String(limits.streamsPerConnectionMax), description: 'concurrent calls on one ' +
      'connection' },
  'connection-idle-ms': { kind: 'string', value: 'MS', default: String(limits.connectionIdleMs),
    description: 'a connection with no call this long is closed' },
  'max-stream-buffer-bytes': { kind: 'string', value: 'B',
    default: String(limits.streamBufferBytesMax),
    description: 'bytes one stream holds for a client that has not read them' },
  'max-buffered-bytes': { kind: 'string', value: 'B', default: String(limits.bufferedBytesMax),
    description: 'the same, over every stream' },
  'stream-stall-ms': { kind: 'string', value: 'MS', default: String(limits.streamStallMs),
    description: 'a stream whose client read nothing this long is cancelled' },
  'max-streams': { kind: 'string', value: 'N', default: String(limits.streamsMax),
    description: 'server streams open on the node' },
  'max-connection-requests-per-second': { kind: 'string', value: 'N',
    default: String(limits.connectionRequestsPerSecond),
    description: 'calls one connection may start per second' },
} as const satisfies Record<ServeFlag, FlagSpec>;

export const SERVE = {
  path: 'serve', section: 'server', client: false,
  summary: 'run a Roster node',
  flags: SERVE_FLAG_TABLE,
  notes: [
    'Each flag is also an environment variable ROSTER_<FLAG_IN_CAPS>, e.g. ROSTER_DATA_DIR; a ' +
    'flag wins over its variable. SIGTERM or SIGINT: stop accepting, hand leadership over ' +
    'when leading, snapshot, exit 0. Ranges and details: README.md, "Running a node".',
  ],
} as const satisfies CommandSpec;

/** Every command, in the order `roster --help` lists them. */
export const COMMAND_SPECS = [
  SERVE, DEV, SNAPSHOT_RESTORE,
  REGISTER, DEREGISTER, LOOKUP, WATCH, SERVICES, MEMBERS, MEMBER_ADD, MEMBER_REMOVE,
  MEMBER_PROMOTE, LEADER_TRANSFER, STATUS, SNAPSHOT_SAVE,
] as const satisfies readonly CommandSpec[];

type FirstWord<Path extends string> = Path extends `${infer Word} ${string}` ? Word : Path;

/**
 * The words `roster` dispatches on ('member' for 'member add'): main.ts's table of commands is
 * keyed by exactly these, so a command without a spec (no --help) does not compile.
 */
export type CommandWord = FirstWord<(typeof COMMAND_SPECS)[number]['path']>;
