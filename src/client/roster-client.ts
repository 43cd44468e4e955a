import * as grpc from '@grpc/grpc-js';
import { Backoff } from '../core/backoff.js';
import { ERROR_CODE_KEY, LEADER_HINT_KEY, RosterError } from '../core/errors.js';
import { StubPool, settleUnary, type Stubs } from '../wire/index.js';
import type { DeregisterRequest } from '../api/generated/types/roster/v1/DeregisterRequest.js';
import type {
  DeregisterResponse__Output,
} from '../api/generated/types/roster/v1/DeregisterResponse.js';
import type { ListServicesRequest } from '../api/generated/types/roster/v1/ListServicesRequest.js';
import type {
  ListServicesResponse__Output,
} from '../api/generated/types/roster/v1/ListServicesResponse.js';
import type { LookupRequest } from '../api/generated/types/roster/v1/LookupRequest.js';
import type { LookupResponse__Output } from '../api/generated/types/roster/v1/LookupResponse.js';
import type { MemberAddRequest } from '../api/generated/types/roster/v1/MemberAddRequest.js';
import type {
  MemberAddResponse__Output,
} from '../api/generated/types/roster/v1/MemberAddResponse.js';
import type {
  MemberListResponse__Output,
} from '../api/generated/types/roster/v1/MemberListResponse.js';
import type {
  MemberRemoveResponse__Output,
} from '../api/generated/types/roster/v1/MemberRemoveResponse.js';
import type { RegisterRequest } from '../api/generated/types/roster/v1/RegisterRequest.js';
import type {
  RegisterResponse__Output,
} from '../api/generated/types/roster/v1/RegisterResponse.js';
import type { SnapshotChunk__Output } from '../api/generated/types/roster/v1/SnapshotChunk.js';
import type { StatusResponse__Output } from '../api/generated/types/roster/v1/StatusResponse.js';
import type {
  TransferLeadershipResponse__Output,
} from '../api/generated/types/roster/v1/TransferLeadershipResponse.js';

import type { KeepAliveRequest } from '../api/generated/types/roster/v1/KeepAliveRequest.js';
import type {
  KeepAliveResponse__Output,
} from '../api/generated/types/roster/v1/KeepAliveResponse.js';
import type { WatchRequest } from '../api/generated/types/roster/v1/WatchRequest.js';
import type { Instance } from '../api/generated/types/roster/v1/Instance.js';
import type { DiscoverFilters } from './discovered.js';
import { DiscoveryView, type DiscoverOptions } from './discovery-view.js';
import {
  EndpointBreakers, isBrokenCircuit, type EndpointBreakerOptions,
} from './endpoint-breakers.js';
import { Heartbeats } from './heartbeats.js';
import { KeepAliveLoop, type KeepAliveLoopOptions } from './keepalive-loop.js';
import { Registration, type RegistrationHost, type RegistrationOptions } from './registration.js';
import { realRuntime, sleep, type ClientRuntime } from './runtime.js';
import { WatchMux, type WatchManyCall } from './watch-mux.js';
import { WatchStream, type WatchUpdate } from './watch-stream.js';
import { isServiceError } from './service-error.js';

/**
 * HTTP/2's default 64 KiB receive window lets only four 16 KiB lookup answers travel at once
 * on a connection; the rest wait a round trip for window updates. A larger window lets many
 * concurrent calls stream their answers.
 */
const CHANNEL_OPTIONS: grpc.ChannelOptions = { 'grpc-node.flow_control_window': 16 * 1024 * 1024 };

/** Roster error codes that guarantee the request had no effect: safe to retry anywhere. */
const NOT_APPLIED = new Set([
  'ROSTER_ERR_NOT_LEADER', 'ROSTER_ERR_NO_LEADER', 'ROSTER_ERR_PROPOSAL_DROPPED',
  'ROSTER_ERR_PROPOSAL_OVERWRITTEN', 'ROSTER_ERR_STOPPED', 'ROSTER_ERR_NOT_READY',
]);

/** TLS to the cluster's client ports: PEM text or bytes (as read from the files). */
export interface RosterTlsOptions {
  /** The CA that signed the servers' certificates (default: the system's CAs). */
  readonly ca?: string | Buffer;
  /** This client's certificate and key, for servers that require one (--client-cert-auth). */
  readonly cert?: string | Buffer;
  readonly key?: string | Buffer;
}

export interface RosterClientOptions {
  /** host:port of any nodes; the client finds the leader itself. */
  readonly endpoints: readonly string[];
  /** TLS (without it, plaintext). */
  readonly tls?: RosterTlsOptions;
  /** Deadline of one attempt. */
  readonly timeoutMs?: number;
  /**
   * Attempts per call, across endpoints, with jittered exponential backoff between: retry n
   * (from 1) waits a random time below min(backoffMaxMs, backoffBaseMs * 2^n).
   */
  readonly attempts?: number;
  readonly backoffBaseMs?: number;
  readonly backoffMaxMs?: number;
  /** Time, timers and randomness for deadlines, retries, heartbeats and reconnects. */
  readonly runtime?: ClientRuntime;
  /** When an endpoint that keeps failing is skipped, and for how long. */
  readonly breaker?: EndpointBreakerOptions;
}

type Unary<Request, Response> = (request: Request, metadata: grpc.Metadata,
  options: grpc.CallOptions, callback: grpc.requestCallback<Response>) => grpc.ClientUnaryCall;

/**
 * A Roster client: calls go to a preferred endpoint; an UNAVAILABLE answer with a leader hint
 * moves the preference to the leader, a connection failure moves it to the next endpoint, and
 * retries back off with jitter. Only calls that are idempotent, or refused before taking
 * effect, are retried: a write whose outcome is unknown is reported, not repeated.
 */
export class RosterClient {
  private readonly endpoints: string[];
  private readonly stubs: StubPool;
  private preferred: string;
  private readonly timeoutMs: number;
  private readonly attempts: number;
  private readonly backoffBaseMs: number;
  private readonly backoffMaxMs: number;
  private readonly runtime: ClientRuntime;
  private readonly breakers: EndpointBreakers;
  private watchMux: WatchMux | undefined;
  private heartbeats: Heartbeats | undefined;
  private readonly registrations = new Set<Registration>();
  private readonly views = new Set<DiscoveryView>();

  constructor(options: RosterClientOptions) {
    if (options.endpoints.length === 0) {
      throw new RosterError('ROSTER_ERR_INVALID_ARGUMENT', 'at least one endpoint is needed');
    }
    const credentials = channelCredentials(options.tls);
    this.stubs = new StubPool({ credentials: () => credentials, channelOptions: CHANNEL_OPTIONS });
    this.endpoints = [...options.endpoints];
    this.preferred = this.endpoints[0] as string;
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.attempts = options.attempts ?? 8;
    this.backoffBaseMs = options.backoffBaseMs ?? 50;
    this.backoffMaxMs = options.backoffMaxMs ?? 2_000;
    this.runtime = options.runtime ?? realRuntime;
    this.breakers = new EndpointBreakers(() => this.runtime.nowMs(), options.breaker);
  }

  /** The endpoint the next call goes to (the leader, once a node has named it). */
  get preferredEndpoint(): string {
    return this.preferred;
  }

  /**
   * Keeps an instance registered until close(): heartbeats on this client's KeepAlive stream,
   * and registers again if the lease is lost. `await registration.ready()` for the first answer.
   */
  register(instance: Instance, options: RegistrationOptions = {}): Registration {
    const registration = new Registration(this.registrationHost(), instance, options);
    this.registrations.add(registration);
    registration.once('closed', () => this.registrations.delete(registration));
    return registration;
  }

  /** One Register call: the instance lives while its lease is renewed (see keepAlive). */
  registerOnce(request: RegisterRequest): Promise<RegisterResponse__Output> {
    // Registering the same instance twice changes nothing: safe to retry.
    return this.unary((s) => s.registry.Register.bind(s.registry), request, { idempotent: true });
  }

  deregister(request: DeregisterRequest): Promise<DeregisterResponse__Output> {
    return this.unary((s) => s.registry.Deregister.bind(s.registry), request,
      { idempotent: false });
  }

  lookup(request: LookupRequest): Promise<LookupResponse__Output> {
    return this.unary((s) => s.registry.Lookup.bind(s.registry), request, { idempotent: true });
  }

  listServices(request: ListServicesRequest = {}): Promise<ListServicesResponse__Output> {
    return this.unary((s) => s.registry.ListServices.bind(s.registry), request,
      { idempotent: true });
  }

  memberList(): Promise<MemberListResponse__Output> {
    return this.unary((s) => s.cluster.MemberList.bind(s.cluster), {}, { idempotent: true });
  }

  memberAdd(request: MemberAddRequest): Promise<MemberAddResponse__Output> {
    return this.unary((s) => s.cluster.MemberAdd.bind(s.cluster), request, { idempotent: false });
  }

  memberRemove(request: { id?: number; name?: string }): Promise<MemberRemoveResponse__Output> {
    return this.unary((s) => s.cluster.MemberRemove.bind(s.cluster), request,
      { idempotent: false });
  }

  memberPromote(request: { id?: number; name?: string }): Promise<MemberRemoveResponse__Output> {
    return this.unary((s) => s.cluster.MemberPromote.bind(s.cluster), request,
      { idempotent: false });
  }

  transferLeadership(request: { to_id?: number; to_name?: string }):
    Promise<TransferLeadershipResponse__Output> {
    return this.unary((s) => s.cluster.TransferLeadership.bind(s.cluster), request,
      { idempotent: false });
  }

  /** The status of one node, asked directly (no failover: each node answers for itself). */
  status(endpoint: string): Promise<StatusResponse__Output> {
    const stubs = this.stubsFor(endpoint);
    return callOnce(stubs.cluster.Status.bind(stubs.cluster), {}, this.deadline(), () => {});
  }

  /**
   * A watch that resumes on another node from its last revision when its node fails. All of a
   * client's watches share one stream.
   */
  watch(request: Omit<WatchRequest, 'start_revision'>, startRevision: number,
    onUpdate: (update: WatchUpdate) => void): WatchStream {
    this.watchMux ??= new WatchMux({
      open: (attempt) => {
        if (attempt > 0) this.rotate(this.preferred);
        const stubs = this.stubsFor(this.preferred);
        return stubs.registry.WatchMany() as WatchManyCall;
      },
      runtime: this.runtime,
    });
    const stream = new WatchStream({ request, startRevision, onUpdate }, this.watchMux);
    stream.start();
    return stream;
  }

  /**
   * A live view of a service's instances: a lookup, then a watch from its revision, resumed
   * on another node when a node fails; it serves the last known set while the cluster is
   * unreachable. `await view.ready()` for the first set.
   */
  discover(service: string, filters: DiscoverFilters = {},
    options: DiscoverOptions = {}): DiscoveryView {
    const host = {
      lookup: (request: LookupRequest) => this.lookup(request),
      watch: (request: Omit<WatchRequest, 'start_revision'>, startRevision: number,
        onUpdate: (update: WatchUpdate) => void) => this.watch(request, startRevision, onUpdate),
      runtime: this.runtime,
    };
    const view = new DiscoveryView(host, service, filters, options);
    this.views.add(view);
    view.once('closed', () => this.views.delete(view));
    return view.start();
  }

  /**
   * Heartbeats for leases the caller holds itself, on a stream of their own to the leader
   * (followed through its hints). Registrations share another one, opened by the first.
   */
  keepAlive(options: Omit<KeepAliveLoopOptions, 'open' | 'onStreamError' | 'runtime'>):
    KeepAliveLoop {
    const loop = new KeepAliveLoop({
      ...options,
      runtime: this.runtime,
      open: () => {
        const stubs = this.stubsFor(this.preferred);
        return stubs.registry.KeepAlive() as grpc.ClientDuplexStream<KeepAliveRequest,
          KeepAliveResponse__Output>;
      },
      onStreamError: (error) => {
        this.shouldRetry(error, this.preferred, true);
      },
    });
    loop.start();
    return loop;
  }

  /** A consistent snapshot of the registry, chunk by chunk. */
  async *snapshot(): AsyncGenerator<SnapshotChunk__Output> {
    const stubs = this.stubsFor(this.preferred);
    const stream = stubs.cluster.Snapshot({});
    for await (const chunk of stream as AsyncIterable<SnapshotChunk__Output>) yield chunk;
  }

  /**
   * Closes the connections. Views close with it; registrations still open are abandoned (their
   * instances lapse with their leases): close them first to deregister.
   */
  close(): void {
    for (const view of [...this.views]) view.close();
    for (const registration of [...this.registrations]) registration.abandon();
    this.heartbeats?.stop();
    this.heartbeats = undefined;
    this.watchMux?.close();
    this.watchMux = undefined;
    this.stubs.close();
  }

  private registrationHost(): RegistrationHost {
    this.heartbeats ??= new Heartbeats((options) => this.keepAlive(options));
    return {
      registerOnce: (request) => this.registerOnce(request),
      deregister: (request) => this.deregister(request),
      heartbeats: this.heartbeats,
      runtime: this.runtime,
    };
  }

  private deadline(): number {
    return this.runtime.nowMs() + this.timeoutMs;
  }

  private stubsFor(endpoint: string): Stubs {
    return this.stubs.get(endpoint);
  }


  private async unary<Request, Response>(
    method: (stubs: Stubs) => Unary<Request, Response>,
    request: Request,
    options: { idempotent: boolean },
  ): Promise<Response> {
    let lastError: unknown;
    // Made on the first retry: a call that succeeds at once allocates no backoff.
    let backoff: Backoff | undefined;
    for (let attempt = 0; attempt < this.attempts; attempt++) {
      if (attempt > 0) {
        backoff ??= this.retryBackoff();
        await sleep(this.runtime, backoff.nextDelayMs());
      }
      const endpoint = this.firstEndpointWithCircuitClosed();
      try {
        return await this.breakers.run(endpoint, () => callOnce(method(this.stubsFor(endpoint)),
          request, this.deadline(), (leader) => this.followLeader(endpoint, leader)));
      } catch (error: unknown) {
        if (isBrokenCircuit(error)) {
          // Every endpoint failed recently: this attempt waits like a failed one.
          lastError ??= everyCircuitOpen(this.endpoints);
          this.rotate(endpoint);
          continue;
        }
        lastError = error;
        if (!this.shouldRetry(error, endpoint, options.idempotent)) throw error;
      }
    }
    throw lastError;
  }

  /**
   * The preferred endpoint, or the next one whose circuit is not open: a node that failed
   * several calls in a row is skipped at once instead of costing each call a deadline.
   */
  private firstEndpointWithCircuitClosed(): string {
    for (let skipped = 0; skipped < this.endpoints.length; skipped++) {
      if (!this.breakers.isOpen(this.preferred)) break;
      this.rotate(this.preferred);
    }
    return this.preferred;
  }


  /** Decides whether to retry, and where: the hinted leader or the next endpoint. */
  private shouldRetry(error: unknown, endpoint: string, idempotent: boolean): boolean {
    if (!isServiceError(error)) return false;
    const hint = error.metadata?.get(LEADER_HINT_KEY)[0];
    const code = error.metadata?.get(ERROR_CODE_KEY)[0];
    if (error.code === grpc.status.UNAVAILABLE) {
      if (typeof hint === 'string' && hint !== '' && hint !== endpoint) this.preferred = hint;
      else this.rotate(endpoint);
      return idempotent || code === undefined || NOT_APPLIED.has(String(code));
    }
    if (error.code === grpc.status.DEADLINE_EXCEEDED && idempotent) {
      this.rotate(endpoint);
      return true;
    }
    return false;
  }

  /**
   * A follower answered and named the leader: later calls go there directly (no forwarding
   * hop), if it is one of this client's endpoints (a client given one node stays there).
   */
  private followLeader(endpoint: string, leader: string): void {
    if (this.preferred === endpoint && leader !== endpoint && this.endpoints.includes(leader)) {
      this.preferred = leader;
    }
  }

  private rotate(from: string): void {
    const index = this.endpoints.indexOf(from);
    this.preferred = this.endpoints[(index + 1) % this.endpoints.length] as string;
  }

  /** One call's retries: the first already waits up to base * 2 (retry n: base * 2^n). */
  private retryBackoff(): Backoff {
    return new Backoff({
      initialMs: this.backoffBaseMs * 2, maxMs: this.backoffMaxMs,
      random: () => this.runtime.random(),
    });
  }
}

function callOnce<Request, Response>(
  method: Unary<Request, Response>,
  request: Request,
  deadline: number,
  onLeaderHint: (leader: string) => void,
): Promise<Response> {
  return new Promise((resolve, reject) => {
    const call = method(request, new grpc.Metadata(), { deadline },
      settleUnary(resolve, reject));
    call.on('status', (status: grpc.StatusObject) => {
      if (status.code !== grpc.status.OK) return;
      const hint = status.metadata.get(LEADER_HINT_KEY)[0];
      if (typeof hint === 'string' && hint !== '') onLeaderHint(hint);
    });
  });
}

function everyCircuitOpen(endpoints: readonly string[]): grpc.ServiceError {
  const details = `no endpoint reachable: ${endpoints.join(', ')} each failed ` +
    'several calls in a row';
  return Object.assign(new Error(`${grpc.status.UNAVAILABLE} UNAVAILABLE: ${details}`), {
    code: grpc.status.UNAVAILABLE, details, metadata: new grpc.Metadata(),
  });
}

function channelCredentials(tls: RosterTlsOptions | undefined): grpc.ChannelCredentials {
  if (tls === undefined) return grpc.credentials.createInsecure();
  if ((tls.cert === undefined) !== (tls.key === undefined)) {
    throw new RosterError('ROSTER_ERR_INVALID_ARGUMENT',
      'tls: a client certificate needs its key, and a key its certificate');
  }
  const bytes = (pem: string | Buffer | undefined): Buffer | null =>
    pem === undefined ? null : Buffer.isBuffer(pem) ? pem : Buffer.from(pem);
  return grpc.credentials.createSsl(bytes(tls.ca), bytes(tls.key), bytes(tls.cert));
}

