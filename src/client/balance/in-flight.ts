interface Counter {
  count: number;
}

/** Calls in flight per instance, for the load-aware policies. */
export class InFlightCalls {
  private readonly counters = new Map<string, Counter>();

  count(id: string): number {
    return this.counters.get(id)?.count ?? 0;
  }

  /**
   * Counts a call that starts now; the returned function ends it. It holds the counter it
   * raised, so a call that outlives its instance's removal cannot lower the count of an
   * instance re-added under the same id.
   */
  start(id: string): () => void {
    let counter = this.counters.get(id);
    if (counter === undefined) {
      counter = { count: 0 };
      this.counters.set(id, counter);
    }
    const started = counter;
    started.count += 1;
    return () => {
      started.count -= 1;
    };
  }

  /** Drops the counters of every id not in `ids`. */
  retain(ids: ReadonlySet<string>): void {
    for (const id of this.counters.keys()) if (!ids.has(id)) this.counters.delete(id);
  }
}
