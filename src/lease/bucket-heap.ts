/**
 * A binary min-heap of bucket numbers. Plain numbers in one array: no wrapper objects, so a push
 * allocates nothing once the array has grown to the wheel's size.
 */
export class BucketHeap {
  private items: number[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): number | undefined {
    return this.items[0];
  }

  push(value: number): void {
    const items = this.items;
    let index = items.length;
    items.push(value);
    while (index > 0) {
      const parent = (index - 1) >> 1;
      const parentValue = items[parent] as number;
      if (parentValue <= value) break;
      items[index] = parentValue;
      index = parent;
    }
    items[index] = value;
  }

  pop(): number | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    this.siftDown(last);
    return top;
  }

  /** Replaces the contents; `sortedValues` must be ascending (a sorted array is a heap). */
  reset(sortedValues: number[]): void {
    this.items = sortedValues;
  }

  clear(): void {
    this.items = [];
  }

  /** Places `value` at the root and moves it down to where it belongs. */
  private siftDown(value: number): void {
    const items = this.items;
    const length = items.length;
    let index = 0;
    for (;;) {
      let child = 2 * index + 1;
      if (child >= length) break;
      const right = child + 1;
      if (right < length && (items[right] as number) < (items[child] as number)) child = right;
      const childValue = items[child] as number;
      if (value <= childValue) break;
      items[index] = childValue;
      index = child;
    }
    items[index] = value;
  }
}
