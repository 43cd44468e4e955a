import type { DiscoverFilters } from '../discovered.js';
import type { GrpcUri } from './experimental.js';

/**
 * What a `roster:///<service>?<query>` target asks for.
 *
 * `zone` is the caller's own zone: the balancer prefers instances there and fails over to
 * other zones, so it is deliberately not a discovery filter (a hard zone filter would leave a
 * caller with nothing to call when its zone empties). Every other key is a hard filter,
 * passed to discovery as it is: `tag` (repeatable; every tag must be on the instance),
 * `namespace`, `version`, `region`, `environment`. `port` names an entry of each instance's
 * `ports` map to dial instead of its main port.
 */
export interface RosterTarget {
  readonly service: string;
  readonly filters: DiscoverFilters;
  readonly localZone?: string;
  readonly portName?: string;
}

type SingleKey = 'zone' | 'namespace' | 'version' | 'region' | 'environment' | 'port';

const SINGLE_KEYS: ReadonlySet<string> = new Set<SingleKey>(
  ['zone', 'namespace', 'version', 'region', 'environment', 'port']);

/** Throws on anything it cannot honour, so a typo fails the channel, not every call. */
export function parseTarget(target: GrpcUri): RosterTarget {
  if (target.authority !== undefined && target.authority !== '') {
    throw new Error(`roster target ${target.path}: no authority is supported ` +
      '(write roster:///<service>)');
  }
  const queryAt = target.path.indexOf('?');
  const service = decodeService(queryAt < 0 ? target.path : target.path.slice(0, queryAt));
  const query = parseQuery(service, queryAt < 0 ? '' : target.path.slice(queryAt + 1));
  return toTarget(service, query);
}

function decodeService(raw: string): string {
  let service: string;
  try {
    service = decodeURIComponent(raw);
  } catch {
    throw new Error(`roster target: the service name ${raw} is not valid percent-encoding`);
  }
  if (service === '' || service.includes('/')) {
    throw new Error(`roster target: expected roster:///<service>, got service "${service}"`);
  }
  return service;
}

interface Query {
  readonly single: ReadonlyMap<SingleKey, string>;
  readonly tags: readonly string[];
}

function parseQuery(service: string, raw: string): Query {
  const single = new Map<SingleKey, string>();
  const tags: string[] = [];
  for (const [key, value] of new URLSearchParams(raw)) {
    if (value === '') throw new Error(`roster target ${service}: ${key} is empty`);
    if (key === 'tag') {
      tags.push(value);
    } else if (isSingleKey(key)) {
      if (single.has(key)) throw new Error(`roster target ${service}: ${key} given twice`);
      single.set(key, value);
    } else {
      throw new Error(`roster target ${service}: unknown query key ${key} (known: tag, ` +
        `${[...SINGLE_KEYS].join(', ')})`);
    }
  }
  return { single, tags };
}

function isSingleKey(key: string): key is SingleKey {
  return SINGLE_KEYS.has(key);
}

function toTarget(service: string, { single, tags }: Query): RosterTarget {
  const filters: { -readonly [K in keyof DiscoverFilters]: DiscoverFilters[K] } = {};
  if (tags.length > 0) filters.tags = tags;
  for (const key of ['namespace', 'version', 'region', 'environment'] as const) {
    const value = single.get(key);
    if (value !== undefined) filters[key] = value;
  }
  const localZone = single.get('zone');
  const portName = single.get('port');
  return {
    service, filters,
    ...(localZone === undefined ? {} : { localZone }),
    ...(portName === undefined ? {} : { portName }),
  };
}
