import type { ServeConfig } from '../config/index.js';
import { LevelLog } from '../storage/index.js';
import { randomMemberId } from './member-id.js';

/**
 * Opens the data dir's log (recovering it) as the first thing `roster serve` does, before the
 * server's modules load: LevelDB opens and reads the snapshot on its own threads meanwhile,
 * which a restart would otherwise wait for after loading them.
 */
export function openDataDir(config: ServeConfig): Promise<LevelLog> {
  // Data dir files are the registry and the cluster's identity: the owner's alone.
  process.umask(0o077);
  return LevelLog.open({ dataDir: config.dataDir, name: config.name, newNodeId: randomMemberId });
}
