import type { RosterClient } from '../client/index.js';
import type { StatusResponse__Output } from '../api/generated/types/roster/v1/StatusResponse.js';
import { writePrivateFile } from './private-file.js';
import { CommandError, describeError } from './client-errors.js';
import {
  namedPorts, pairs, parseClientCommand, positionalArgs, withClient, type GlobalOptions,
} from './command-args.js';
import {
  DEREGISTER, LEADER_TRANSFER, LOOKUP, MEMBERS, MEMBER_ADD, MEMBER_PROMOTE, MEMBER_REMOVE,
  REGISTER, SERVICES, SNAPSHOT_SAVE, STATUS,
} from './command-specs.js';
import { groupFor, groupHelp, usageLine } from './help.js';
import { parseInteger } from './flags.js';
import { UsageError } from './usage-error.js';
import { randomMemberId } from './member-id.js';
import { print, printTable } from './output.js';
import { keepRegistered } from './stream-commands.js';

type Env = Readonly<Record<string, string | undefined>>;

export async function registerCommand(args: readonly string[], env: Env): Promise<void> {
  const { flags, positionals, global } = parseClientCommand(args, REGISTER, env);
  positionalArgs(positionals, 0, usageLine(REGISTER));
  const service = flags.string('service') as string;
  const ttlMs = flags.integer('ttl-ms');
  if (flags.boolean('keepalive') && ttlMs === undefined) {
    throw new UsageError('--keepalive needs --ttl-ms (the lease to keep alive)');
  }
  const weight = flags.integer('weight');
  const request = {
    instance: {
      namespace: flags.string('namespace'), service, address: flags.string('address'),
      port: flags.integer('port'), id: flags.string('id'), tags: flags.list('tag'),
      metadata: pairs('meta', flags.list('meta')), ports: namedPorts(flags.list('named-port')),
      version: flags.string('version'), zone: flags.string('zone'),
      region: flags.string('region'), environment: flags.string('environment'),
      protocol: flags.string('protocol'), ...(weight === undefined ? {} : { weight }),
      priority: flags.integer('priority'), capacity: flags.integer('capacity'),
    },
    ...(ttlMs === undefined ? {} : { ttl_ms: ttlMs }),
  };
  await withClient(global, async (client) => {
    if (flags.boolean('keepalive') && ttlMs !== undefined) {
      await keepRegistered(client, request, ttlMs);
      return;
    }
    const response = await client.registerOnce(request);
    print(global.output, response, () => {
      const lease = response.lease_id === 0 ? '' : ` with lease ${response.lease_id}`;
      console.log(`registered ${service}/${response.instance_id}${lease} ` +
        `at revision ${response.revision}`);
    });
  });
}

export async function deregisterCommand(args: readonly string[], env: Env): Promise<void> {
  const { flags, positionals, global } = parseClientCommand(args, DEREGISTER, env);
  positionalArgs(positionals, 0, usageLine(DEREGISTER));
  const service = flags.string('service') as string;
  const id = flags.string('id') as string;
  await withClient(global, async (client) => {
    const response = await client.deregister({ namespace: flags.string('namespace'), service, id });
    print(global.output, response, () =>
      console.log(`deregistered ${service}/${id} at revision ${response.revision}`));
  });
}

export async function lookupCommand(args: readonly string[], env: Env): Promise<void> {
  const { flags, positionals, global } = parseClientCommand(args, LOOKUP, env);
  const [service] = positionalArgs(positionals, 1, usageLine(LOOKUP)) as [string];
  await withClient(global, async (client) => {
    const response = await client.lookup({
      namespace: flags.string('namespace'), service, tags: flags.list('tag'),
      zone: flags.string('zone'), region: flags.string('region'),
      version: flags.string('version'), environment: flags.string('environment'),
      include_unhealthy: flags.boolean('all'),
      consistency: flags.boolean('serializable') ? 'SERIALIZABLE' : 'LINEARIZABLE',
    });
    print(global.output, response, () => {
      printTable(response.instances.map((instance) => ({
        id: instance.id, address: `${instance.address}:${instance.port}`, zone: instance.zone,
        version: instance.version, weight: instance.weight, health: instance.health,
        status: instance.status, tags: instance.tags,
      })), ['id', 'address', 'zone', 'version', 'weight', 'health', 'status', 'tags']);
      console.log(`revision ${response.revision}`);
    });
  });
}

export async function servicesCommand(args: readonly string[], env: Env): Promise<void> {
  const { flags, positionals, global } = parseClientCommand(args, SERVICES, env);
  positionalArgs(positionals, 0, usageLine(SERVICES));
  await withClient(global, async (client) => {
    const response = await client.listServices({
      namespace: flags.string('namespace'),
      consistency: flags.boolean('serializable') ? 'SERIALIZABLE' : 'LINEARIZABLE',
    });
    print(global.output, response, () => {
      printTable(response.services.map((service) => ({ ...service })),
        ['name', 'instances', 'healthy']);
      console.log(`revision ${response.revision}`);
    });
  });
}

export async function membersCommand(args: readonly string[], env: Env): Promise<void> {
  const { positionals, global } = parseClientCommand(args, MEMBERS, env);
  positionalArgs(positionals, 0, usageLine(MEMBERS));
  await withClient(global, async (client) => {
    const response = await client.memberList();
    print(global.output, response, () => printTable(response.members.map((member) => ({
      name: member.name, id: member.id, role: member.id === response.leader_id ? 'leader'
        : member.learner ? 'learner' : 'voter',
      peer: member.peer_address, client: member.client_address,
    })), ['name', 'id', 'role', 'peer', 'client']));
  });
}

/** `roster member add|remove|promote ...`. */
export async function memberCommand(args: readonly string[], env: Env): Promise<void> {
  const [action, ...rest] = args;
  if (action === 'add') return memberAdd(rest, env);
  if (action === 'remove' || action === 'promote') return memberChange(action, rest, env);
  throw new UsageError(`${action === undefined ? 'no action'
    : `unknown action "${action}"`}\n\n${groupHelp('member', groupFor('member'))}`);
}

async function memberAdd(args: readonly string[], env: Env): Promise<void> {
  const { flags, positionals, global } = parseClientCommand(args, MEMBER_ADD, env);
  const [name] = positionalArgs(positionals, 1, usageLine(MEMBER_ADD)) as [string];
  // A node started with --join adds itself under its data dir's id; without --id this
  // reserves the name, and that node takes the place when it joins.
  const id = flags.integer('id') ?? randomMemberId();
  await withClient(global, async (client) => {
    const response = await client.memberAdd({
      name, id, peer_address: flags.string('peer-address'),
      client_address: flags.string('client-address'),
    });
    print(global.output, response, () =>
      console.log(`added ${name} as a learner (id ${response.member?.id})`));
  });
}

async function memberChange(action: 'remove' | 'promote', args: readonly string[], env: Env):
  Promise<void> {
  const spec = action === 'remove' ? MEMBER_REMOVE : MEMBER_PROMOTE;
  const { positionals, global } = parseClientCommand(args, spec, env);
  const [target] = positionalArgs(positionals, 1, usageLine(spec)) as [string];
  const byNameOrId = /^[0-9]+$/.test(target)
    ? { id: parseInteger('ID', target, { min: 1, max: Number.MAX_SAFE_INTEGER }) }
    : { name: target };
  await withClient(global, async (client) => {
    const response = action === 'remove' ? await client.memberRemove(byNameOrId)
      : await client.memberPromote(byNameOrId);
    print(global.output, response, () =>
      console.log(`${action === 'remove' ? 'removed' : 'promoted'} ${target}`));
  });
}

/** Between looks at the endpoints' status while waiting for a new leader to be named. */
const LEADER_POLL_MS = 100;

/**
 * `roster leader transfer [--to NAME]`: the node that led answers once it no longer leads,
 * often before it has heard who does (it answers 0). So the command then asks the endpoints
 * until one names a leader other than the old one, within --timeout-ms.
 */
export async function leaderCommand(args: readonly string[], env: Env): Promise<void> {
  const [action, ...rest] = args;
  if (action !== 'transfer') {
    throw new UsageError(`${action === undefined ? 'no action' : `unknown action "${action}"`}` +
      `\n\n${groupHelp('leader', groupFor('leader'))}`);
  }
  const { flags, positionals, global } = parseClientCommand(rest, LEADER_TRANSFER, env);
  positionalArgs(positionals, 0, usageLine(LEADER_TRANSFER));
  await withClient(global, async (client) => {
    const before = await client.memberList();
    const response = await client.transferLeadership({ to_name: flags.string('to') });
    const accepts = (id: number): boolean => id !== 0 &&
      (response.leader_id !== 0 ? id === response.leader_id : id !== before.leader_id);
    const seen = await waitForLeader(client, global, accepts);
    const name = seen.leader_name !== '' ? seen.leader_name
      : before.members.find((member) => member.id === seen.leader_id)?.name ?? '';
    const result = { leader_id: seen.leader_id, leader_name: name, term: seen.term };
    print(global.output, result, () =>
      console.log(`leader is now ${name === '' ? `node ${seen.leader_id}` : name} ` +
        `(id ${seen.leader_id}, term ${seen.term})`));
  });
}

/** Polls every endpoint's status until one names a leader `accepts`; the highest term wins. */
async function waitForLeader(
  client: RosterClient,
  global: GlobalOptions,
  accepts: (leaderId: number) => boolean,
): Promise<StatusResponse__Output> {
  // A poll takes up to a call's deadline when an endpoint does not answer: the clock bounds
  // the wait, the count bounds the loop.
  const deadline = Date.now() + global.timeoutMs;
  const polls = Math.max(1, Math.ceil(global.timeoutMs / LEADER_POLL_MS));
  for (let poll = 0; poll < polls && Date.now() < deadline; poll++) {
    const statuses = await Promise.all(global.endpoints.map((endpoint) =>
      client.status(endpoint).catch(() => undefined)));
    const named = statuses.filter((status): status is StatusResponse__Output =>
      status !== undefined && accepts(status.leader_id));
    const newest = named.sort((a, b) => b.term - a.term)[0];
    if (newest !== undefined) return newest;
    await new Promise((resolve) => setTimeout(resolve, LEADER_POLL_MS));
  }
  throw new CommandError('leadership was handed over, but no endpoint named the new leader ' +
    `within ${global.timeoutMs} ms; \`roster status\` shows who leads now`);
}

/** Every endpoint answers for itself; one that does not is shown as unreachable. */
export async function statusCommand(args: readonly string[], env: Env): Promise<void> {
  const { positionals, global } = parseClientCommand(args, STATUS, env);
  positionalArgs(positionals, 0, usageLine(STATUS));
  await withClient(global, async (client) => {
    const rows = await Promise.all(global.endpoints.map(async (endpoint) => {
      try {
        return { endpoint, ...await client.status(endpoint) };
      } catch (error: unknown) {
        const why = describeError(error, { endpoints: [endpoint], timeoutMs: global.timeoutMs });
        return { endpoint, name: '?', role: 'unreachable', error: why };
      }
    }));
    print(global.output, rows, () => {
      printTable(rows.map((row) => ({
        endpoint: row.endpoint, name: row.name, id: 'id' in row ? row.id : '', role: row.role,
        term: 'term' in row ? row.term : '', commit: 'commit_index' in row ? row.commit_index : '',
        applied: 'applied_index' in row ? row.applied_index : '',
        leader: 'leader_name' in row ? row.leader_name : '',
        ready: 'ready' in row ? row.ready : '',
      })), ['endpoint', 'name', 'id', 'role', 'term', 'commit', 'applied', 'leader', 'ready']);
      for (const row of rows) if ('error' in row) console.error(`${row.endpoint}: ${row.error}`);
    });
    if (rows.every((row) => row.role === 'unreachable')) process.exitCode = 1;
  });
}

export async function snapshotSave(args: readonly string[], env: Env): Promise<void> {
  const { positionals, global } = parseClientCommand(args, SNAPSHOT_SAVE, env);
  const [file] = positionalArgs(positionals, 1, usageLine(SNAPSHOT_SAVE)) as [string];
  await withClient(global, async (client) => {
    const { meta, data } = await receiveSnapshot(client);
    await writePrivateFile(file, encodeSnapshotFile(meta, data));
    print(global.output, { file, ...meta, bytes: data.byteLength }, () =>
      console.log(`saved snapshot at index ${meta.index} (revision ${meta.revision}, ` +
        `${data.byteLength} bytes) to ${file}`));
  });
}

async function receiveSnapshot(client: RosterClient): Promise<{
  meta: { index: number; term: number; revision: number }; data: Buffer;
}> {
  const parts: Uint8Array[] = [];
  let header: { index: number; term: number; revision: number } | undefined;
  let totalBytes = 0;
  for await (const chunk of client.snapshot()) {
    header ??= chunk;
    // The last chunk gives the size (servers that sent it first also sent it only once).
    if (chunk.total_bytes !== 0) totalBytes = chunk.total_bytes;
    parts.push(chunk.data);
  }
  if (header === undefined) throw new CommandError('the server sent no snapshot');
  const data = Buffer.concat(parts);
  if (data.byteLength !== totalBytes) {
    throw new CommandError(`snapshot truncated: ${data.byteLength} of ${totalBytes} bytes`);
  }
  return { meta: { index: header.index, term: header.term, revision: header.revision }, data };
}

const SNAPSHOT_MAGIC = 'ROSTERSNAP1\n';

/** A snapshot file: a magic line, a JSON header line, then the registry's snapshot bytes. */
export function encodeSnapshotFile(
  meta: { index: number; term: number; revision: number },
  data: Uint8Array,
): Buffer {
  return Buffer.concat([
    Buffer.from(SNAPSHOT_MAGIC), Buffer.from(`${JSON.stringify(meta)}\n`), data,
  ]);
}

export function decodeSnapshotFile(
  bytes: Buffer,
): { meta: { index: number; term: number; revision: number }; data: Uint8Array } {
  if (!bytes.subarray(0, SNAPSHOT_MAGIC.length).equals(Buffer.from(SNAPSHOT_MAGIC))) {
    throw new UsageError('not a Roster snapshot file (bad magic)');
  }
  const headerEnd = bytes.indexOf(10, SNAPSHOT_MAGIC.length);
  if (headerEnd < 0) throw new UsageError('snapshot file has no header');
  const meta = JSON.parse(bytes.subarray(SNAPSHOT_MAGIC.length, headerEnd).toString('utf8')) as {
    index: number; term: number; revision: number;
  };
  return { meta, data: bytes.subarray(headerEnd + 1) };
}
