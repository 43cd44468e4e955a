import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { parseServeConfig } from '../config/index.js';
import { Registry, memberIdOf } from '../replica/index.js';
import { LevelLog } from '../storage/index.js';
import { decodeSnapshotFile } from './client-commands.js';
import { UsageError, parseCommand } from './command-args.js';
import { print } from './output.js';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * `roster snapshot restore FILE --data-dir D [--name N] [--initial-cluster ...]`: writes a new
 * data dir that starts a NEW cluster from the saved registry (as etcd's snapshot restore). Run
 * it for every member with the same file and --initial-cluster: they all bootstrap the same
 * first snapshot. The saved membership is replaced by --initial-cluster.
 */
export async function snapshotRestore(args: readonly string[], env: Env): Promise<void> {
  const { values, positionals, global } = parseCommand(args, {
    'data-dir': { type: 'string' }, name: { type: 'string' }, 'initial-cluster': { type: 'string' },
    'listen': { type: 'string' }, 'peer-listen': { type: 'string' },
  }, env);
  const file = positionals[0];
  const dataDir = values['data-dir'];
  if (file === undefined || typeof dataDir !== 'string') {
    throw new UsageError('usage: roster snapshot restore FILE --data-dir DIR [--name N] ' +
      '[--initial-cluster ...]');
  }
  if (existsSync(dataDir) && readdirSync(dataDir).length > 0) {
    throw new UsageError(`--data-dir ${dataDir} is not empty: restore into a new directory`);
  }
  const config = parseServeConfig({
    flags: {
      name: values.name as string | undefined,
      'initial-cluster': values['initial-cluster'] as string | undefined,
      listen: values.listen as string | undefined,
      'peer-listen': values['peer-listen'] as string | undefined,
    },
    env, hostname: hostname(),
  });
  const { meta, data } = decodeSnapshotFile(await readFile(file));
  const registry = new Registry();
  registry.restore(data);
  const members = config.initialCluster.map((member) => ({
    id: memberIdOf(member.name), ...member,
  }));
  registry.setMembers(members);
  const index = Math.max(1, meta.index);
  const term = Math.max(1, meta.term);
  const log = await LevelLog.open({ dataDir, nodeId: memberIdOf(config.name) });
  try {
    await log.bootstrap({
      metadata: {
        index, term,
        confState: {
          voters: members.map((member) => member.id).sort((a, b) => a - b), learners: [],
        },
      },
      data: registry.snapshot(),
    }, { term, vote: 0, commit: index });
  } finally {
    await log.close();
  }
  const summary = {
    dataDir, name: config.name, index, revision: registry.revision, instances: registry.size,
  };
  print(global.output, summary, () =>
    console.log(`restored ${registry.size} instances (revision ${registry.revision}) ` +
      `into ${dataDir} for ${config.name}`));
}
