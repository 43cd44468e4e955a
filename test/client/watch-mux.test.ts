import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { WatchMux } from '../../src/client/watch-mux.js';
import { WatchStream, type WatchUpdate } from '../../src/client/watch-stream.js';
import type {
  WatchManyRequest,
} from '../../src/api/generated/types/roster/v1/WatchManyRequest.js';
import type {
  WatchResponse__Output,
} from '../../src/api/generated/types/roster/v1/WatchResponse.js';
import { FakeDuplexCall } from './fake-call.js';
import { ManualRuntime } from './manual-runtime.js';
import { putEvent, watchResponse } from './watch-responses.js';

type Call = FakeDuplexCall<WatchManyRequest, WatchResponse__Output>;

interface Harness {
  readonly mux: WatchMux;
  readonly runtime: ManualRuntime;
  readonly calls: Call[];
  /** The attempt number each call was opened with. */
  readonly attempts: number[];
}

function harness(random: number | number[] = 0.5): Harness {
  const runtime = new ManualRuntime({ random });
  const calls: Call[] = [];
  const attempts: number[] = [];
  const mux = new WatchMux({
    open: (attempt) => {
      const call: Call = new FakeDuplexCall();
      calls.push(call);
      attempts.push(attempt);
      return call.asCall();
    },
    runtime,
  });
  return { mux, runtime, calls, attempts };
}

function addWatch(h: Harness, service: string, startRevision: number):
  { stream: WatchStream; updates: WatchUpdate[] } {
  const updates: WatchUpdate[] = [];
  const stream = new WatchStream({ request: { service }, startRevision,
    onUpdate: (update) => updates.push(update) }, h.mux);
  stream.start();
  return { stream, updates };
}

function current(h: Harness): Call {
  return h.calls.at(-1) as Call;
}

function creates(call: Call): [number, string | undefined, number | undefined][] {
  return call.written.filter((request) => request.create !== undefined).map((request) =>
    [Number(request.watch_id), request.create?.service, Number(request.create?.start_revision)]);
}

function refuse(call: Call, watchId: number, status = grpc.status.RESOURCE_EXHAUSTED): void {
  call.respond(watchResponse({ watch_id: watchId, canceled: true, error_status: status,
    error_code: 'ROSTER_ERR_RESOURCE_EXHAUSTED', error_message: 'watcher limit' }));
}

describe('WatchMux', () => {
  it('carries every watch on one stream, opened with the first', () => {
    const h = harness();
    addWatch(h, 'a', 5);
    addWatch(h, 'b', 9);
    expect(h.calls).toHaveLength(1);
    expect(h.attempts).toEqual([0]);
    expect(creates(current(h))).toEqual([[1, 'a', 5], [2, 'b', 9]]);
  });

  it('routes responses by watch id, and shared ones to every watch named', () => {
    const h = harness();
    const a = addWatch(h, 'a', 0);
    const b = addWatch(h, 'b', 0);
    current(h).respond(watchResponse({ watch_id: 2, events: [putEvent(3)], revision: 3 }));
    current(h).respond(watchResponse({ watch_ids: [1, 2], events: [putEvent(4)], revision: 4 }));
    expect(a.updates.map((update) => update.revision)).toEqual([4]);
    expect(b.updates.map((update) => update.revision)).toEqual([3, 4]);
  });

  it('after its stream fails, resumes each watch from its own last revision', () => {
    const h = harness(0.5);
    const a = addWatch(h, 'a', 5);
    const b = addWatch(h, 'b', 9);
    const first = current(h);
    first.respond(watchResponse({ watch_id: 1, events: [putEvent(7)], revision: 7 }));
    first.respond(watchResponse({ watch_id: 2, events: [putEvent(12)], revision: 12 }));
    first.fail(grpc.status.UNAVAILABLE, 'node went away');
    expect(first.cancelled).toBe(true);
    expect(a.updates.at(-1)).toMatchObject({ kind: 'reconnecting', revision: 7 });
    expect(b.updates.at(-1)).toMatchObject({ kind: 'reconnecting', revision: 12 });
    // Ceiling 100 ms for the first failure, times the draw 0.5.
    expect(h.runtime.pendingDelays()).toEqual([50]);
    h.runtime.advance(49);
    expect(h.calls).toHaveLength(1);
    h.runtime.advance(1);
    expect(h.calls).toHaveLength(2);
    expect(h.attempts).toEqual([0, 1]);
    expect(creates(current(h))).toEqual([[1, 'a', 7], [2, 'b', 12]]);
  });

  it('jitters the reopen delay, so watchers of a restarted cluster spread out', () => {
    const delays = [0.05, 0.6].map((draw) => {
      const h = harness(draw);
      addWatch(h, 'a', 0);
      current(h).end();
      return h.runtime.pendingDelays();
    });
    expect(delays).toEqual([[5], [60]]);
  });

  it('doubles the reopen backoff per consecutive failure, and resets on a response', () => {
    const h = harness(0.999);
    addWatch(h, 'a', 0);
    const delays: number[] = [];
    for (let failure = 0; failure < 6; failure++) {
      current(h).fail(grpc.status.UNAVAILABLE);
      delays.push(h.runtime.pendingDelays()[0] as number);
      h.runtime.advance(delays.at(-1) as number);
    }
    expect(delays).toEqual([99, 199, 399, 799, 1598, 1998]);
    expect(h.attempts).toEqual([0, 1, 2, 3, 4, 5, 6]);
    current(h).respond(watchResponse({ watch_id: 1, progress: true, revision: 1 }));
    current(h).fail(grpc.status.UNAVAILABLE);
    expect(h.runtime.pendingDelays()).toEqual([99]);
    h.runtime.advance(99);
    expect(h.attempts.at(-1)).toBe(1);
  });

  it('re-creates a refused watch after its own backoff, on the same stream', () => {
    const h = harness(0.5);
    const a = addWatch(h, 'a', 5);
    const b = addWatch(h, 'b', 9);
    const call = current(h);
    refuse(call, 1);
    expect(a.updates.at(-1)).toMatchObject({ kind: 'reconnecting', revision: 5 });
    expect(b.updates).toEqual([]);
    expect(h.runtime.pendingDelays()).toEqual([50]);
    h.runtime.advance(49);
    expect(creates(call)).toHaveLength(2);
    h.runtime.advance(1);
    expect(creates(call).at(-1)).toEqual([1, 'a', 5]);
    // Refused again: the ceiling doubles; anything received for it starts over.
    refuse(call, 1);
    expect(h.runtime.pendingDelays()).toEqual([100]);
    h.runtime.advance(100);
    call.respond(watchResponse({ watch_id: 1, caught_up: true, revision: 20 }));
    refuse(call, 1);
    expect(h.runtime.pendingDelays()).toEqual([50]);
    expect(h.calls).toHaveLength(1);
  });

  it('fails a watch refused as invalid, and never re-creates it', () => {
    const h = harness();
    const a = addWatch(h, 'a', 5);
    refuse(current(h), 1, grpc.status.INVALID_ARGUMENT);
    expect(a.updates.map((update) => update.kind)).toEqual(['failed']);
    expect(h.runtime.pendingDelays()).toEqual([]);
    current(h).respond(watchResponse({ watch_id: 1, events: [putEvent(6)], revision: 6 }));
    expect(a.updates).toHaveLength(1);
  });

  it('cancels a removed watch on the stream, and closes the stream with the last', () => {
    const h = harness();
    const a = addWatch(h, 'a', 0);
    const b = addWatch(h, 'b', 0);
    refuse(current(h), 2);
    b.stream.stop();
    expect(current(h).written.at(-1)).toEqual({ watch_id: 2, cancel: true });
    // Its pending re-creation went with it.
    expect(h.runtime.pendingDelays()).toEqual([]);
    a.stream.stop();
    expect(current(h).cancelled).toBe(true);
    addWatch(h, 'c', 3);
    expect(h.calls).toHaveLength(2);
    expect(creates(current(h))).toEqual([[3, 'c', 3]]);
  });

  it('close stops reopening', () => {
    const h = harness();
    addWatch(h, 'a', 0);
    current(h).end();
    h.mux.close();
    h.runtime.advance(10_000);
    expect(h.calls).toHaveLength(1);
  });
});
