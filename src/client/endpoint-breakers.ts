import * as grpc from '@grpc/grpc-js';
import {
  BrokenCircuitError, CircuitState, ConsecutiveBreaker, circuitBreaker, handleWhen,
  type CircuitBreakerPolicy,
} from 'cockatiel';
import { ERROR_CODE_KEY } from '../core/errors.js';
import { isServiceError } from './service-error.js';

export interface EndpointBreakerOptions {
  /** Connection failures in a row that open an endpoint's circuit. */
  readonly failuresToOpen?: number;
  /** How long an open circuit refuses calls before it lets one through to test the endpoint. */
  readonly halfOpenAfterMs?: number;
}

export const ENDPOINT_BREAKER_DEFAULTS = Object.freeze(
  { failuresToOpen: 3, halfOpenAfterMs: 2_000 });

/**
 * A circuit breaker per Roster endpoint: after a few connection failures in a row, calls skip
 * that endpoint (no wait for a deadline on a dead node) until the break ends and one test call
 * succeeds. Only failures to reach the node count: a node that answered, even with an error,
 * is up. The library reads the wall clock itself to end a break; nowMs must be that clock.
 */
export class EndpointBreakers {
  private readonly breakers = new Map<string, CircuitBreakerPolicy>();
  /** When each open circuit opened. */
  private readonly openedAtMs = new Map<string, number>();
  private readonly settings: Required<EndpointBreakerOptions>;

  constructor(private readonly nowMs: () => number, options: EndpointBreakerOptions = {}) {
    this.settings = { ...ENDPOINT_BREAKER_DEFAULTS, ...options };
  }

  /** Runs the call through the endpoint's breaker; an open one throws BrokenCircuitError. */
  run<T>(endpoint: string, call: () => Promise<T>): Promise<T> {
    return this.breakerFor(endpoint).execute(call);
  }

  /**
   * The endpoint's circuit is open and its break not over: a call would be refused unsent.
   * (Past the break, the breaker still says open until a call tests the endpoint.)
   */
  isOpen(endpoint: string): boolean {
    const openedAtMs = this.openedAtMs.get(endpoint);
    return openedAtMs !== undefined
      && this.breakers.get(endpoint)?.state === CircuitState.Open
      && this.nowMs() - openedAtMs < this.settings.halfOpenAfterMs;
  }

  private breakerFor(endpoint: string): CircuitBreakerPolicy {
    let breaker = this.breakers.get(endpoint);
    if (breaker === undefined) {
      breaker = circuitBreaker(handleWhen(isConnectionFailure), {
        halfOpenAfter: this.settings.halfOpenAfterMs,
        breaker: new ConsecutiveBreaker(this.settings.failuresToOpen),
      });
      breaker.onBreak(() => this.openedAtMs.set(endpoint, this.nowMs()));
      breaker.onReset(() => this.openedAtMs.delete(endpoint));
      this.breakers.set(endpoint, breaker);
    }
    return breaker;
  }
}

export function isBrokenCircuit(error: unknown): boolean {
  return error instanceof BrokenCircuitError;
}

/** The node could not be reached or did not answer in time (no Roster error code came back). */
export function isConnectionFailure(error: unknown): boolean {
  if (!isServiceError(error)) return false;
  if (error.code === grpc.status.DEADLINE_EXCEEDED) return true;
  return error.code === grpc.status.UNAVAILABLE
    && error.metadata?.get(ERROR_CODE_KEY)[0] === undefined;
}
