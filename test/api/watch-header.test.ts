import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadApiProtos } from '../../src/wire/index.js';
import type {
  WatchResponse__Output,
} from '../../src/api/generated/types/roster/v1/WatchResponse.js';
import { encodeWatchResponse } from '../../src/api/watch-header.js';
import { watchEventEncoder } from '../../src/api/watch-service.js';
import type { RegistryEvent } from '../../src/registry/index.js';
import { storedInstance } from '../watch/helpers.js';

/** The hand-written header must decode, with the events before it, as protobufjs reads it. */
describe('encodeWatchResponse', () => {
  const decode = loadApiProtos().registry.roster.v1.Registry.service.Watch
    .responseDeserialize as (bytes: Buffer) => WatchResponse__Output;
  const encodeEvent = watchEventEncoder();
  const event = (id: string, revision: number): RegistryEvent => ({
    type: 'PUT', reason: 'registered', revision,
    instance: storedInstance({ namespace: 'default', service: 'web', id },
      { createRevision: revision, modRevision: revision }),
  });
  const safeId = fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER });

  it('round-trips kind, revision, watch id(s) and events', () => {
    fc.assert(fc.property(
      fc.constantFrom('events', 'snapshot', 'caughtUp', 'progress') as fc.Arbitrary<
        'events' | 'snapshot' | 'caughtUp' | 'progress'>,
      fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
      fc.oneof(fc.constant(0), safeId),
      fc.array(safeId, { maxLength: 40 }),
      fc.array(fc.integer({ min: 1, max: 1_000_000 }), { maxLength: 5 }),
      (kind, revision, watchId, watchIds, eventRevisions) => {
        const parts = eventRevisions.map((r, i) => encodeEvent(event(`i${i}`, r)));
        const decoded = decode(encodeWatchResponse(parts, {
          kind, revision, watchId, ...(watchIds.length > 0 ? { watchIds } : {}),
        }));
        expect(decoded.snapshot).toBe(kind === 'snapshot');
        expect(decoded.caught_up).toBe(kind === 'caughtUp');
        expect(decoded.progress).toBe(kind === 'progress');
        expect(decoded.revision).toBe(revision);
        expect(decoded.watch_id).toBe(watchId);
        expect(decoded.watch_ids).toEqual(watchIds);
        expect(decoded.events.map((e) => [e.revision, e.instance?.id])).toEqual(
          eventRevisions.map((r, i) => [r, `i${i}`]));
      }), { numRuns: 300 });
  });

  it('is exactly as long as its fields (no slack bytes the decoder would read)', () => {
    const bytes = encodeWatchResponse([], { kind: 'events', revision: 300, watchId: 0 });
    // revision tag + 2-byte varint; no flags.
    expect([...bytes]).toEqual([0x28, 0xac, 0x02]);
    const marker = encodeWatchResponse([], { kind: 'caughtUp', revision: 1, watchId: 5 });
    expect([...marker]).toEqual([0x18, 1, 0x28, 1, 0x30, 5]);
  });
});
