/**
 * The synced watchers, indexed by what they follow, so that publishing an event touches only
 * the watchers it matches: one group for all-namespace watchers, one per namespace for
 * whole-namespace watchers, one per (namespace, service). Empty groups are deleted, so the maps
 * are bounded by the number of watchers.
 */
import { assert } from '../core/assert.js';
import type { HistoryEntry } from './history.js';
import type { Watcher } from './watcher.js';

type Group<Encoded> = Set<Watcher<Encoded>>;

interface NamespaceGroups<Encoded> {
  readonly whole: Group<Encoded>;
  readonly services: Map<string, Group<Encoded>>;
}

export class SyncedIndex<Encoded> {
  private readonly all: Group<Encoded> = new Set();
  private readonly namespaces = new Map<string, NamespaceGroups<Encoded>>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  add(watcher: Watcher<Encoded>): void {
    const group = this.groupOf(watcher, true);
    assert(group !== undefined && !group.has(watcher), `watcher ${watcher.id} indexed twice`);
    group.add(watcher);
    this.count += 1;
  }

  remove(watcher: Watcher<Encoded>): void {
    const group = this.groupOf(watcher, false);
    assert(group?.delete(watcher) === true, `watcher ${watcher.id} is not indexed`);
    this.count -= 1;
    this.prune(watcher);
  }

  /**
   * The groups matching a command's events, each with the events it matches (in order).
   * O(events) map lookups; groups nobody watches cost nothing.
   */
  targetsFor(
    entries: readonly HistoryEntry<Encoded>[],
  ): Map<ReadonlySet<Watcher<Encoded>>, readonly HistoryEntry<Encoded>[]> {
    const targets = new Map<ReadonlySet<Watcher<Encoded>>, HistoryEntry<Encoded>[]>();
    if (this.all.size > 0) targets.set(this.all, [...entries]);
    for (const entry of entries) {
      const instance = entry.event.instance;
      const groups = this.namespaces.get(instance.namespace);
      if (groups === undefined) continue;
      if (groups.whole.size > 0) appendTo(targets, groups.whole, entry);
      const service = groups.services.get(instance.service);
      if (service !== undefined) appendTo(targets, service, entry);
    }
    return targets;
  }

  private groupOf(watcher: Watcher<Encoded>, create: boolean): Group<Encoded> | undefined {
    const { namespace, service } = watcher.filter;
    if (namespace === undefined) return this.all;
    let groups = this.namespaces.get(namespace);
    if (groups === undefined) {
      if (!create) return undefined;
      groups = { whole: new Set(), services: new Map() };
      this.namespaces.set(namespace, groups);
    }
    if (service === undefined) return groups.whole;
    let group = groups.services.get(service);
    if (group === undefined && create) {
      group = new Set();
      groups.services.set(service, group);
    }
    return group;
  }

  private prune(watcher: Watcher<Encoded>): void {
    const { namespace, service } = watcher.filter;
    if (namespace === undefined) return;
    const groups = this.namespaces.get(namespace);
    if (groups === undefined) return;
    if (service !== undefined && groups.services.get(service)?.size === 0) {
      groups.services.delete(service);
    }
    if (groups.whole.size === 0 && groups.services.size === 0) this.namespaces.delete(namespace);
  }
}

function appendTo<Encoded>(
  targets: Map<ReadonlySet<Watcher<Encoded>>, HistoryEntry<Encoded>[]>,
  group: ReadonlySet<Watcher<Encoded>>,
  entry: HistoryEntry<Encoded>,
): void {
  const list = targets.get(group);
  if (list === undefined) targets.set(group, [entry]);
  else list.push(entry);
}
