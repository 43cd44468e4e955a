import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { Prng } from '../../src/core/prng.js';
import type { LeaseListener } from '../../src/client/heartbeats.js';
import type { LeaseBeat } from '../../src/client/lease-book.js';
import {
  Registration, type RegistrationHost, type RegistrationOptions,
} from '../../src/client/registration.js';
import type { RegisterRequest } from '../../src/api/generated/types/roster/v1/RegisterRequest.js';
import type {
  DeregisterRequest,
} from '../../src/api/generated/types/roster/v1/DeregisterRequest.js';
import type {
  RegisterResponse__Output,
} from '../../src/api/generated/types/roster/v1/RegisterResponse.js';
import { ManualRuntime } from './manual-runtime.js';

interface Pending {
  readonly request: RegisterRequest;
  readonly atMs: number;
  resolve(response: RegisterResponse__Output): void;
  reject(error: Error): void;
}

/** A client as a registration sees it, every answer given by the test. */
class FakeHost implements RegistrationHost {
  readonly registers: Pending[] = [];
  readonly deregisters: DeregisterRequest[] = [];
  deregisterAnswers = true;
  readonly attached = new Map<number, { ttlMs: number; listener: LeaseListener;
    beat?: LeaseBeat }>();
  readonly updates: [number, LeaseBeat, boolean][] = [];
  private nextLease = 100;

  constructor(readonly runtime: ManualRuntime) {}

  readonly heartbeats = {
    attach: (leaseId: number, ttlMs: number, listener: LeaseListener, beat?: LeaseBeat) => {
      this.attached.set(leaseId, { ttlMs, listener, beat });
    },
    update: (leaseId: number, beat: LeaseBeat, beatNow: boolean) => {
      this.updates.push([leaseId, beat, beatNow]);
    },
    detach: (leaseId: number) => {
      this.attached.delete(leaseId);
    },
  };

  registerOnce(request: RegisterRequest): Promise<RegisterResponse__Output> {
    return new Promise((resolve, reject) => {
      this.registers.push({ request, atMs: this.runtime.nowMs(), resolve, reject });
    });
  }

  deregister(request: DeregisterRequest): Promise<unknown> {
    this.deregisters.push(request);
    return this.deregisterAnswers ? Promise.resolve({}) : new Promise(() => {});
  }

  /** Answers the oldest unanswered Register with a new lease. */
  async accept(): Promise<number> {
    const pending = this.registers.at(-1) as Pending;
    const leaseId = this.nextLease++;
    pending.resolve({ instance_id: 'i1', lease_id: leaseId, revision: leaseId, created: true });
    await settle();
    return leaseId;
  }

  async refuse(code: grpc.status): Promise<void> {
    (this.registers.at(-1) as Pending).reject(Object.assign(new Error(`refused ${code}`),
      { code, details: '', metadata: new grpc.Metadata() }));
    await settle();
  }

  listener(leaseId: number): LeaseListener {
    const entry = this.attached.get(leaseId);
    if (entry === undefined) throw new Error(`lease ${leaseId} is not attached`);
    return entry.listener;
  }
}

/** Lets promise callbacks run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

const INSTANCE = { service: 'web', id: 'i1', address: '10.0.0.1', port: 80 };
const TTL_MS = 3_000;

function open(random: number | number[] = 0.5, options: RegistrationOptions = {}) {
  const runtime = new ManualRuntime({ random });
  const host = new FakeHost(runtime);
  const registration = new Registration(host, INSTANCE, { ttlMs: TTL_MS, ...options });
  const events: string[] = [];
  for (const name of ['registered', 'lost', 'restored', 'closed', 'failed'] as const) {
    registration.on(name, (arg?: unknown) =>
      events.push(typeof arg === 'string' ? `${name}:${arg}` : name));
  }
  return { runtime, host, registration, events };
}

describe('Registration', () => {
  it('registers with its TTL and heartbeats the lease it got', async () => {
    const { host, registration, events } = open();
    expect(host.registers[0]?.request).toEqual({ instance: INSTANCE, ttl_ms: TTL_MS });
    expect(registration.state).toBe('registering');
    const leaseId = await host.accept();
    await expect(registration.ready()).resolves.toEqual(
      { leaseId, instanceId: 'i1', revision: leaseId });
    expect(registration.state).toBe('registered');
    expect(registration.leaseId).toBe(leaseId);
    expect(host.attached.get(leaseId)?.ttlMs).toBe(TTL_MS);
    expect(events).toEqual(['registered']);
  });

  it('retries a failed first attempt with jittered backoff', async () => {
    const { runtime, host, registration } = open(0.25);
    const retrying: number[] = [];
    registration.on('retrying', (_error, delayMs) => retrying.push(delayMs));
    await host.refuse(grpc.status.UNAVAILABLE);
    // The first retry waits below 1 s: the draw 0.25 of it.
    expect(retrying).toEqual([250]);
    runtime.advance(249);
    expect(host.registers).toHaveLength(1);
    runtime.advance(1);
    expect(host.registers).toHaveLength(2);
    await host.refuse(grpc.status.DEADLINE_EXCEEDED);
    expect(retrying).toEqual([250, 500]);
    runtime.advance(500);
    await host.accept();
    expect(registration.state).toBe('registered');
  });

  it('stops at a refusal no retry can change, and says why', async () => {
    const { runtime, host, registration, events } = open();
    await host.refuse(grpc.status.INVALID_ARGUMENT);
    await expect(registration.ready()).rejects.toThrow('refused 3');
    expect(events).toEqual(['failed']);
    expect(registration.state).toBe('closed');
    runtime.advance(60_000);
    expect(host.registers).toHaveLength(1);
  });

  it('registers again after a jittered wait when the cluster forgets the lease', async () => {
    const { runtime, host, registration, events } = open(0.5);
    const first = await host.accept();
    host.listener(first).lost();
    expect(events).toEqual(['registered', 'lost:expired']);
    expect(host.attached.has(first)).toBe(false);
    expect(registration.leaseId).toBeUndefined();
    expect(registration.state).toBe('lost');
    runtime.advance(499);
    expect(host.registers).toHaveLength(1);
    runtime.advance(1);
    expect(host.registers).toHaveLength(2);
    const second = await host.accept();
    expect(events).toEqual(['registered', 'lost:expired', 'restored']);
    expect(registration.leaseId).toBe(second);
    expect(host.attached.has(second)).toBe(true);
  });

  it('doubles the wait while registering again keeps failing, up to its cap', async () => {
    const { runtime, host } = open(0.999, { reregisterBaseMs: 1_000, reregisterMaxMs: 5_000 });
    host.listener(await host.accept()).lost();
    const waits: number[] = [];
    for (let failure = 0; failure < 5; failure++) {
      const delay = runtime.pendingDelays().at(-1) as number;
      waits.push(delay);
      runtime.advance(delay);
      await host.refuse(grpc.status.UNAVAILABLE);
    }
    expect(waits).toEqual([999, 1_998, 3_996, 4_995, 4_995]);
  });

  it('says lost when no renewal comes before the deadline, restored when one does', async () => {
    const { runtime, host, registration, events } = open();
    const leaseId = await host.accept();
    runtime.advance(TTL_MS - 1_000);
    host.listener(leaseId).renewed(TTL_MS);
    runtime.advance(TTL_MS - 1);
    expect(events).toEqual(['registered']);
    runtime.advance(1);
    expect(events).toEqual(['registered', 'lost:unconfirmed']);
    expect(registration.state).toBe('lost');
    // Heartbeats go on: the lease is still attached, and a renewal brings it back.
    host.listener(leaseId).renewed(TTL_MS);
    expect(events).toEqual(['registered', 'lost:unconfirmed', 'restored']);
    expect(registration.state).toBe('registered');
    expect(host.registers).toHaveLength(1);
  });

  it('sends draining at once and keeps it across a new lease', async () => {
    const { runtime, host, registration } = open();
    const first = await host.accept();
    registration.setStatus('draining');
    registration.setLoad({ cpu: 0.5 });
    expect(host.updates).toEqual([
      [first, { status: 'DRAINING' }, true],
      [first, { status: 'DRAINING', load: { cpu: 0.5 } }, false],
    ]);
    host.listener(first).lost();
    runtime.advance(1_000);
    const second = await host.accept();
    expect(host.attached.get(second)?.beat).toEqual({ status: 'DRAINING', load: { cpu: 0.5 } });
  });

  it('close deregisters its lease and stops heartbeating', async () => {
    const { host, registration, events } = open();
    const leaseId = await host.accept();
    await registration.close();
    expect(host.deregisters).toEqual([{ lease_id: leaseId }]);
    expect(host.attached.size).toBe(0);
    expect(registration.state).toBe('closed');
    expect(events).toEqual(['registered', 'closed']);
  });

  it('close while registering takes back the lease that arrives after', async () => {
    const { host, registration } = open();
    await registration.close();
    await expect(registration.ready()).rejects.toThrow('closed');
    expect(host.deregisters).toEqual([]);
    const late = await host.accept();
    expect(host.deregisters).toEqual([{ lease_id: late }]);
    expect(host.attached.size).toBe(0);
  });

  it('close returns after its timeout when the cluster never answers', async () => {
    const { runtime, host, registration } = open(0.5, { closeTimeoutMs: 2_000 });
    await host.accept();
    host.deregisterAnswers = false;
    let closed = false;
    void registration.close().then(() => {
      closed = true;
    });
    await settle();
    runtime.advance(1_999);
    await settle();
    expect(closed).toBe(false);
    runtime.advance(1);
    await settle();
    expect(closed).toBe(true);
  });

  it('1,000 registrations that lose their leases together come back spread out', async () => {
    const prng = new Prng(17);
    const draws = Array.from({ length: 3_000 }, () => prng.nextFloat());
    const runtime = new ManualRuntime({ random: draws });
    const host = new FakeHost(runtime);
    const registrations = Array.from({ length: 1_000 }, (_, i) =>
      new Registration(host, { ...INSTANCE, id: `i${i}` }, { ttlMs: TTL_MS }));
    const leases: number[] = [];
    for (const pending of [...host.registers]) {
      leases.push(leases.length + 1);
      pending.resolve({ instance_id: 'x', lease_id: leases.length, revision: 1, created: true });
    }
    await settle();
    expect(registrations.every((one) => one.state === 'registered')).toBe(true);
    const lostAtMs = runtime.nowMs();
    for (const leaseId of leases) host.listener(leaseId).lost();
    runtime.advance(1_000);
    const offsets = host.registers.slice(1_000).map((pending) => pending.atMs - lostAtMs);
    expect(offsets).toHaveLength(1_000);
    // Full jitter over the first second: no 100 ms slice takes more than 15% of them.
    const perSlice = new Array<number>(10).fill(0);
    for (const offsetMs of offsets) {
      const slice = Math.min(9, Math.floor(offsetMs / 100));
      perSlice[slice] = (perSlice[slice] ?? 0) + 1;
    }
    expect(Math.max(...perSlice)).toBeLessThanOrEqual(150);
    expect(Math.min(...perSlice)).toBeGreaterThanOrEqual(50);
  });
});
