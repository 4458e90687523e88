/** Reads and writes durations: `90s`, `5m`, `1h30m`, `250ms`, or plain seconds. */
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/;

/**
 * Parses `90s`, `5m`, `1h`, `250ms`, `1h30m` or plain seconds (`30`) into
 * milliseconds. Returns undefined when the text is not a duration.
 */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim().toLowerCase();
  if (trimmed === '') return undefined;
  const parts = trimmed.match(/\d+(?:\.\d+)?(?:ms|s|m|h)?/g);
  if (!parts || parts.join('') !== trimmed) return undefined;
  if (parts.length > 1 && parts.some((p) => !/[a-z]$/.test(p))) return undefined;
  let total = 0;
  for (const part of parts) {
    const match = DURATION.exec(part);
    if (!match) return undefined;
    total += Number(match[1]) * UNIT_MS[match[2] ?? 's']!;
  }
  return Math.round(total);
}

/** Formats milliseconds for people: `850ms`, `12.3s`, `4m 05s`, `1h 02m`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const totalSeconds = Math.round(ms / 1000);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  if (hours > 0) return `${hours}h ${String(minutes).padStart(2, '0')}m`;
  return `${minutes}m ${String(seconds).padStart(2, '0')}s`;
}

const INPUT_UNITS: [string, number][] = [
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
  ['ms', 1],
];

/** Formats milliseconds as one would write them in an input (parseDuration reads them back): `100ms`, `10s`, `6h`, `1h30m`. */
export function formatDurationInput(ms: number): string {
  let rest = Math.round(ms);
  let text = '';
  for (const [unit, size] of INPUT_UNITS) {
    const count = Math.floor(rest / size);
    if (count > 0) {
      text += `${count}${unit}`;
      rest -= count * size;
    }
  }
  return text || '0s';
}
