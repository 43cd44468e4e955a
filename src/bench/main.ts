/**
 * `npm run bench [-- --compare etcd] [--quick] [--runs N] [--only a,b] [--tls]`: starts fresh
 * local 3-node clusters, drives them from a separate process, and reports medians of several
 * runs side by side with etcd (BENCHMARKS.md). `--tls` serves Roster's client and peer
 * ports over mutual TLS (etcd, if compared, stays plaintext): run with and without it to see
 * what TLS costs. Results: bench/results/<timestamp>.json and a table on stdout.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { packageRoot } from '../wire/index.js';
import { EtcdSystem, etcdVersion } from './etcd-system.js';
import { ratios, summarize, table, type RunFigures } from './report.js';
import { RosterSystem } from './roster-system.js';
import { SCENARIOS, type Sizes } from './scenarios.js';
import type { BenchSystem, SystemName } from './system.js';

const FULL: Sizes = {
  registerConcurrency: [1, 16, 64, 256], registerMs: 5_000, warmupMs: 1_000,
  keepaliveLeases: [10_000, 100_000], keepaliveMs: 8_000,
  watchers: [100, 1_000], watchWrites: 100, lookupMs: 5_000,
  detectCount: 10, detectKeepalives: 3, memoryInstances: 100_000, memoryAfterLoadMs: 10_000,
  memorySettleMs: 60_000, resolverSamples: 40,
};

/** Under 3 minutes with --compare etcd on a 2-core machine. */
const QUICK: Sizes = {
  registerConcurrency: [1, 16, 64, 256], registerMs: 1_000, warmupMs: 300,
  keepaliveLeases: [5_000], keepaliveMs: 1_500,
  watchers: [100, 1_000], watchWrites: 10, lookupMs: 1_000,
  detectCount: 3, detectKeepalives: 1, memoryInstances: 10_000, memoryAfterLoadMs: 2_000,
  memorySettleMs: 6_000, resolverSamples: 10,
};

interface Args {
  readonly compare: boolean;
  readonly quick: boolean;
  readonly runs: number;
  readonly only: readonly string[] | undefined;
  readonly tls: boolean;
}

function parse(): Args {
  const { values } = parseArgs({
    options: {
      compare: { type: 'string' }, quick: { type: 'boolean', default: false },
      runs: { type: 'string' }, only: { type: 'string' },
      tls: { type: 'boolean', default: false },
    },
  });
  if (values.compare !== undefined && values.compare !== 'etcd') {
    throw new Error(`--compare takes etcd, got ${values.compare}`);
  }
  const runs = Number(values.runs ?? (values.quick ? 1 : 3));
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a positive integer');
  const only = values.only?.split(',').map((name) => name.trim());
  for (const name of only ?? []) {
    if (!SCENARIOS.some((scenario) => scenario.name === name)) {
      throw new Error(`--only: no scenario ${name} (${SCENARIOS.map((s) => s.name).join(', ')})`);
    }
  }
  return { compare: values.compare === 'etcd', quick: values.quick, runs, only, tls: values.tls };
}

async function main(): Promise<void> {
  const args = parse();
  const sizes = args.quick ? QUICK : FULL;
  const systems: BenchSystem[] = [new RosterSystem({ tls: args.tls })];
  if (args.compare) {
    console.error(`etcd ${etcdVersion()}`);
    systems.push(new EtcdSystem());
  }
  const scenarios = SCENARIOS.filter((s) => args.only === undefined || args.only.includes(s.name));
  const runs: Partial<Record<SystemName, RunFigures>> = {};
  const startedMs = performance.now();
  for (let run = 0; run < args.runs; run++) {
    for (const scenario of scenarios) {
      // Interleaved, so both systems see the machine in the same state.
      for (const system of systems) {
        const scenarioStartMs = performance.now();
        const figures = await scenario.run(system, sizes);
        const seconds = ((performance.now() - scenarioStartMs) / 1000).toFixed(1);
        console.error(
          `run ${run + 1}/${args.runs}: ${scenario.name} on ${system.name}: ${seconds} s`);
        const byRun = runs[system.name] ?? [];
        runs[system.name] = byRun;
        byRun[run] = { ...byRun[run], ...figures };
      }
    }
  }
  const roster = summarize(runs.roster ?? []);
  const etcd = runs.etcd === undefined ? undefined : summarize(runs.etcd);
  const document = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGiB: totalmem() / 2 ** 30,
      node: process.version },
    quick: args.quick, runs: args.runs, tls: args.tls, sizes,
    seconds: (performance.now() - startedMs) / 1000,
    roster: medians(roster),
    ...(etcd === undefined ? {} : { etcd: medians(etcd), ratios: ratios(roster, etcd) }),
    detail: { roster, ...(etcd === undefined ? {} : { etcd }) },
  };
  const directory = join(packageRoot(), 'bench', 'results');
  mkdirSync(directory, { recursive: true });
  const file = join(directory, `${document.date.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(document, null, 2)}\n`);
  console.log(table({ roster, ...(etcd === undefined ? {} : { etcd }) }));
  console.log(`\nmedians of ${args.runs} run(s), (min-max); results: ${file}`);
}

function medians(summary: Record<string, { median: number }>): Record<string, number> {
  return Object.fromEntries(Object.entries(summary).map(([key, spread]) => [key, spread.median]));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
