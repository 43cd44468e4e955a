import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { runSeed, type SeedResult } from './run-seed.js';

/**
 * `npm run sim -- --seeds N [--first F] [--nodes 3|5] [--steps M] [--workers W]`
 * `npm run sim -- --seed S [--nodes 3|5] [--steps M] [--trace [--trace-lines N]]`
 * `--amnesia` brings a node whose data dir was lost back as the member it was, on a fresh
 * bootstrap (what `roster serve` once did): the invariants must catch it.
 * Ends with exactly one line `sim: seeds=N failures=F`; exits 1 when F > 0.
 */
const DEFAULT_STEPS = 20_000;

interface Args {
  seeds: number[];
  nodes: 3 | 5;
  steps: number;
  workers: number;
  trace: boolean;
  traceLines: number;
  amnesia: boolean;
  /** Report failures in one line each, without replaying them for a trace. */
  brief: boolean;
}

function parse(): Args {
  const { values } = parseArgs({
    options: {
      seeds: { type: 'string' },
      seed: { type: 'string' },
      first: { type: 'string', default: '1' },
      nodes: { type: 'string', default: '3' },
      steps: { type: 'string', default: String(DEFAULT_STEPS) },
      workers: { type: 'string' },
      trace: { type: 'boolean', default: false },
      'trace-lines': { type: 'string', default: '60' },
      amnesia: { type: 'boolean', default: false },
      brief: { type: 'boolean', default: false },
    },
  });
  const nodes = Number(values.nodes);
  if (nodes !== 3 && nodes !== 5) usage(`--nodes must be 3 or 5, got ${values.nodes}`);
  const steps = positiveInteger('--steps', values.steps);
  let seeds: number[];
  if (values.seed !== undefined) {
    seeds = [positiveInteger('--seed', values.seed)];
  } else {
    const count = positiveInteger('--seeds', values.seeds ?? '100');
    const first = positiveInteger('--first', values.first);
    seeds = Array.from({ length: count }, (_, i) => first + i);
  }
  const workers = values.workers === undefined
    ? Math.max(1, Math.min(availableParallelism(), seeds.length))
    : positiveInteger('--workers', values.workers);
  const traceLines = positiveInteger('--trace-lines', values['trace-lines']);
  return {
    seeds, nodes: nodes as 3 | 5, steps, workers, trace: values.trace, traceLines,
    amnesia: values.amnesia, brief: values.brief,
  };
}

function positiveInteger(flag: string, text: string | undefined): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) {
    usage(`${flag} must be a positive integer, got ${text}`);
  }
  return value;
}

function usage(message: string): never {
  console.error(`sim: ${message}`);
  console.error('usage: npm run sim -- --seeds N [--first F] ' +
    '[--nodes 3|5] [--steps M] [--workers W] [--amnesia] [--brief]');
  console.error(
    '       npm run sim -- --seed S [--nodes 3|5] [--steps M] [--trace [--trace-lines N]]');
  process.exit(2);
}

async function runAll(args: Args): Promise<SeedResult[]> {
  if (args.workers <= 1) {
    return args.seeds.map((seed) =>
      runSeed({
        seed, nodes: args.nodes, steps: args.steps, trace: args.trace, traceLines: args.traceLines,
        amnesia: args.amnesia,
      }));
  }
  const shares: number[][] = Array.from({ length: args.workers }, () => []);
  args.seeds.forEach((seed, i) => shares[i % args.workers]?.push(seed));
  const parts = await Promise.all(shares.map((seeds) => runInWorker(seeds, args)));
  return parts.flat().sort((a, b) => a.seed - b.seed);
}

function runInWorker(seeds: number[], args: Args): Promise<SeedResult[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./worker.js', import.meta.url), {
      workerData: { seeds, nodes: args.nodes, steps: args.steps, amnesia: args.amnesia },
    });
    worker.once('message', (results: SeedResult[]) => resolve(results));
    worker.once('error', reject);
  });
}

function report(failure: SeedResult, args: Args): void {
  if (args.brief) {
    console.log(`FAIL seed=${failure.seed} nodes=${failure.nodes} invariant=${failure.invariant}`);
    return;
  }
  // Replay the seed with the trace on: same seed, same run, now with its last events.
  const replay = failure.trace === undefined
    ? runSeed({
      seed: failure.seed, nodes: args.nodes, steps: args.steps, trace: true,
      traceLines: args.traceLines, amnesia: args.amnesia,
    })
    : failure;
  console.log(`FAIL seed=${failure.seed} nodes=${failure.nodes} invariant=${failure.invariant}`);
  console.log(`  ${(failure.detail ?? '').split('\n').slice(0, 24).join('\n  ')}`);
  console.log(`  stats ${JSON.stringify(failure.stats)}`);
  if (replay.trace !== undefined) {
    console.log('  trace (last events):');
    for (const line of replay.trace) console.log(`    ${line}`);
  }
  console.log(`  replay: npm run sim -- --seed ${failure.seed} --nodes ${args.nodes} ` +
    `--steps ${args.steps} --trace${args.amnesia ? ' --amnesia' : ''}`);
}

async function main(): Promise<void> {
  const args = parse();
  const startedMs = Date.now();
  const results = await runAll(args);
  const failures = results.filter((result) => !result.ok);
  for (const failure of failures) report(failure, args);
  if (args.seeds.length === 1 && args.trace) {
    const only = results[0];
    if (only?.ok && only.trace !== undefined) {
      for (const line of only.trace) console.log(`    ${line}`);
    }
  }
  const seconds = ((Date.now() - startedMs) / 1000).toFixed(1);
  console.error(`sim: nodes=${args.nodes} steps=${args.steps} workers=${args.workers} ` +
    `in ${seconds}s`);
  console.log(`sim: seeds=${results.length} failures=${failures.length}`);
  process.exitCode = failures.length > 0 ? 1 : 0;
}

await main();
