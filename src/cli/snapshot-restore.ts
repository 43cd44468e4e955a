import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { getErrorMessage } from '../core/assert.js';
import { parseServeConfig } from '../config/index.js';
import { Registry, clusterIdOf } from '../replica/index.js';
import { LevelLog } from '../storage/index.js';
import { decodeSnapshotFile } from './client-commands.js';
import { SNAPSHOT_RESTORE } from './command-specs.js';
import { parseFlags } from './flags.js';
import { usageLine } from './help.js';
import { UsageError } from './usage-error.js';
import { print, type OutputFormat } from './output.js';
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
  const { flags, positionals } = parseFlags(args, SNAPSHOT_RESTORE.flags, SNAPSHOT_RESTORE.path);
  const [file] = positionals;
  const dataDir = flags.string('data-dir') as string;
  if (file === undefined || positionals.length > 1) {
    throw new UsageError(`usage: ${usageLine(SNAPSHOT_RESTORE)}`);
  }
  if (existsSync(dataDir) && readdirSync(dataDir).length > 0) {
    throw new UsageError(`--data-dir ${dataDir} is not empty: restore into a new directory`);
  }
  let config;
  try {
    config = parseServeConfig({
      flags: {
        name: flags.string('name'), 'initial-cluster': flags.string('initial-cluster'),
        listen: flags.string('listen'), 'peer-listen': flags.string('peer-listen'),
      },
      env, hostname: hostname(),
    });
  } catch (error: unknown) {
    throw new UsageError(getErrorMessage(error));
  }
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
  print(flags.choice('output') as OutputFormat, summary, () =>
    console.log(`restored ${registry.size} instances (revision ${registry.revision}) ` +
      `into ${dataDir} for ${config.name}`));
}
