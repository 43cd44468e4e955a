import { writePrivateFile } from './private-file.js';
import {
  clientFor, integerFlag, pairs, parseCommand, requireString,
} from './command-args.js';
import { UsageError } from './usage-error.js';
import { randomMemberId } from './member-id.js';
import { print, printTable } from './output.js';
import { keepRegistered } from './stream-commands.js';

type Env = Readonly<Record<string, string | undefined>>;

export async function registerCommand(args: readonly string[], env: Env): Promise<void> {
  const { values, global } = parseCommand(args, {
    namespace: { type: 'string' }, service: { type: 'string' }, address: { type: 'string' },
    port: { type: 'string' }, id: { type: 'string' }, 'ttl-ms': { type: 'string' },
    tag: { type: 'string', multiple: true }, meta: { type: 'string', multiple: true },
    version: { type: 'string' }, zone: { type: 'string' }, region: { type: 'string' },
    environment: { type: 'string' }, protocol: { type: 'string' }, weight: { type: 'string' },
    priority: { type: 'string' }, capacity: { type: 'string' },
    'named-port': { type: 'string', multiple: true }, keepalive: { type: 'boolean' },
  }, env);
  const service = requireString(values, 'service');
  const address = requireString(values, 'address');
  const port = integerFlag(values, 'port');
  if (port === undefined) throw new UsageError('--port is required');
  const ttlMs = integerFlag(values, 'ttl-ms');
  if (values.keepalive === true && ttlMs === undefined) {
    throw new UsageError('--keepalive needs --ttl-ms (the lease to keep alive)');
  }
  const namedPorts = Object.fromEntries(
    Object.entries(pairs('named-port', values['named-port'] as string[]))
      .map(([name, value]) => [name, Number(value)]));
  const weight = integerFlag(values, 'weight');
  const client = clientFor(global);
  const request = {
    instance: {
      namespace: values.namespace as string | undefined, service, address, port,
      id: values.id as string | undefined, tags: values.tag as string[] | undefined,
      metadata: pairs('meta', values.meta as string[] | undefined), ports: namedPorts,
      version: values.version as string | undefined, zone: values.zone as string | undefined,
      region: values.region as string | undefined,
      environment: values.environment as string | undefined,
      protocol: values.protocol as string | undefined, ...(weight === undefined ? {} : { weight }),
      priority: integerFlag(values, 'priority'), capacity: integerFlag(values, 'capacity'),
    },
    ...(ttlMs === undefined ? {} : { ttl_ms: ttlMs }),
  };
  try {
    if (values.keepalive === true && ttlMs !== undefined) {
      await keepRegistered(client, request, ttlMs);
      return;
    }
    const response = await client.registerOnce(request);
    print(global.output, response, () => {
      const lease = response.lease_id === 0 ? '' : ` with lease ${response.lease_id}`;
      console.log(`registered ${service}/${response.instance_id}${lease} ` +
        `at revision ${response.revision}`);
    });
  } finally {
    client.close();
  }
}

export async function deregisterCommand(args: readonly string[], env: Env): Promise<void> {
  const { values, global } = parseCommand(args, {
    namespace: { type: 'string' }, service: { type: 'string' }, id: { type: 'string' },
  }, env);
  const service = requireString(values, 'service');
  const id = requireString(values, 'id');
  const client = clientFor(global);
  try {
    const response = await client.deregister({
      namespace: values.namespace as string | undefined, service, id,
    });
    print(global.output, response, () =>
      console.log(`deregistered ${service}/${id} at revision ${response.revision}`));
  } finally {
    client.close();
  }
}

export async function lookupCommand(args: readonly string[], env: Env): Promise<void> {
  const { values, positionals, global } = parseCommand(args, {
    namespace: { type: 'string' }, tag: { type: 'string', multiple: true },
    zone: { type: 'string' }, region: { type: 'string' }, version: { type: 'string' },
    environment: { type: 'string' }, all: { type: 'boolean' }, serializable: { type: 'boolean' },
  }, env);
  const service = positionals[0];
  if (service === undefined || positionals.length > 1) {
    throw new UsageError('usage: roster lookup SERVICE [flags]');
  }
  const client = clientFor(global);
  try {
    const response = await client.lookup({
      namespace: values.namespace as string | undefined, service,
      tags: values.tag as string[] | undefined, zone: values.zone as string | undefined,
      region: values.region as string | undefined, version: values.version as string | undefined,
      environment: values.environment as string | undefined, include_unhealthy: values.all === true,
      consistency: values.serializable === true ? 'SERIALIZABLE' : 'LINEARIZABLE',
    });
    print(global.output, response, () => {
      printTable(response.instances.map((instance) => ({
        id: instance.id, address: `${instance.address}:${instance.port}`, zone: instance.zone,
        version: instance.version, weight: instance.weight, health: instance.health,
        status: instance.status, tags: instance.tags,
      })), ['id', 'address', 'zone', 'version', 'weight', 'health', 'status', 'tags']);
      console.log(`revision ${response.revision}`);
    });
  } finally {
    client.close();
  }
}

export async function servicesCommand(args: readonly string[], env: Env): Promise<void> {
  const { values, global } = parseCommand(args, {
    namespace: { type: 'string' }, serializable: { type: 'boolean' },
  }, env);
  const client = clientFor(global);
  try {
    const response = await client.listServices({
      namespace: values.namespace as string | undefined,
      consistency: values.serializable === true ? 'SERIALIZABLE' : 'LINEARIZABLE',
    });
    print(global.output, response, () => {
      printTable(response.services.map((service) => ({ ...service })),
        ['name', 'instances', 'healthy']);
      console.log(`revision ${response.revision}`);
    });
  } finally {
    client.close();
  }
}

export async function membersCommand(args: readonly string[], env: Env): Promise<void> {
  const { global } = parseCommand(args, {}, env);
  const client = clientFor(global);
  try {
    const response = await client.memberList();
    print(global.output, response, () => printTable(response.members.map((member) => ({
      name: member.name, id: member.id, role: member.id === response.leader_id ? 'leader'
        : member.learner ? 'learner' : 'voter',
      peer: member.peer_address, client: member.client_address,
    })), ['name', 'id', 'role', 'peer', 'client']));
  } finally {
    client.close();
  }
}

export async function memberCommand(args: readonly string[], env: Env): Promise<void> {
  const [action, ...rest] = args;
  const { values, positionals, global } = parseCommand(rest, {
    'peer-address': { type: 'string' }, 'client-address': { type: 'string' },
    id: { type: 'string' },
  }, env);
  const target = positionals[0];
  if (target === undefined || positionals.length > 1) {
    throw new UsageError('usage: roster member add NAME --peer-address H:P ' +
      '--client-address H:P [--id ID] | roster member remove|promote NAME|ID');
  }
  const client = clientFor(global);
  try {
    const byNameOrId = /^[0-9]+$/.test(target) ? { id: Number(target) } : { name: target };
    if (action === 'add') {
      // A node started with --join adds itself under its data dir's id; without --id this
      // reserves the name, and that node takes the place when it joins.
      const id = values.id === undefined ? randomMemberId() : memberIdArgument(values.id);
      const response = await client.memberAdd({
        name: target, id, peer_address: requireString(values, 'peer-address'),
        client_address: requireString(values, 'client-address'),
      });
      print(global.output, response, () =>
        console.log(`added ${target} as a learner (id ${response.member?.id})`));
    } else if (action === 'remove' || action === 'promote') {
      const response = action === 'remove' ? await client.memberRemove(byNameOrId)
        : await client.memberPromote(byNameOrId);
      print(global.output, response, () =>
        console.log(`${action === 'remove' ? 'removed' : 'promoted'} ${target}`));
    } else {
      throw new UsageError(`unknown member action "${String(action)}" (add, remove, promote)`);
    }
  } finally {
    client.close();
  }
}

function memberIdArgument(text: unknown): number {
  const id = Number(text);
  if (!Number.isSafeInteger(id) || id <= 0) {
    throw new UsageError(`--id must be a positive integer below 2^53, got "${String(text)}"`);
  }
  return id;
}

export async function leaderCommand(args: readonly string[], env: Env): Promise<void> {
  const [action, ...rest] = args;
  if (action !== 'transfer') throw new UsageError('usage: roster leader transfer [--to NAME]');
  const { values, global } = parseCommand(rest, { to: { type: 'string' } }, env);
  const client = clientFor(global);
  try {
    const response = await client.transferLeadership({ to_name: values.to as string | undefined });
    print(global.output, response, () => console.log(`leader is now node ${response.leader_id}`));
  } finally {
    client.close();
  }
}

/** Every endpoint answers for itself; one that does not is shown as unreachable. */
export async function statusCommand(args: readonly string[], env: Env): Promise<void> {
  const { global } = parseCommand(args, {}, env);
  const client = clientFor(global);
  try {
    const rows = await Promise.all(global.endpoints.map(async (endpoint) => {
      try {
        const status = await client.status(endpoint);
        return { endpoint, ...status };
      } catch (error: unknown) {
        return {
          endpoint, name: '?', role: 'unreachable',
          error: error instanceof Error ? error.message : String(error),
        };
      }
    }));
    print(global.output, rows, () => printTable(rows.map((row) => ({
      endpoint: row.endpoint, name: row.name, id: 'id' in row ? row.id : '', role: row.role,
      term: 'term' in row ? row.term : '', commit: 'commit_index' in row ? row.commit_index : '',
      applied: 'applied_index' in row ? row.applied_index : '',
      leader: 'leader_name' in row ? row.leader_name : '', ready: 'ready' in row ? row.ready : '',
    })), ['endpoint', 'name', 'id', 'role', 'term', 'commit', 'applied', 'leader', 'ready']));
    if (rows.every((row) => row.role === 'unreachable')) process.exitCode = 1;
  } finally {
    client.close();
  }
}

export async function snapshotSave(args: readonly string[], env: Env): Promise<void> {
  const { positionals, global } = parseCommand(args, {}, env);
  const file = positionals[0];
  if (file === undefined) throw new UsageError('usage: roster snapshot save FILE');
  const client = clientFor(global);
  try {
    const parts: Uint8Array[] = [];
    let header: { index: number; term: number; revision: number } | undefined;
    let totalBytes = 0;
    for await (const chunk of client.snapshot()) {
      header ??= chunk;
      // The last chunk gives the size (servers that sent it first also sent it only once).
      if (chunk.total_bytes !== 0) totalBytes = chunk.total_bytes;
      parts.push(chunk.data);
    }
    if (header === undefined) throw new Error('the server sent no snapshot');
    const data = Buffer.concat(parts);
    if (data.byteLength !== totalBytes) {
      throw new Error(`snapshot truncated: ${data.byteLength} of ${totalBytes} bytes`);
    }
    const meta = { index: header.index, term: header.term, revision: header.revision };
    await writePrivateFile(file, encodeSnapshotFile(meta, data));
    print(global.output, { file, ...meta, bytes: data.byteLength }, () =>
      console.log(`saved snapshot at index ${meta.index} (revision ${meta.revision}, ` +
        `${data.byteLength} bytes) to ${file}`));
  } finally {
    client.close();
  }
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
