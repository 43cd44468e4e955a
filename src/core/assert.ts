/**
 * Assertions catch programmer errors. They throw with a reason; the process is expected to
 * crash and be restarted (Kubernetes restarts the pod) rather than serve wrong data.
 * Expected failures a user can cause are RosterError values (core/errors.ts), never asserts.
 */
export class AssertionError extends Error {
  override readonly name = 'AssertionError';
}

export function assert(condition: unknown, reason: string): asserts condition {
  if (!condition) throw new AssertionError(reason);
}

/** For exhaustive switches: reaching this is a bug. */
export function unreachable(value: never, reason = 'unreachable'): never {
  throw new AssertionError(`${reason}: ${String(value)}`);
}

/**
 * Returns the element at `index`, asserting that it exists (arrays under
 * noUncheckedIndexedAccess).
 */
export function at<T>(items: readonly T[], index: number): T {
  const item = items[index];
  assert(item !== undefined, `index ${index} out of bounds (length ${items.length})`);
  return item;
}

export function getErrorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
