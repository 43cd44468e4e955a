import { parentPort, workerData } from 'node:worker_threads';
import { runSeed, type SeedResult } from './run-seed.js';

/** Runs a share of the seeds for main.ts and posts the results back. */
interface Job {
  readonly seeds: number[];
  readonly nodes: 3 | 5;
  readonly steps: number;
  readonly amnesia: boolean;
}

const job = workerData as Job;
const results: SeedResult[] = job.seeds.map((seed) =>
  runSeed({ seed, nodes: job.nodes, steps: job.steps, amnesia: job.amnesia }));
parentPort?.postMessage(results);
