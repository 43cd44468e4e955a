import { assert } from '../core/assert.js';

/**
 * Per-lease state lives in typed arrays indexed by a small integer slot: a few bytes each
 * outside the JS heap, nothing for the garbage collector to walk, and no object per lease.
 * The arrays start small and double, so they never hold more than twice the slots in use.
 */
export const slotCapacityMin = 1024;
/** Far above core/limits' leasesMax: a slot beyond it is a programming error, not load. */
export const slotsMax = 1 << 26;

function grownLength(length: number, slot: number): number {
  assert(Number.isSafeInteger(slot) && slot >= 0 && slot < slotsMax,
    `slot must be an integer in [0, ${slotsMax}), got ${slot}`);
  let grown = Math.max(length, slotCapacityMin);
  while (grown <= slot) grown *= 2;
  return grown;
}

/** `array` with room for `slot` (asserted a valid slot), new entries set to `fill`. */
export function growFloat64(
  array: Float64Array<ArrayBuffer>, slot: number, fill = 0,
): Float64Array<ArrayBuffer> {
  if (slot < array.length) return array;
  const grown = new Float64Array(grownLength(array.length, slot));
  grown.set(array);
  if (fill !== 0) grown.fill(fill, array.length);
  return grown;
}

export function growInt32(array: Int32Array<ArrayBuffer>, slot: number): Int32Array<ArrayBuffer> {
  if (slot < array.length) return array;
  const grown = new Int32Array(grownLength(array.length, slot));
  grown.set(array);
  return grown;
}

export function growUint8(array: Uint8Array<ArrayBuffer>, slot: number): Uint8Array<ArrayBuffer> {
  if (slot < array.length) return array;
  const grown = new Uint8Array(grownLength(array.length, slot));
  grown.set(array);
  return grown;
}
