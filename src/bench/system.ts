/** A cluster under test: three local server processes the bench starts, kills and restarts. */
import { spawn, type ChildProcess } from 'node:child_process';

export type SystemName = 'roster' | 'etcd';

/** PEM files for a client of a cluster that serves TLS and asks clients for certificates. */
export interface BenchTls {
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
}

export interface BenchSystem {
  /** Set when the cluster serves TLS on its client and peer ports. */
  readonly tls?: BenchTls;
  readonly name: SystemName;
  /** host:port of each member's client API, member i at index i. */
  readonly endpoints: readonly string[];
  /** Fresh data directories; resolves once a leader serves writes. */
  start(): Promise<void>;
  /** Stops every member (SIGTERM, then SIGKILL) and removes the data. */
  stop(): Promise<void>;
  /** Pids of the members now running. */
  pids(): number[];
  leaderIndex(): Promise<number>;
  /** Sends a signal and resolves when the member has exited. */
  kill(index: number, signal: NodeJS.Signals): Promise<void>;
  /** Starts a stopped member again on its data directory. */
  restart(index: number): void;
}

/** One member's process, with the tail of its output kept for error reports. */
export class MemberProcess {
  private child: ChildProcess | undefined;
  private output = '';
  private readonly command: string;
  private readonly args: readonly string[];
  private readonly label: string;
  private readonly env: NodeJS.ProcessEnv | undefined;

  constructor(options: {
    command: string; args: readonly string[]; label: string; env?: NodeJS.ProcessEnv;
  }) {
    this.command = options.command;
    this.args = options.args;
    this.label = options.label;
    this.env = options.env;
  }

  get pid(): number | undefined {
    return this.child?.exitCode === null ? this.child.pid : undefined;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null &&
      this.child.signalCode === null;
  }

  start(): void {
    const child = spawn(this.command, [...this.args], {
      stdio: ['ignore', 'pipe', 'pipe'], env: this.env ?? process.env,
    });
    this.child = child;
    const keep = (chunk: Buffer): void => {
      this.output = (this.output + chunk.toString()).slice(-8_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.once('error', (error) => keep(Buffer.from(`spawn failed: ${error.message}\n`)));
  }

  async kill(signal: NodeJS.Signals, graceMs = 10_000): Promise<void> {
    const child = this.child;
    if (child === undefined || !this.running) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }

  describe(): string {
    return `---- ${this.label} (last output) ----\n${this.output}`;
  }
}

/** Polls until `probe` returns a value or the time is up. */
export async function waitFor<T>(
  what: string, probe: () => Promise<T | undefined>, timeoutMs: number, intervalMs = 50,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  let lastError: unknown;
  while (performance.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error: unknown) {
      lastError = error;
    }
    await sleep(intervalMs);
  }
  const why = lastError instanceof Error ? `: ${lastError.message}` : '';
  throw new Error(`bench: timed out after ${timeoutMs} ms waiting for ${what}${why}`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Wall-clock milliseconds with sub-ms precision, comparable across processes. */
export function wallNowMs(): number {
  return performance.timeOrigin + performance.now();
}

/** The process ids of the members that are running. */
export function runningPids(members: readonly MemberProcess[]): number[] {
  return members.flatMap((member) => (member.pid === undefined ? [] : [member.pid]));
}
