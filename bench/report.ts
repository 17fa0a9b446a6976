// One row per figure: the figure, what it is compared with in the same run, the ratio, the budget and
// the verdict. Printed as a table, written to bench/results.json, and rendered as Markdown for
// BENCHMARKS.md.

import { execSync } from 'node:child_process';
import { renameSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';

export type Verdict = 'pass' | 'falls short' | 'info';

export interface Budget {
  /** The figure must be at most this (in the row's unit). */
  max?: number;
  /** The ratio must be at least this (e.g. 8 for "8× faster"). */
  minRatio?: number;
  /** How the design states it. */
  text: string;
}

export interface RowInput {
  group: string;
  name: string;
  value: number;
  unit: string;
  /** What the figure is set beside; `ratio: false` when it is context (a p99) rather than a rival. */
  comparison?: { name: string; value: number; ratio?: false };
  /** Requests per second: more is better. Otherwise less is. */
  higherIsBetter?: boolean;
  budget?: Budget;
}

export interface Row extends RowInput {
  /** How many times better the figure is than its comparison (above 1: better; below 1: worse). */
  ratio?: number;
  verdict: Verdict;
}

export function judge(input: RowInput): Row {
  const c = input.comparison;
  let ratio: number | undefined;
  if (c && c.ratio !== false && c.value > 0 && input.value > 0) ratio = input.higherIsBetter ? input.value / c.value : c.value / input.value;
  const { budget } = input;
  let verdict: Verdict = 'info';
  if (budget) {
    const withinMax = budget.max === undefined || input.value <= budget.max;
    const withinRatio = budget.minRatio === undefined || (ratio !== undefined && ratio >= budget.minRatio);
    verdict = withinMax && withinRatio ? 'pass' : 'falls short';
  }
  return { ...input, ratio, verdict };
}

export interface Machine {
  cpu: string;
  cores: number;
  node: string;
  platform: string;
  /** 1-minute load average when the run started: other processes on the machine show here. */
  loadAverage: number;
}

export function machine(): Machine {
  return { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version, platform: `${process.platform}-${process.arch}`, loadAverage: loadavg()[0] };
}

export interface Results {
  date: string;
  quick: boolean;
  commit?: string;
  machine: Machine;
  rows: Row[];
  /** Groups that could not run (e.g. the code under test is missing), with the reason. */
  skipped: { group: string; reason: string }[];
}

export function commit(): string | undefined {
  try {
    return execSync('git rev-parse --short HEAD', { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return undefined;
  }
}

function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const a = Math.abs(n);
  if (a === 0 || Number.isInteger(n)) return n.toLocaleString('en-US');
  if (a >= 100) return Math.round(n).toLocaleString('en-US');
  if (a >= 10) return n.toFixed(1);
  return n.toFixed(2);
}

function cells(r: Row): string[] {
  return [
    r.group,
    r.name,
    `${fmt(r.value)} ${r.unit}`,
    r.comparison ? `${r.comparison.name}: ${fmt(r.comparison.value)} ${r.unit}` : '',
    r.ratio === undefined ? '' : `${fmt(r.ratio)}×`,
    r.budget?.text ?? '',
    r.verdict === 'info' ? '' : r.verdict,
  ];
}

const HEADER = ['group', 'figure', 'value', 'comparison (same run)', 'ratio', 'budget', 'verdict'];

export function textTable(rows: Row[]): string {
  const table = [HEADER, ...rows.map(cells)];
  const widths = HEADER.map((_, i) => Math.max(...table.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [line(table[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...table.slice(1).map(line)].join('\n');
}

export function markdownTable(rows: Row[]): string {
  const esc = (c: string) => c.replace(/\|/g, '\\|');
  const line = (r: string[]) => `| ${r.map(esc).join(' | ')} |`;
  return [line(HEADER), line(HEADER.map(() => '---')), ...rows.map((r) => line(cells(r).map((c, i) => (i === 6 && c === 'falls short' ? '**falls short**' : c))))].join('\n');
}

export function summary(results: Results): string {
  const judged = results.rows.filter((r) => r.verdict !== 'info');
  const short = judged.filter((r) => r.verdict === 'falls short');
  const lines = [`${judged.length - short.length} of ${judged.length} budgets met.`];
  for (const r of short) lines.push(`  falls short: ${r.group} / ${r.name}: ${fmt(r.value)} ${r.unit} (budget ${r.budget?.text})`);
  for (const s of results.skipped) lines.push(`  not measured: ${s.group}: ${s.reason}`);
  if (results.quick) lines.push('QUICK RUN (--quick): a check that the harness works; these numbers are not for judging.');
  return lines.join('\n');
}

/** Written whole or not at all: an interrupted run leaves the previous results in place. */
export function writeResults(path: string, results: Results): void {
  writeFileSync(`${path}.tmp`, JSON.stringify(results, null, 2) + '\n');
  renameSync(`${path}.tmp`, path);
}
