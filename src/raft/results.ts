import type { RosterError } from '../core/errors.js';

/** The outcome of a proposal: where it went in the log, or why it was refused. */
export type ProposeResult =
  | { readonly ok: true; readonly index: number; readonly term: number }
  | { readonly ok: false; readonly error: RosterError };

/** The outcome of a local request (read index, transfer): accepted, or why not. */
export type LocalResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly error: RosterError };

export const OK: LocalResult = Object.freeze({ ok: true });

export function refused(error: RosterError): { readonly ok: false; readonly error: RosterError } {
  return { ok: false, error };
}
