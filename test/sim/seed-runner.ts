import { expect } from 'vitest';
import { runSeed, type SeedResult } from '../../src/sim/run-seed.js';

export const STEPS = 20_000;

/** Runs seeds in-process and fails with every failing seed's invariant and replay command. */
export function expectSeedsPass(seeds: readonly number[], nodes: 3 | 5): SeedResult[] {
  const results = seeds.map((seed) => runSeed({ seed, nodes, steps: STEPS }));
  const failures = results.filter((result) => !result.ok).map((result) =>
    `seed ${result.seed} (${nodes} nodes): ${result.invariant}: ` +
    `${result.detail?.split('\n')[0]}\n` +
    `  replay: npm run sim -- --seed ${result.seed} --nodes ${nodes} --steps ${STEPS} --trace`);
  expect(failures).toEqual([]);
  return results;
}

export function range(first: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => first + i);
}

/** Splits seeds into chunks, one test each, so a failure points at a small range. */
export function chunks(seeds: readonly number[], size: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < seeds.length; i += size) out.push(seeds.slice(i, i + size));
  return out;
}
