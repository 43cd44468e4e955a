import { describe, expect, it } from 'vitest';
import { AssertionError } from '../../src/core/assert.js';
import type { RegistryEvent } from '../../src/registry/index.js';
import { EventHistory, eventsDelivery, type HistoryEntry } from '../../src/watch/history.js';
import { storedInstance } from './helpers.js';

function entry(revision: number, id = `i${revision}`, bytes = 10): HistoryEntry<string> {
  const instance = storedInstance({ namespace: 'default', service: 'web', id },
    { createRevision: revision, modRevision: revision });
  const event: RegistryEvent = { type: 'PUT', reason: 'registered', revision, instance };
  return { event, encoded: `${id}@${revision}`, bytes };
}

function revisions(history: EventHistory<string>): number[] {
  return Array.from({ length: history.length }, (_, index) => history.at(index).event.revision);
}

describe('EventHistory', () => {
  it('finds the first entry after a revision and the end of a revision', () => {
    const history = new EventHistory<string>({ eventsMax: 100, bytesMax: 1000 }, 0);
    history.append([entry(2, 'a'), entry(2, 'b')]);
    history.append([entry(3)]);
    history.append([entry(5, 'c'), entry(5, 'd'), entry(5, 'e')]);
    expect([0, 1, 2, 3, 4, 5, 9].map((revision) => history.firstIndexAfter(revision)))
      .toEqual([0, 0, 2, 3, 3, 6, 6]);
    expect([0, 2, 3, 5].map((index) => history.revisionEnd(index))).toEqual([2, 3, 6, 6]);
    expect(history.lastRevision).toBe(5);
  });

  it('evicts whole revisions by count and moves compactRevision to the last evicted', () => {
    const history = new EventHistory<string>({ eventsMax: 3, bytesMax: 1000 }, 0);
    history.append([entry(1, 'a'), entry(1, 'b')]);
    history.append([entry(2)]);
    expect(history.compactRevision).toBe(0);
    history.append([entry(3)]);
    expect(revisions(history)).toEqual([2, 3]);
    expect(history.compactRevision).toBe(1);
    expect(history.bytes).toBe(20);
  });

  it('evicts by bytes', () => {
    const history = new EventHistory<string>({ eventsMax: 100, bytesMax: 25 }, 0);
    history.append([entry(1, 'a', 10)]);
    history.append([entry(2, 'b', 10)]);
    history.append([entry(3, 'c', 10)]);
    expect(revisions(history)).toEqual([2, 3]);
    expect(history.bytes).toBe(20);
    history.append([entry(4, 'd', 30)]);
    expect(history.length).toBe(0);
    expect(history.compactRevision).toBe(4);
    expect(history.lastRevision).toBe(4);
  });

  it('stays bounded and correct over many appends (front slots are reclaimed)', () => {
    const history = new EventHistory<string>({ eventsMax: 10, bytesMax: 1_000_000 }, 0);
    for (let revision = 1; revision <= 5000; revision += 1) history.append([entry(revision)]);
    expect(revisions(history)).toEqual(Array.from({ length: 10 }, (_, index) => 4991 + index));
    expect(history.compactRevision).toBe(4990);
    expect(history.firstIndexAfter(4995)).toBe(5);
  });

  it('clears to a revision, and refuses to go back or append out of order', () => {
    const history = new EventHistory<string>({ eventsMax: 10, bytesMax: 1000 }, 0);
    history.append([entry(1)]);
    expect(() => history.append([entry(1, 'again')])).toThrow(AssertionError);
    expect(() => history.clear(0)).toThrow(AssertionError);
    history.clear(7);
    expect(history).toMatchObject({ length: 0, bytes: 0, compactRevision: 7, lastRevision: 7 });
  });

  it('builds an events delivery that shares the entries\' encodings', () => {
    const entries = [entry(4, 'a'), entry(4, 'b'), entry(6)];
    const delivery = eventsDelivery(entries);
    expect(delivery).toMatchObject({ kind: 'events', revision: 6, parts: ['a@4', 'b@4', 'i6@6'] });
    expect(delivery.events[1]).toBe(entries[1]?.event);
  });
});
