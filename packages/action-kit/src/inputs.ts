import { parse as parseYaml } from 'yaml';
import { InputError } from './errors.js';
import { parseDuration, formatDuration } from './duration.js';

/** Where input values come from: the runner's INPUT_* variables, or the CLI's flags. */
export type InputSource = (name: string) => string | undefined;

/** Reads inputs the way the runner passes them (INPUT_<NAME>, trimmed), like core.getInput. */
export function runnerInputSource(env: NodeJS.ProcessEnv = process.env): InputSource {
  return (name) => env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`]?.trim();
}

/**
 * Typed, validating input readers. Every reader fails with an InputError that
 * names the input, the value and the expected form, so an action can read and
 * validate all of its inputs in one place before it touches anything.
 */
export class Inputs {
  constructor(private readonly source: InputSource = runnerInputSource()) {}

  /** The raw text, or undefined when the input is empty or absent. */
  optional(name: string): string | undefined {
    const value = this.source(name)?.trim();
    return value === undefined || value === '' ? undefined : value;
  }

  required(name: string): string {
    const value = this.optional(name);
    if (value === undefined) throw new InputError(name, value, 'a value (this input is required)');
    return value;
  }

  string(name: string, fallback: string): string {
    return this.optional(name) ?? fallback;
  }

  /** `true`/`false` in any letter case, as YAML 1.2's core schema and actions/toolkit accept. */
  boolean(name: string, fallback: boolean): boolean {
    const value = this.optional(name);
    if (value === undefined) return fallback;
    if (/^true$/i.test(value)) return true;
    if (/^false$/i.test(value)) return false;
    throw new InputError(name, value, 'true or false');
  }

  integer(name: string, options: { fallback?: number; min?: number; max?: number } = {}): number {
    const value = this.optional(name);
    if (value === undefined) {
      if (options.fallback === undefined)
        throw new InputError(name, value, `a whole number${range(options)}`);
      return options.fallback;
    }
    const parsed = /^[+-]?\d+$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(parsed) || !inRange(parsed, options)) {
      throw new InputError(name, value, `a whole number${range(options)}`);
    }
    return parsed;
  }

  /** A duration in milliseconds: `90s`, `5m`, `1h`, `250ms`, `1h30m` or plain seconds. */
  duration(
    name: string,
    options: { fallback?: string; minMs?: number; maxMs?: number } = {},
  ): number {
    const value = this.optional(name) ?? options.fallback;
    const expected = `a duration such as 30s, 5m or 1h (plain numbers are seconds)${durationRange(options)}`;
    if (value === undefined) throw new InputError(name, value, expected);
    const ms = parseDuration(value);
    if (ms === undefined || !inRange(ms, { min: options.minMs, max: options.maxMs })) {
      throw new InputError(name, value, expected);
    }
    return ms;
  }

  /** One of a fixed set of words, compared case-insensitively; returns the canonical spelling. */
  choice<T extends string>(name: string, choices: readonly T[], fallback: T): T {
    const value = this.optional(name);
    if (value === undefined) return fallback;
    const match = choices.find((c) => c.toLowerCase() === value.toLowerCase());
    if (match === undefined) throw new InputError(name, value, `one of ${choices.join(', ')}`);
    return match;
  }

  /** Items separated by newlines or commas; blanks and `#` comment lines dropped. */
  list(name: string): string[] {
    return splitList(this.optional(name) ?? '');
  }

  /** `KEY=VALUE` lines (or comma-separated pairs). Values may contain `=`; keys may not be empty. */
  map(
    name: string,
    options: { keyPattern?: RegExp; keyDescription?: string } = {},
  ): Map<string, string> {
    const entries = new Map<string, string>();
    for (const line of splitLines(this.optional(name) ?? '')) {
      const eq = line.indexOf('=');
      const key = eq > 0 ? line.slice(0, eq).trim() : '';
      const validKey =
        key !== '' && (options.keyPattern === undefined || options.keyPattern.test(key));
      if (!validKey) {
        throw new InputError(
          name,
          line,
          `KEY=VALUE lines${options.keyDescription ? ` (${options.keyDescription})` : ''}`,
        );
      }
      if (entries.has(key)) throw new InputError(name, line, `each key once (${key} is repeated)`);
      entries.set(key, line.slice(eq + 1).trim());
    }
    return entries;
  }

  /** A YAML (or JSON, which is YAML) block, parsed. Undefined when absent. */
  structured(name: string): unknown {
    const value = this.optional(name);
    if (value === undefined) return undefined;
    try {
      return parseYaml(value, { prettyErrors: true, uniqueKeys: true });
    } catch (error) {
      const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
      throw new InputError(name, firstLine(value), `valid YAML or JSON (${reason})`);
    }
  }
}

export function splitList(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((item) => item.trim())
    .filter((item) => item !== '' && !item.startsWith('#'));
}

function splitLines(text: string): string[] {
  const lines = text.includes('\n') ? text.split('\n') : text.split(',');
  return lines.map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
}

function firstLine(text: string): string {
  const line = text.split('\n')[0] ?? '';
  return text.includes('\n') ? `${line}…` : line;
}

function inRange(
  value: number,
  bounds: { min?: number | undefined; max?: number | undefined },
): boolean {
  return (
    (bounds.min === undefined || value >= bounds.min) &&
    (bounds.max === undefined || value <= bounds.max)
  );
}

function range(bounds: { min?: number; max?: number }): string {
  if (bounds.min !== undefined && bounds.max !== undefined)
    return ` from ${bounds.min} to ${bounds.max}`;
  if (bounds.min !== undefined) return ` of at least ${bounds.min}`;
  if (bounds.max !== undefined) return ` of at most ${bounds.max}`;
  return '';
}

function durationRange(bounds: { minMs?: number; maxMs?: number }): string {
  if (bounds.minMs !== undefined && bounds.maxMs !== undefined) {
    return `, from ${formatDuration(bounds.minMs)} to ${formatDuration(bounds.maxMs)}`;
  }
  if (bounds.minMs !== undefined) return `, at least ${formatDuration(bounds.minMs)}`;
  if (bounds.maxMs !== undefined) return `, at most ${formatDuration(bounds.maxMs)}`;
  return '';
}
