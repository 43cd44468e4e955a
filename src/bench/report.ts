/** The bench's output: the side-by-side table, the targets, and the JSON document. */
import { round, spreadOf, type Spread } from './stats.js';
import type { SystemName } from './system.js';

export type RunFigures = Record<string, number>[];

/** Median and spread of every figure across runs. */
export function summarize(runs: RunFigures): Record<string, Spread> {
  const keys = new Set(runs.flatMap((run) => Object.keys(run)));
  const summary: Record<string, Spread> = {};
  for (const key of [...keys].sort()) {
    summary[key] = spreadOf(runs.map((run) => run[key] ?? Number.NaN));
  }
  return summary;
}

export interface Target {
  readonly key: string;
  readonly text: string;
  readonly check: (roster: number, etcd: number | undefined) => boolean | undefined;
}

/** The targets: medians, same run, this machine. */
export const TARGETS: readonly Target[] = [
  { key: 'register_ops_per_s_256', text: '>= 2x etcd',
    check: (r, e) => (e === undefined ? undefined : r >= 2 * e) },
  { key: 'register_p50_ms_1', text: '<= 1.5 ms', check: (r) => r <= 1.5 },
  { key: 'leases_renewed_per_cpu_s', text: '>= 3x etcd',
    check: (r, e) => (e === undefined ? undefined : r >= 3 * e) },
  { key: 'watch_p99_ms_1000', text: '<= etcd',
    check: (r, e) => (e === undefined ? undefined : r <= e) },
  { key: 'lookup_ops_per_s_linearizable', text: '>= etcd',
    check: (r, e) => (e === undefined ? undefined : r >= e) },
  { key: 'failover_ms', text: '<= etcd',
    check: (r, e) => (e === undefined ? undefined : r <= e) },
  { key: 'detect_ms_ttl5s', text: '<= TTL + 100 ms', check: (r) => r <= 5_100 },
  { key: 'rss_mb_100k', text: '<= etcd / 2',
    check: (r, e) => (e === undefined ? undefined : r <= e / 2) },
  { key: 'restart_ms_100k', text: '<= etcd',
    check: (r, e) => (e === undefined ? undefined : r <= e) },
];

function cell(spread: Spread | undefined): string {
  if (spread === undefined || !Number.isFinite(spread.median)) return '-';
  if (spread.runs.length === 1) return String(round(spread.median));
  return `${round(spread.median)} (${round(spread.min)}-${round(spread.max)})`;
}

/** A plain text table: figure, Roster, etcd, ratio, target. */
export function table(results: Partial<Record<SystemName, Record<string, Spread>>>): string {
  const roster = results.roster ?? {};
  const etcd = results.etcd;
  const keys = [...new Set([...Object.keys(roster), ...Object.keys(etcd ?? {})])].sort();
  const rows = [['figure', 'roster', 'etcd', 'roster/etcd', 'target']];
  for (const key of keys) {
    const r = roster[key]?.median;
    const e = etcd?.[key]?.median;
    const ratio = r !== undefined && e !== undefined && e !== 0 ? round(r / e) : '-';
    const target = TARGETS.find((candidate) => candidate.key === key);
    let verdict = '';
    if (target !== undefined && r !== undefined) {
      const met = target.check(r, e);
      verdict = `${target.text}: ${met === undefined ? 'n/a' : met ? 'met' : 'MISSED'}`;
    }
    rows.push([key, cell(roster[key]), cell(etcd?.[key]), String(ratio), verdict]);
  }
  const widths = (rows[0] as string[]).map((_, column) =>
    Math.max(...rows.map((row) => (row[column] as string).length)));
  return rows.map((row) => row.map((text, column) =>
    text.padEnd(widths[column] as number)).join('  ').trimEnd()).join('\n');
}

/** roster / etcd for every figure both have. */
export function ratios(
  roster: Record<string, Spread>, etcd: Record<string, Spread>,
): Record<string, number> {
  const result: Record<string, number> = {};
  for (const [key, spread] of Object.entries(roster)) {
    const other = etcd[key]?.median;
    if (other !== undefined && other !== 0 && Number.isFinite(spread.median)) {
      result[key] = spread.median / other;
    }
  }
  return result;
}
