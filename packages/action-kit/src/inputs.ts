/**
 * Typed, validating readers of action inputs (the Inputs class) and of single
 * values that are not inputs of their own: every mistake is an InputError
 * naming the input, the value and the expected form.
 */
import { parse as parseYaml } from 'yaml';
import { InputError } from './errors.js';
import { formatDuration, formatDurationInput, parseDuration } from './duration.js';

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

  integer(name: string, options: IntegerOptions = {}): number {
    return integerValue(name, this.optional(name), options);
  }

  /** A duration in milliseconds: `90s`, `5m`, `1h`, `250ms`, `1h30m` or plain seconds. */
  duration(name: string, options: DurationOptions = {}): number {
    return durationValue(name, this.optional(name) ?? options.fallback, options);
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
    const entries = parseKeyValueLines(this.optional(name) ?? '', {
      separator: '=',
      input: name,
      form: `KEY=VALUE lines${options.keyDescription ? ` (${options.keyDescription})` : ''}`,
      ...(options.keyPattern ? { keyPattern: options.keyPattern } : {}),
      unique: true,
      commas: true,
    });
    return new Map(entries);
  }

  /** A YAML (or JSON, which is YAML) block, parsed. Undefined when absent. */
  structured(name: string): unknown {
    const value = this.optional(name);
    return value === undefined ? undefined : yamlValue(name, value);
  }
}

// Readers of one value, for text that is not an input of its own (a field of a
// YAML input, or an input an engine receives as text): the same checks and
// messages as the Inputs methods. A blank value is absent.

export interface IntegerOptions {
  fallback?: number;
  min?: number;
  max?: number;
}

export interface DurationOptions {
  fallback?: string;
  minMs?: number;
  maxMs?: number;
  /** The examples the error gives: `30s, 5m or 1h` by default. */
  examples?: string;
  /** How the error writes the bounds: as formatDuration shows them (`10.0s`, `1h 00m`, the default) or as one writes an input (`10s`, `1h`). */
  boundsAs?: 'display' | 'input';
}

export function integerValue(
  name: string,
  value: string | undefined,
  options: IntegerOptions = {},
): number {
  const text = value?.trim();
  const expected = `a whole number${range(options)}`;
  if (text === undefined || text === '') {
    if (options.fallback === undefined) throw new InputError(name, value, expected);
    return options.fallback;
  }
  const parsed = /^[+-]?\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(parsed) || !inRange(parsed, options)) {
    throw new InputError(name, value, expected);
  }
  return parsed;
}

export function durationValue(
  name: string,
  value: string | undefined,
  options: DurationOptions = {},
): number {
  const text = value === undefined || value.trim() === '' ? options.fallback : value;
  const expected = `a duration such as ${options.examples ?? '30s, 5m or 1h'} (plain numbers are seconds)${durationRange(options)}`;
  if (text === undefined) throw new InputError(name, value, expected);
  const ms = parseDuration(text);
  if (ms === undefined || !inRange(ms, { min: options.minMs, max: options.maxMs })) {
    throw new InputError(name, value, expected);
  }
  return ms;
}

/** YAML (or JSON) text, parsed; `expected` names what it should hold, for the error. */
export function yamlValue(name: string, text: string, expected = 'valid YAML or JSON'): unknown {
  try {
    return parseYaml(text, { prettyErrors: true, uniqueKeys: true });
  } catch (error) {
    const reason = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
    throw new InputError(name, firstLine(text), `${expected} (${reason.replace(/:$/, '')})`);
  }
}

export interface KeyValueOptions {
  separator: '=' | ':';
  /** The input named in errors. */
  input: string;
  /** The form the lines should have, for errors: `KEY=VALUE lines`. */
  form: string;
  /** Keys must match this (else the line is refused with `form`). */
  keyPattern?: RegExp;
  /** A key given twice is an error. */
  unique?: boolean;
  /** Text without line breaks may give its pairs separated by commas. */
  commas?: boolean;
  /** Errors show only the start of a line: header lines carry credentials. */
  hideValues?: boolean;
}

/**
 * `key<separator>value` lines; blank lines and `#` comments are skipped, keys
 * and values trimmed. Values keep any further separators.
 */
export function parseKeyValueLines(value: string, options: KeyValueOptions): [string, string][] {
  const entries: [string, string][] = [];
  const seen = new Set<string>();
  const lines = options.commas && !value.includes('\n') ? value.split(',') : value.split(/\r?\n/);
  for (const line of lines) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const at = trimmed.indexOf(options.separator);
    const key = at > 0 ? trimmed.slice(0, at).trim() : '';
    if (key === '' || (options.keyPattern !== undefined && !options.keyPattern.test(key))) {
      const shown = options.hideValues ? `${trimmed.split(/[\s:=]/)[0]} …` : trimmed;
      throw new InputError(options.input, shown, options.form);
    }
    if (options.unique && seen.has(key)) {
      throw new InputError(options.input, trimmed, `each key once (${key} is repeated)`);
    }
    seen.add(key);
    entries.push([key, trimmed.slice(at + 1).trim()]);
  }
  return entries;
}

export function splitList(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((item) => item.trim())
    .filter((item) => item !== '' && !item.startsWith('#'));
}

function firstLine(text: string): string {
  const lines = text.trim().split('\n');
  return lines.length > 1 ? `${lines[0]}…` : (lines[0] ?? '');
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

function durationRange(bounds: DurationOptions): string {
  const format = bounds.boundsAs === 'input' ? formatDurationInput : formatDuration;
  if (bounds.minMs !== undefined && bounds.maxMs !== undefined) {
    return `, from ${format(bounds.minMs)} to ${format(bounds.maxMs)}`;
  }
  if (bounds.minMs !== undefined) return `, at least ${format(bounds.minMs)}`;
  if (bounds.maxMs !== undefined) return `, at most ${format(bounds.maxMs)}`;
  return '';
}
