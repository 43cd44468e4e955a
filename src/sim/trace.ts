/**
 * The last events of a run, kept only when replaying a seed for its report: a failing seed is
 * run again with the trace on (same seed, same run), so passing runs pay nothing.
 */
export class Trace {
  readonly enabled: boolean;
  private readonly lines: string[] = [];
  private readonly capacity: number;

  constructor(options: { enabled: boolean; capacity?: number }) {
    this.enabled = options.enabled;
    this.capacity = options.capacity ?? 60;
  }

  record(timeMs: number, node: number | string, text: string): void {
    if (!this.enabled) return;
    this.lines.push(`${String(timeMs).padStart(7)}ms  n${String(node).padEnd(3)} ${text}`);
    if (this.lines.length > this.capacity * 2) {
      this.lines.splice(0, this.lines.length - this.capacity);
    }
  }

  tail(): string[] {
    return this.lines.slice(-this.capacity);
  }
}
