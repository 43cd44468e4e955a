/** Starts the load driver for one scenario and follows its marks and result. */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { DriverLine, DriverSpec, MarkName } from './driver-protocol.js';

const DRIVER = fileURLToPath(new URL('./driver.js', import.meta.url));

/** Extra Node.js flags for the driver, from ROSTER_BENCH_DRIVER_ARGS (e.g. to profile it). */
function driverArgs(): string[] {
  return (process.env.ROSTER_BENCH_DRIVER_ARGS ?? '').split(' ').filter((arg) => arg !== '');
}

/** Runs the driver to completion; `onMark` is called as its marks arrive. */
export function runDriver(
  spec: DriverSpec, onMark: (name: MarkName, atMs: number) => void = () => {},
): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...driverArgs(), DRIVER, JSON.stringify(spec)],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    let result: Record<string, unknown> | undefined;
    let failure: string | undefined;
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4_000);
    });
    createInterface({ input: child.stdout }).on('line', (text) => {
      let line: DriverLine;
      try {
        line = JSON.parse(text) as DriverLine;
      } catch {
        return; // a library's stray output
      }
      if (line.type === 'mark') onMark(line.name, line.atMs);
      else if (line.type === 'result') result = line.result;
      else failure = line.message;
    });
    child.once('exit', (code) => {
      if (result !== undefined && code === 0) resolve(result);
      else reject(new Error(`bench driver (${spec.kind}, ${spec.system}) failed: ` +
        `${failure ?? `exit ${code}`}\n${stderr}`));
    });
  });
}
