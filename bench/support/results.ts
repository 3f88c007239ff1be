import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

/** One measured case: our figure beside the peer's, from the same run on the same data. */
export interface BenchRow {
  case: string;
  unit: string;
  better: 'lower' | 'higher';
  ours: number;
  /** Name of the peer or reference this row compares against. */
  peer: string;
  peerValue: number;
  /** The target stated in the issue, e.g. `ratio <= 0.5` or `ours <= 1`. */
  target: string;
  met: boolean;
  /** Free-form context: parameters, recall, what limits the figure. */
  notes?: string;
}

export interface BenchResult {
  bench: string;
  date: string;
  machine: {
    cpus: number;
    cpuModel: string;
    memoryGiB: number;
    node: string;
    platform: string;
    browser?: string;
  };
  rows: (BenchRow & { ratio: number })[];
  extra?: Record<string, unknown>;
}

/** Builds a row; `ratio` is always ours / peerValue. */
export function row(input: BenchRow): BenchRow {
  return input;
}

export function machine(browser?: string): BenchResult['machine'] {
  const info: BenchResult['machine'] = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
  if (browser) info.browser = browser;
  return info;
}

/** Writes `bench/results/NAME.json` in the shared shape and prints the table. */
export function writeResults(
  bench: string,
  rows: BenchRow[],
  options: { browser?: string; extra?: Record<string, unknown> } = {},
): BenchResult {
  const result: BenchResult = {
    bench,
    date: new Date().toISOString(),
    machine: machine(options.browser),
    rows: rows.map((entry) => ({ ...entry, ratio: round(entry.ours / entry.peerValue) })),
  };
  if (options.extra) result.extra = options.extra;
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(`bench/results/${bench}.json`, `${JSON.stringify(result, null, 2)}\n`);
  printTable(result);
  return result;
}

export function printTable(result: BenchResult): void {
  console.log(`\n${result.bench}`);
  console.table(
    result.rows.map((entry) => ({
      case: entry.case,
      ours: `${round(entry.ours)} ${entry.unit}`,
      peer: `${entry.peer}: ${round(entry.peerValue)} ${entry.unit}`,
      ratio: entry.ratio,
      target: entry.target,
      met: entry.met ? 'yes' : 'NO',
    })),
  );
}

export function round(value: number, digits = 3): number {
  if (!Number.isFinite(value)) return value;
  const scale = 10 ** Math.max(0, digits - Math.floor(Math.log10(Math.abs(value) || 1)));
  return Math.round(value * scale) / scale;
}

/** Percentile of a sample (nearest rank). */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
