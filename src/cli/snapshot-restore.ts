import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { parseServeConfig } from '../config/index.js';
import { Registry, clusterIdOf } from '../replica/index.js';
import { LevelLog } from '../storage/index.js';
import { decodeSnapshotFile } from './client-commands.js';
import { parseCommand } from './command-args.js';
import { UsageError } from './usage-error.js';
import { print } from './output.js';
import { randomMemberId } from './member-id.js';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * `roster snapshot restore FILE --data-dir D [--name N] [--initial-cluster ...]`: writes a new
 * data dir that starts a NEW one-member cluster from the saved registry (as etcd's snapshot
 * restore). Start it, then add the other members with `roster serve --join` on empty data
 * dirs: they catch up from it. --initial-cluster, if given, names this member's addresses and
 * no other member.
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
  const self = config.initialCluster.find((member) => member.name === config.name);
  if (self === undefined || config.initialCluster.length !== 1) {
    throw new UsageError('a restore starts a one-member cluster: --initial-cluster may name ' +
      'only this member; add the others afterwards with `roster serve --join`');
  }
  const { meta, data } = decodeSnapshotFile(await readFile(file));
  const registry = new Registry();
  registry.restore(data);
  process.umask(0o077);
  const log = await LevelLog.open({ dataDir, name: config.name, newNodeId: randomMemberId });
  const id = log.identity().nodeId;
  registry.setMembers([{ id, ...self }]);
  const index = Math.max(1, meta.index);
  const term = Math.max(1, meta.term);
  try {
    await log.bootstrap({
      metadata: { index, term, confState: { voters: [id], learners: [] } },
      data: registry.snapshot(),
    }, { term, vote: 0, commit: index });
    await log.setClusterId(clusterIdOf([{ name: config.name, id }]));
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
