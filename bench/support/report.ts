/**
 * How a benchmark reports: each measurement is a named sample set; the report
 * prints the median of each and the ratio of ours against the peer measured in
 * the same run, and writes the figures as JSON under bench/results/ (not
 * committed) so bench/README.md can quote them.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface Measurement {
  /** e.g. "second run, already built". */
  name: string;
  /** Wall time of each repetition, in milliseconds. */
  samplesMs: number[];
  /** Other counts worth recording (API calls, uploads…), from the last repetition. */
  counts?: Record<string, number>;
}

export interface Comparison {
  scenario: string;
  ours: Measurement;
  peer: Measurement;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no samples');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Runs `body` `times` times and returns the wall time of each run. */
export async function timeRuns(times: number, body: () => Promise<void>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < times; i += 1) {
    const started = performance.now();
    await body();
    samples.push(performance.now() - started);
  }
  return samples;
}

/** Prints the comparisons as a table and writes bench/results/<area>.json. */
export function report(area: string, comparisons: Comparison[], notes: string[] = []): string {
  const rows = comparisons.map((c) => {
    const ours = median(c.ours.samplesMs);
    const peer = median(c.peer.samplesMs);
    const counts = [c.ours, c.peer]
      .map((m) =>
        m.counts
          ? Object.entries(m.counts)
              .map(([k, v]) => `${k} ${v}`)
              .join(', ')
          : '',
      )
      .join(' / ');
    return `| ${c.scenario} | ${c.ours.name}: ${ms(ours)} | ${c.peer.name}: ${ms(peer)} | ${(peer / ours).toFixed(1)}× | ${counts} |`;
  });
  const table = [
    `### ${area} (${new Date().toISOString().slice(0, 10)}, ${process.platform} ${process.arch}, median of each)`,
    '',
    '| Scenario | Ours | Peer | Peer ÷ ours | Counts (ours / peer) |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    ...notes.map((n) => `\n${n}`),
  ].join('\n');
  process.stdout.write(`\n${table}\n`);
  const dir = path.join(process.cwd(), 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, `${area.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.json`),
    JSON.stringify({ area, at: new Date().toISOString(), comparisons, notes }, null, 2),
  );
  return table;
}

function ms(value: number): string {
  return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${Math.round(value)} ms`;
}
