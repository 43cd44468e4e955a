/**
 * Why the core refused a request, in its own words. The replica names the error a user sees
 * (replica/refusal-errors.ts), and the API maps that to a gRPC status: the core knows nothing
 * of either.
 */
export type RefusalReason =
  /** This node does not lead; `detail` names the leader it knows. */
  | 'not-leader'
  /** No leader is known (an election is under way, or there is no quorum). */
  | 'no-leader'
  /** The leader is being removed from the cluster. */
  | 'being-removed'
  /** Leadership is being handed to another node. */
  | 'transferring'
  /** The log's uncommitted tail holds as many bytes as it may. */
  | 'uncommitted-full'
  /** Too many reads wait for a ReadIndex round. */
  | 'reads-full'
  /** Another membership change is not committed yet. */
  | 'conf-change-pending'
  /** The membership change does not apply to the current membership. */
  | 'conf-change-invalid'
  /** Leadership cannot go to that node. */
  | 'transfer-refused';

export interface Refusal {
  readonly reason: RefusalReason;
  /** What makes the refusal actionable ('' when the reason says it all). */
  readonly detail: string;
}

/** The outcome of a proposal: where it went in the log, or why it was refused. */
export type ProposeResult =
  | { readonly ok: true; readonly index: number; readonly term: number }
  | { readonly ok: false; readonly refusal: Refusal };

/** The outcome of a local request (read index, transfer): accepted, or why not. */
export type LocalResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly refusal: Refusal };

export const OK: LocalResult = Object.freeze({ ok: true });

export function refused(
  reason: RefusalReason, detail = '',
): { readonly ok: false; readonly refusal: Refusal } {
  return { ok: false, refusal: { reason, detail } };
}
