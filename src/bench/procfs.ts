/** What the kernel says about a process: CPU time and resident memory (Linux /proc). */
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** User + system CPU seconds the process has used so far; 0 once it is gone. */
export function cpuSeconds(pid: number): number {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return 0;
  }
  // The command name is in parentheses and may hold spaces: fields are counted after it.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const userTicks = Number(fields[11]);
  const systemTicks = Number(fields[12]);
  return (userTicks + systemTicks) / TICKS_PER_SECOND;
}

/** Resident set size in MiB (VmRSS); NaN once the process is gone. */
export function rssMiB(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
    return match === null ? Number.NaN : Number(match[1]) / 1024;
  } catch {
    return Number.NaN;
  }
}

/** CPU used by a set of processes over a window: cores busy on average. */
export class CpuMeter {
  private readonly pids: readonly number[];
  private startSeconds = 0;
  private startWallMs = 0;

  constructor(pids: readonly number[]) {
    this.pids = pids;
  }

  start(): void {
    this.startSeconds = this.total();
    this.startWallMs = performance.now();
  }

  /** Average cores used since start(), and the window's length. */
  stop(): { cores: number; cpuSeconds: number; wallSeconds: number } {
    const cpu = this.total() - this.startSeconds;
    const wallSeconds = (performance.now() - this.startWallMs) / 1000;
    return { cores: cpu / wallSeconds, cpuSeconds: cpu, wallSeconds };
  }

  private total(): number {
    return this.pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
  }
}
