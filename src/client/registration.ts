import * as grpc from '@grpc/grpc-js';
import { Backoff } from '../core/backoff.js';
import type { Instance } from '../api/generated/types/roster/v1/Instance.js';
import type { DeregisterRequest } from '../api/generated/types/roster/v1/DeregisterRequest.js';
import type { RegisterRequest } from '../api/generated/types/roster/v1/RegisterRequest.js';
import type {
  RegisterResponse__Output,
} from '../api/generated/types/roster/v1/RegisterResponse.js';
import type { LeaseListener } from './heartbeats.js';
import type { LeaseBeat } from './lease-book.js';
import { TypedEmitter } from './typed-emitter.js';
import type { ClientRuntime, TimerHandle } from './runtime.js';
import { isServiceError } from './service-error.js';

export interface RegistrationOptions {
  /** The lease's TTL: the instance is removed this long after its last heartbeat. */
  readonly ttlMs?: number;
  /**
   * Registering again after a lost lease waits a random time below reregisterBaseMs * 2^n
   * (n from 0, capped at reregisterMaxMs), so the instances of a cluster that lost its
   * leases together come back spread out, not in one burst.
   */
  readonly reregisterBaseMs?: number;
  readonly reregisterMaxMs?: number;
  /** The longest close() waits for the cluster to confirm the deregistration. */
  readonly closeTimeoutMs?: number;
}

/** What a registration needs from its client. */
export interface RegistrationHost {
  registerOnce(request: RegisterRequest): Promise<RegisterResponse__Output>;
  deregister(request: DeregisterRequest): Promise<unknown>;
  readonly heartbeats: {
    attach(leaseId: number, ttlMs: number, listener: LeaseListener, beat?: LeaseBeat): void;
    update(leaseId: number, beat: LeaseBeat, beatNow: boolean): void;
    detach(leaseId: number): void;
  };
  readonly runtime: ClientRuntime;
}

export type RegistrationState = 'registering' | 'registered' | 'lost' | 'closed';

export interface RegisteredEvent {
  readonly leaseId: number;
  readonly instanceId: string;
  /** The registration's revision (0 when a lease was found renewed, not registered again). */
  readonly revision: number;
}

export interface RegistrationEvents {
  /** The first registration succeeded. */
  registered: [event: RegisteredEvent];
  /** The lease lapsed (the cluster said so, or no renewal came before its deadline). */
  lost: [reason: 'expired' | 'unconfirmed'];
  /** Renewed or registered again after a loss. */
  restored: [event: RegisteredEvent];
  /** An attempt to register failed; the next one follows after delayMs. */
  retrying: [error: Error, delayMs: number];
  /** The cluster refused the registration for good (e.g. an invalid field): no retry. */
  failed: [error: Error];
  closed: [];
}

export const REGISTRATION_DEFAULTS = Object.freeze({
  ttlMs: 10_000, reregisterBaseMs: 1_000, reregisterMaxMs: 30_000, closeTimeoutMs: 5_000,
});

/** Refusals that another attempt cannot change. */
const PERMANENT = new Set<number>([grpc.status.INVALID_ARGUMENT, grpc.status.PERMISSION_DENIED,
  grpc.status.UNAUTHENTICATED, grpc.status.UNIMPLEMENTED]);

/**
 * One instance kept registered: it heartbeats on its client's shared KeepAlive stream, says
 * when its lease is lost and registers again (with jittered backoff) until close(), which
 * deregisters it.
 */
export class Registration extends TypedEmitter<RegistrationEvents> {
  private readonly host: RegistrationHost;
  private readonly request: RegisterRequest;
  private readonly settings: Required<RegistrationOptions>;
  private readonly backoff: Backoff;
  private currentState: RegistrationState = 'registering';
  private lease: number | undefined;
  private id: string | undefined;
  private beat: LeaseBeat = {};
  private deadlineMs = 0;
  private timer: TimerHandle | undefined;
  private wasRegistered = false;
  private readonly firstRegistration: Promise<RegisteredEvent>;
  private settleFirst: { resolve(event: RegisteredEvent): void; reject(error: Error): void };

  constructor(host: RegistrationHost, instance: Instance, options: RegistrationOptions = {}) {
    super();
    this.host = host;
    this.settings = { ...REGISTRATION_DEFAULTS, ...options };
    this.request = { instance: { ...instance }, ttl_ms: this.settings.ttlMs };
    this.backoff = new Backoff({ initialMs: this.settings.reregisterBaseMs,
      maxMs: this.settings.reregisterMaxMs, random: () => host.runtime.random() });
    let settle!: typeof this.settleFirst;
    this.firstRegistration = new Promise<RegisteredEvent>((resolve, reject) => {
      settle = { resolve, reject };
    });
    // A caller that only listens for events must not see an unhandled rejection.
    this.firstRegistration.catch(() => {});
    this.settleFirst = settle;
    this.attempt();
  }

  get state(): RegistrationState {
    return this.currentState;
  }

  /** The lease the instance now holds (undefined while registering). */
  get leaseId(): number | undefined {
    return this.lease;
  }

  get instanceId(): string | undefined {
    return this.id;
  }

  /** Resolves once first registered; rejects if refused for good or closed before. */
  ready(): Promise<RegisteredEvent> {
    return this.firstRegistration;
  }

  /** Draining: lookups and balancers stop sending new work; heartbeats go on. */
  setStatus(status: 'serving' | 'draining'): void {
    this.beat = { ...this.beat, status: status === 'draining' ? 'DRAINING' : 'SERVING' };
    if (this.lease !== undefined) this.host.heartbeats.update(this.lease, this.beat, true);
  }

  /** Load figures carried by the next heartbeats (the cluster records them at a bounded rate). */
  setLoad(load: Readonly<Record<string, number>>): void {
    this.beat = { ...this.beat, load: { ...load } };
    if (this.lease !== undefined) this.host.heartbeats.update(this.lease, this.beat, false);
  }

  /** Stops heartbeating and deregisters, waiting at most closeTimeoutMs for the answer. */
  async close(): Promise<void> {
    if (this.currentState === 'closed') return;
    this.currentState = 'closed';
    this.clearTimer();
    const leaseId = this.lease;
    this.lease = undefined;
    this.settleFirst.reject(new Error('the registration was closed'));
    try {
      if (leaseId !== undefined) {
        this.host.heartbeats.detach(leaseId);
        await this.withinCloseTimeout(this.host.deregister({ lease_id: leaseId }));
      }
    } finally {
      this.emit('closed');
    }
  }

  /**
   * Stops heartbeating without deregistering: the instance lapses with its lease, as after a
   * crash. What the client does to its registrations when it closes.
   */
  abandon(): void {
    if (this.currentState === 'closed') return;
    this.currentState = 'closed';
    this.clearTimer();
    if (this.lease !== undefined) this.host.heartbeats.detach(this.lease);
    this.lease = undefined;
    this.settleFirst.reject(new Error('the registration was abandoned'));
    this.emit('closed');
  }

  private attempt(): void {
    this.timer = undefined;
    this.host.registerOnce(this.request).then(
      (response) => this.registered(response),
      (error: unknown) => this.refused(error));
  }

  private registered(response: RegisterResponse__Output): void {
    if (this.currentState === 'closed') {
      // Closed while the answer travelled: take back what was just registered.
      void this.host.deregister({ lease_id: response.lease_id }).catch(() => {});
      return;
    }
    this.lease = response.lease_id;
    this.id = response.instance_id;
    this.backoff.reset();
    this.host.heartbeats.attach(response.lease_id, this.settings.ttlMs, this.listener(), this.beat);
    this.currentState = 'registered';
    this.deadlineMs = this.host.runtime.nowMs() + this.settings.ttlMs;
    this.armDeadline();
    const event = { leaseId: response.lease_id, instanceId: response.instance_id,
      revision: response.revision };
    if (this.wasRegistered) this.emit('restored', event);
    else {
      this.wasRegistered = true;
      this.settleFirst.resolve(event);
      this.emit('registered', event);
    }
  }

  private refused(error: unknown): void {
    if (this.currentState === 'closed') return;
    if (isServiceError(error) && PERMANENT.has(error.code)) {
      this.currentState = 'closed';
      this.settleFirst.reject(error);
      this.emit('failed', error);
      return;
    }
    const delayMs = this.schedule(() => this.attempt());
    this.emit('retrying', error instanceof Error ? error : new Error(String(error)), delayMs);
  }

  private listener(): LeaseListener {
    return {
      renewed: (remainingMs) => this.renewed(remainingMs),
      lost: () => this.lapsed(),
    };
  }

  private renewed(remainingMs: number): void {
    if (this.currentState === 'closed') return;
    this.deadlineMs = this.host.runtime.nowMs() + remainingMs;
    if (this.currentState === 'lost') {
      this.currentState = 'registered';
      this.emit('restored', { leaseId: this.lease as number, instanceId: this.id as string,
        revision: 0 });
    }
    this.currentState = 'registered';
    if (this.timer === undefined) this.armDeadline();
  }

  /** The cluster forgot the lease: register again after a jittered wait. */
  private lapsed(): void {
    if (this.lease === undefined || this.currentState === 'closed') return;
    this.host.heartbeats.detach(this.lease);
    this.lease = undefined;
    this.clearTimer();
    const wasLost = this.currentState === 'lost';
    this.currentState = 'lost';
    if (!wasLost) this.emit('lost', 'expired');
    this.schedule(() => this.attempt());
  }

  /**
   * No renewal before the lease's deadline: the cluster may have expired it. Heartbeats go on;
   * the next answer says whether it is still there or must be registered again.
   */
  private armDeadline(): void {
    const waitMs = Math.max(0, this.deadlineMs - this.host.runtime.nowMs());
    this.timer = this.host.runtime.setTimer(() => {
      this.timer = undefined;
      if (this.currentState !== 'registered') return;
      if (this.host.runtime.nowMs() < this.deadlineMs) {
        this.armDeadline();
        return;
      }
      this.currentState = 'lost';
      this.emit('lost', 'unconfirmed');
    }, waitMs);
  }

  private schedule(fn: () => void): number {
    this.clearTimer();
    const delayMs = this.backoff.nextDelayMs();
    this.timer = this.host.runtime.setTimer(fn, delayMs);
    return delayMs;
  }

  private clearTimer(): void {
    if (this.timer !== undefined) this.host.runtime.clearTimer(this.timer);
    this.timer = undefined;
  }

  private withinCloseTimeout<T>(work: Promise<T>): Promise<T | void> {
    return new Promise((resolve, reject) => {
      const timer = this.host.runtime.setTimer(resolve, this.settings.closeTimeoutMs);
      work.then((value) => {
        this.host.runtime.clearTimer(timer);
        resolve(value);
      }, (error: unknown) => {
        this.host.runtime.clearTimer(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      });
    });
  }
}
