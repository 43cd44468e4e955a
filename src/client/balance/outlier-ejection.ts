import { assert } from '../../core/assert.js';

/** The outcome of one call, for least-outstanding and outlier ejection. */
export type CallOutcome = 'success' | 'failure';

export interface OutlierEjectionOptions {
  /** Failures in a row that eject an instance; 0 turns ejection off. Default 5. */
  readonly consecutiveFailures?: number;
  /** How long a first ejection lasts; the k-th in a row lasts k times as long. Default 30 s. */
  readonly baseEjectionMs?: number;
  /** The longest an ejection lasts. Default 300 s. */
  readonly maxEjectionMs?: number;
}

export const DEFAULT_CONSECUTIVE_FAILURES = 5;
export const DEFAULT_BASE_EJECTION_MS = 30_000;
export const DEFAULT_MAX_EJECTION_MS = 300_000;

interface EjectionRecord {
  failuresInRow: number;
  /** The multiplier of the next ejection's length, less one. */
  ejections: number;
  ejectedUntilMs: number;
}

/**
 * Passive health: an instance whose calls fail `consecutiveFailures` times in a row is left
 * out for a while, longer each time it is ejected again soon after coming back.
 */
export class OutlierEjection {
  private readonly records = new Map<string, EjectionRecord>();
  private readonly failuresToEject: number;
  private readonly baseEjectionMs: number;
  private readonly maxEjectionMs: number;
  private readonly maxMultiplier: number;

  constructor(options: OutlierEjectionOptions = {}) {
    this.failuresToEject = options.consecutiveFailures ?? DEFAULT_CONSECUTIVE_FAILURES;
    this.baseEjectionMs = options.baseEjectionMs ?? DEFAULT_BASE_EJECTION_MS;
    this.maxEjectionMs = options.maxEjectionMs ?? DEFAULT_MAX_EJECTION_MS;
    assert(Number.isSafeInteger(this.failuresToEject) && this.failuresToEject >= 0,
      `consecutiveFailures must be a whole number, got ${this.failuresToEject}`);
    assert(this.baseEjectionMs > 0, `baseEjectionMs must be positive, got ${this.baseEjectionMs}`);
    assert(this.maxEjectionMs >= this.baseEjectionMs,
      `maxEjectionMs (${this.maxEjectionMs}) must be at least baseEjectionMs`);
    // Past this the length no longer grows, and a multiplier kept counting would only make the
    // decay below take longer.
    this.maxMultiplier = Math.ceil(this.maxEjectionMs / this.baseEjectionMs);
  }

  isEjected(id: string, nowMs: number): boolean {
    const record = this.records.get(id);
    return record !== undefined && nowMs < record.ejectedUntilMs;
  }

  /**
   * Where to report the outcome of a call that starts now. It holds the instance's record, so
   * a call that outlives the instance's removal cannot count against one re-added under the
   * same id.
   */
  recorder(id: string): (outcome: CallOutcome, nowMs: number) => void {
    if (this.failuresToEject === 0) return () => {};
    let record = this.records.get(id);
    if (record === undefined) {
      record = { failuresInRow: 0, ejections: 0, ejectedUntilMs: -Infinity };
      this.records.set(id, record);
    }
    const held = record;
    return (outcome, nowMs) => this.record(held, outcome, nowMs);
  }

  /** Drops the records of every id not in `ids`. */
  retain(ids: ReadonlySet<string>): void {
    for (const id of this.records.keys()) if (!ids.has(id)) this.records.delete(id);
  }

  private record(record: EjectionRecord, outcome: CallOutcome, nowMs: number): void {
    // Calls that end while the instance is ejected began before it was (or were sent to it in
    // panic): they say nothing the ejection has not already said.
    if (nowMs < record.ejectedUntilMs) return;
    if (outcome === 'success') {
      record.failuresInRow = 0;
      return;
    }
    record.failuresInRow += 1;
    if (record.failuresInRow >= this.failuresToEject) this.eject(record, nowMs);
  }

  private eject(record: EjectionRecord, nowMs: number): void {
    // The multiplier falls by one for each baseEjectionMs the instance has served since its
    // last ejection (Envoy decays it likewise), so one bad spell long ago does not earn the
    // longest ejection forever.
    const servedMs = nowMs - record.ejectedUntilMs;
    const decay = Number.isFinite(servedMs) ? Math.floor(servedMs / this.baseEjectionMs) : 0;
    record.ejections = Math.min(this.maxMultiplier, Math.max(0, record.ejections - decay) + 1);
    record.ejectedUntilMs = nowMs
      + Math.min(this.baseEjectionMs * record.ejections, this.maxEjectionMs);
    record.failuresInRow = 0;
  }
}
