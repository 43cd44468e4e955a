#!/usr/bin/env node
// `npm run sim:mutants [-- --seeds N] [--nodes 3|5] [--only a,b]`: how sharp the simulator is.
// Each mutant is a small bug put into a copy of the built code (dist/); the simulator runs it
// on N seeds and must fail some. A mutant no seed catches is a blind spot of the simulator.
// Prints a table: the share of seeds that caught each mutant and the first invariant broken.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const ROOT = new URL('..', import.meta.url).pathname;

/** file (under dist/), the code as built, and what the mutant puts instead. */
const MUTANTS = [
  {
    name: 'read-index-without-quorum',
    what: 'a leader answers a linearizable read without a heartbeat round',
    file: 'raft/leader.js',
    search: 'raft.readOnly.add({ index: raft.log.committed, from, context });',
    replace: 'respondToRead(raft, { round: 0, index: raft.log.committed, from, context });',
  },
  {
    name: 'restore-keeps-later-entries',
    what: 'restoring a snapshot keeps the log entries after its index',
    file: 'storage/memory-storage.js',
    search: 'this.entriesValue = [dummyEntry(index, term)];',
    replace: 'this.entriesValue = [dummyEntry(index, term), ...this.entriesValue' +
      '.filter((e, i) => i > 0 && e.index > index)];',
  },
  {
    name: 'two-pending-conf-changes',
    what: 'a leader proposes a conf change while another is not committed',
    file: 'raft/leader.js',
    search: 'if (raft.pendingConfIndex > raft.log.committed) {',
    replace: 'if (false) {',
  },
  {
    name: 'stale-term-append-responses',
    what: 'a leader steps append responses of an older term',
    file: 'raft/raft.js',
    search: 'else if (message.term < this.term) {',
    replace: "else if (message.term < this.term && message.type !== 'appResp') {",
  },
  {
    name: 'commit-earlier-term',
    what: 'a leader commits an entry of an earlier term by counting replicas',
    file: 'raft/log.js',
    search: 'if (maxIndex > this.committed && this.termOrZero(maxIndex) === term) {',
    replace: 'if (maxIndex > this.committed) {',
  },
  {
    name: 'second-vote',
    what: 'a node votes twice in one term',
    file: 'raft/raft.js',
    search: 'const canVote = this.vote === message.from ||',
    replace: 'const canVote = true ||',
  },
  {
    name: 'send-before-persist',
    what: 'votes and acknowledgements leave before their state is on disk',
    file: 'raft/raft-node.js',
    search: 'if (message.term === persistedTerm && EARLY_TYPES.has(message.type))',
    replace: 'if (true)',
  },
  {
    name: 'renew-revoking-lease',
    what: 'a lease whose Revoke timed out is renewable while the Revoke is in the log',
    file: 'replica/lease-keeper.js',
    search: "if (outcome.status === 'rejected')",
    replace: "if (outcome.status !== 'committed')",
  },
  {
    name: 'peers-from-snapshot-only',
    what: 'a restarted node learns no member added since its snapshot',
    file: 'replica/registry-node.js',
    search: 'this.peers.announceLog(options.storage);',
    replace: '',
  },
  {
    name: 'amnesia',
    what: 'a node whose data dir is lost comes back as the member it was',
    file: undefined,
    args: ['--amnesia'],
  },
];

function parse() {
  const { values } = parseArgs({
    options: {
      seeds: { type: 'string', default: '300' },
      nodes: { type: 'string', default: '3' },
      only: { type: 'string' },
    },
  });
  const only = values.only?.split(',');
  return {
    seeds: Number(values.seeds), nodes: values.nodes,
    mutants: MUTANTS.filter((mutant) => only === undefined || only.includes(mutant.name)),
  };
}

/** A copy of dist/ with the mutant applied; throws if its code is not found exactly once. */
function mutate(mutant) {
  const dir = mkdtempSync(join(tmpdir(), `roster-mutant-${mutant.name}-`));
  cpSync(join(ROOT, 'dist'), join(dir, 'dist'), { recursive: true });
  cpSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
  cpSync(join(ROOT, 'proto'), join(dir, 'proto'), { recursive: true });
  execFileSync('ln', ['-s', join(ROOT, 'node_modules'), join(dir, 'node_modules')]);
  if (mutant.file !== undefined) {
    const path = join(dir, 'dist', mutant.file);
    const code = readFileSync(path, 'utf8');
    const found = code.split(mutant.search).length - 1;
    if (found !== 1) {
      throw new Error(`mutant ${mutant.name}: its code is in ${mutant.file} ${found} times, ` +
        'not once: the build changed, update the mutant');
    }
    writeFileSync(path, code.replace(mutant.search, mutant.replace));
  }
  return dir;
}

function run(dir, mutant, options) {
  const result = spawnSync(process.execPath, [join(dir, 'dist', 'sim', 'main.js'),
    '--seeds', String(options.seeds), '--nodes', options.nodes, '--brief',
    ...(mutant.args ?? [])],
  { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const failures = [...result.stdout.matchAll(/^FAIL seed=(\d+) nodes=\d+ invariant=(.+)$/gm)];
  const invariants = new Map();
  for (const [, , invariant] of failures) {
    invariants.set(invariant, (invariants.get(invariant) ?? 0) + 1);
  }
  return { failures: failures.length, first: failures[0], invariants };
}

const options = parse();
execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
console.log(`mutant | what it breaks | seeds caught of ${options.seeds} (${options.nodes} nodes)` +
  ' | invariants');
console.log('--- | --- | --- | ---');
let survivors = 0;
for (const mutant of options.mutants) {
  const dir = mutate(mutant);
  try {
    const { failures, first, invariants } = run(dir, mutant, options);
    if (failures === 0) survivors += 1;
    const share = `${failures} (${((100 * failures) / options.seeds).toFixed(1)}%)`;
    const seen = [...invariants].sort((a, b) => b[1] - a[1])
      .map(([invariant, count]) => `${invariant} ${count}`).join(', ');
    console.log(`${mutant.name} | ${mutant.what} | ${share}` +
      `${first === undefined ? '' : `, e.g. seed ${first[1]}`} | ${seen || 'SURVIVED'}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
console.log(`mutants: ${options.mutants.length} survivors: ${survivors}`);
process.exitCode = survivors > 0 ? 1 : 0;
