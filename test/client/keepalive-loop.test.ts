import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { KeepAliveLoop, type KeepAliveLoopOptions } from '../../src/client/keepalive-loop.js';
import type { KeepAliveRequest } from '../../src/api/generated/types/roster/v1/KeepAliveRequest.js';
import type {
  KeepAliveResponse__Output,
} from '../../src/api/generated/types/roster/v1/KeepAliveResponse.js';
import { FakeDuplexCall } from './fake-call.js';
import { ManualRuntime } from './manual-runtime.js';

type Call = FakeDuplexCall<KeepAliveRequest, KeepAliveResponse__Output>;

const INTERVAL_MS = 1_000;

interface Harness {
  readonly loop: KeepAliveLoop;
  readonly runtime: ManualRuntime;
  readonly calls: Call[];
  readonly streamErrors: Error[];
  readonly renewed: [number, number][];
  readonly lost: number[];
  leaseIds: number[];
}

let harness: Harness | undefined;

afterEach(() => {
  harness?.loop.stop();
  harness = undefined;
});

function start(random: number | number[] = 0.5,
  extra: Partial<KeepAliveLoopOptions> = {}): Harness {
  const runtime = new ManualRuntime({ random });
  const calls: Call[] = [];
  const h: Omit<Harness, 'loop'> = { runtime, calls, streamErrors: [], renewed: [], lost: [],
    leaseIds: [7, 9] };
  const loop = new KeepAliveLoop({
    open: () => {
      const call: Call = new FakeDuplexCall();
      calls.push(call);
      return call.asCall();
    },
    onStreamError: (error) => h.streamErrors.push(error),
    requests: () => (h.leaseIds.length === 0 ? [] : [{ lease_ids: h.leaseIds }]),
    intervalMs: () => INTERVAL_MS,
    onLeaseLost: (id) => h.lost.push(id),
    onRenewed: (id, remainingMs) => h.renewed.push([id, remainingMs]),
    runtime,
    ...extra,
  });
  harness = Object.assign(h, { loop });
  loop.start();
  return harness;
}

function current(h: Harness): Call {
  return h.calls.at(-1) as Call;
}

function leases(...states: [number, boolean][]): KeepAliveResponse__Output {
  return {
    revision: 1,
    leases: states.map(([id, found]) => ({ lease_id: id, found, remaining_ms: found ? 900 : 0 })),
  };
}

describe('KeepAliveLoop', () => {
  it('beats at once and then every interval, on the runtime timers', () => {
    const h = start();
    expect(h.calls).toHaveLength(1);
    expect(current(h).written).toEqual([{ lease_ids: [7, 9] }]);
    h.runtime.advance(INTERVAL_MS - 1);
    expect(current(h).written).toHaveLength(1);
    h.runtime.advance(1);
    h.runtime.advance(INTERVAL_MS);
    expect(current(h).written).toHaveLength(3);
  });

  it('writes every message of a round, and nothing while it holds no lease', () => {
    let holding = true;
    const h = start(0.5, { requests: () => (holding ? [
      { lease_ids: [7] }, { lease_ids: [9], status: 'DRAINING', load: { cpu: 3 } }] : []) });
    expect(current(h).written).toEqual([
      { lease_ids: [7] }, { lease_ids: [9], status: 'DRAINING', load: { cpu: 3 } },
    ]);
    holding = false;
    h.runtime.advance(INTERVAL_MS);
    expect(current(h).written).toHaveLength(2);
  });

  it('asks the interval before each wait', () => {
    let intervalMs = INTERVAL_MS;
    const h = start(0.5, { intervalMs: () => intervalMs });
    intervalMs = 300;
    h.runtime.advance(INTERVAL_MS);
    expect(current(h).written).toHaveLength(2);
    h.runtime.advance(300);
    expect(current(h).written).toHaveLength(3);
  });

  it('reports renewed and lost leases from the responses', () => {
    const h = start();
    current(h).respond(leases([7, true], [9, false]));
    expect(h.renewed).toEqual([[7, 900]]);
    expect(h.lost).toEqual([9]);
  });

  it('reopens an ended stream after a jittered backoff, and beats on the new one', () => {
    const h = start(0.5);
    const first = current(h);
    first.end();
    expect(h.streamErrors.map((error) => error.message))
      .toEqual(['the server ended the keepalive stream']);
    expect(first.cancelled).toBe(true);
    // Ceiling 50 ms for the first failure, times the draw 0.5.
    expect(h.runtime.pendingDelays()).toContain(25);
    h.runtime.advance(24);
    expect(h.calls).toHaveLength(1);
    h.runtime.advance(1);
    expect(h.calls).toHaveLength(2);
    expect(current(h).written).toEqual([{ lease_ids: [7, 9] }]);
  });

  it('treats an error and an end of the same stream as one failure', () => {
    const h = start();
    const first = current(h);
    first.fail(grpc.status.UNAVAILABLE);
    first.end();
    expect(h.streamErrors).toHaveLength(1);
    h.runtime.advance(50);
    expect(h.calls).toHaveLength(2);
  });

  it('doubles the backoff per consecutive failure up to 1 s, and resets on a response', () => {
    const h = start(0.999);
    const delays: number[] = [];
    for (let failure = 0; failure < 7; failure++) {
      const before = h.runtime.requestedDelays.length;
      current(h).fail(grpc.status.UNAVAILABLE);
      const delay = h.runtime.requestedDelays[before] as number;
      delays.push(delay);
      h.runtime.advance(delay);
    }
    expect(delays).toEqual([49, 99, 199, 399, 799, 999, 999]);
    current(h).respond(leases([7, true]));
    current(h).fail(grpc.status.UNAVAILABLE);
    expect(h.runtime.requestedDelays.at(-1)).toBe(49);
  });

  it('draws each delay from the runtime random source', () => {
    const h = start([0.1, 0.9]);
    current(h).fail(grpc.status.UNAVAILABLE);
    h.runtime.advance(5);
    current(h).fail(grpc.status.UNAVAILABLE);
    expect(h.runtime.requestedDelays.filter((ms) => ms !== INTERVAL_MS)).toEqual([5, 90]);
  });

  it('stop cancels the stream and the beats', () => {
    const h = start();
    h.loop.stop();
    expect(current(h).cancelled).toBe(true);
    expect(h.runtime.pendingDelays()).toEqual([]);
    h.runtime.advance(10 * INTERVAL_MS);
    expect(current(h).written).toHaveLength(1);
  });

  it('stop during a backoff: nothing is reopened', () => {
    const h = start();
    current(h).fail(grpc.status.UNAVAILABLE);
    expect(h.runtime.pendingDelays()).toHaveLength(2);
    h.loop.stop();
    expect(h.runtime.pendingDelays()).toEqual([]);
    h.runtime.advance(10 * INTERVAL_MS);
    expect(h.calls).toHaveLength(1);
  });
});
