/** Sets of HTTP status codes (expect-status, fail-fast-statuses): parsed, matched and shown. */
import { InputError } from '@deploy-actions/action-kit/engine';

/** A set of HTTP status codes, kept with the text it was written as for messages. */
export interface StatusSet {
  /** Normalised text, e.g. `200-299` or `200,204,301-302`; empty for the empty set. */
  readonly text: string;
  readonly ranges: readonly (readonly [number, number])[];
}

export const EMPTY_STATUS_SET: StatusSet = { text: '', ranges: [] };

const EXPECTED_FORM =
  'status codes from 100 to 599 and ranges separated by commas, e.g. 200-299, 2xx or 200,204,301-302';
const SINGLE = /^(\d{3})$/;
const RANGE = /^(\d{3})\s*-\s*(\d{3})$/;
const CLASS = /^([1-5])xx$/i;

/**
 * Parses `200-299`, `2xx` or `200,204,301-302` (spaces allowed). An empty text
 * is the empty set; callers decide whether that is allowed. `input` names the
 * input in the error.
 */
export function parseStatusRanges(text: string, input: string): StatusSet {
  const parts = text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  const ranges = parts.map((part) => {
    const range = parseRange(part);
    if (range === undefined) throw new InputError(input, text, `${EXPECTED_FORM} (${part} is not)`);
    return range;
  });
  return { text: ranges.map(formatRange).join(','), ranges };
}

export function statusMatches(set: StatusSet, status: number): boolean {
  return set.ranges.some(([low, high]) => status >= low && status <= high);
}

function parseRange(part: string): [number, number] | undefined {
  const statusClass = CLASS.exec(part);
  if (statusClass) {
    const hundreds = Number(statusClass[1]) * 100;
    return [hundreds, hundreds + 99];
  }
  const single = SINGLE.exec(part);
  if (single) return validRange(Number(single[1]), Number(single[1]));
  const range = RANGE.exec(part);
  if (range) return validRange(Number(range[1]), Number(range[2]));
  return undefined;
}

function validRange(low: number, high: number): [number, number] | undefined {
  const valid = (code: number) => code >= 100 && code <= 599;
  return valid(low) && valid(high) && low <= high ? [low, high] : undefined;
}

function formatRange([low, high]: readonly [number, number]): string {
  return low === high ? String(low) : `${low}-${high}`;
}
