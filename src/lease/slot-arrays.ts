import { assert } from '../core/assert.js';

/**
 * Per-lease state lives in typed arrays indexed by a small integer slot: a few bytes each
 * outside the JS heap, nothing for the garbage collector to walk, and no object per lease.
 * The arrays start small and double, so they never hold more than twice the slots in use.
 */
export const slotCapacityMin = 1024;
/** Far above core/limits' leasesMax: a slot beyond it is a programming error, not load. */
export const slotsMax = 1 << 26;

/** What grow() needs of a typed array. */
interface SlotArray<Self> {
  readonly length: number;
  set(source: ArrayLike<number>): void;
  fill(value: number, start: number): Self;
}

/**
 * `array`, or a copy of it with room for `slot` (asserted a valid slot) whose new entries are
 * `fill`: e.g. grow(bucketOf, slot, Float64Array, Number.NaN).
 */
export function grow<T extends SlotArray<T>>(
  array: T, slot: number, make: new (length: number) => T, fill = 0,
): T {
  assert(Number.isSafeInteger(slot) && slot >= 0 && slot < slotsMax,
    `slot must be an integer in [0, ${slotsMax}), got ${slot}`);
  if (slot < array.length) return array;
  let length = Math.max(array.length, slotCapacityMin);
  while (length <= slot) length *= 2;
  const grown = new make(length);
  grown.set(array as unknown as ArrayLike<number>);
  if (fill !== 0) grown.fill(fill, array.length);
  return grown;
}
