import { readFile, rename, stat, writeFile } from 'node:fs/promises';
import type { DiscoveredInstance } from './discovered.js';

/** What a view writes to its file: enough to serve the last known set after a restart. */
export interface CachedView {
  readonly namespace: string;
  readonly service: string;
  readonly revision: number;
  /** When the set was last known current (ms since the epoch). */
  readonly currentAtMs: number;
  readonly instances: readonly DiscoveredInstance[];
}

const FORMAT = 1;
/** A cache bigger than this is not ours (or is broken): it is ignored, never read whole. */
const CACHE_FILE_BYTES_MAX = 64 * 1024 * 1024;

/** Replaces the file whole (write aside, then rename), so a crash leaves the old or the new. */
export async function saveCachedView(path: string, view: CachedView): Promise<void> {
  const aside = `${path}.${process.pid}.tmp`;
  await writeFile(aside, JSON.stringify({ format: FORMAT, ...view }), { mode: 0o600 });
  await rename(aside, path);
}

/**
 * The cached set of this service, or undefined when there is none usable: a missing, foreign,
 * oversized or damaged file is a cold start, not an error.
 */
export async function loadCachedView(path: string, namespace: string,
  service: string): Promise<CachedView | undefined> {
  try {
    if ((await stat(path)).size > CACHE_FILE_BYTES_MAX) return undefined;
    const parsed: unknown = JSON.parse(await readFile(path, 'utf8'));
    return isCachedView(parsed) && parsed.namespace === namespace && parsed.service === service
      ? parsed
      : undefined;
  } catch {
    return undefined;
  }
}

function isCachedView(value: unknown): value is CachedView & { format: number } {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return record.format === FORMAT && typeof record.namespace === 'string'
    && typeof record.service === 'string' && Number.isSafeInteger(record.revision)
    && Number.isFinite(record.currentAtMs) && Array.isArray(record.instances)
    && record.instances.every(isInstanceLike);
}

/** Enough of an instance for a balancer to use it without throwing. */
function isInstanceLike(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return typeof record.id === 'string' && typeof record.address === 'string'
    && typeof record.port === 'number' && Array.isArray(record.tags)
    && typeof record.zone === 'string';
}
