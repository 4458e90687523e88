/**
 * The small JSON path dialect checks use: `version`, `build.sha`,
 * `$.data.version`, `$.items[0].id`, `items.0.id`, `$['odd.key']`, or `$` for
 * the whole document. No wildcards or filters: a check names one value.
 */
export type JsonPathSegment = string | number;

export type JsonLookup = { found: true; value: unknown } | { found: false; missingAt: string };

const SEGMENT = /\.([^.[\]'"]+)|\[(\d+)\]|\[(['"])(.*?)\3\]/y;

/** The segments of `text`, or undefined when it is not a path of this dialect. */
export function parseJsonPath(text: string): JsonPathSegment[] | undefined {
  let rest = text.trim();
  if (rest === '') return undefined;
  if (rest.startsWith('$')) rest = rest.slice(1);
  else if (!rest.startsWith('[')) rest = `.${rest}`;
  const segments: JsonPathSegment[] = [];
  SEGMENT.lastIndex = 0;
  while (SEGMENT.lastIndex < rest.length) {
    const match = SEGMENT.exec(rest);
    if (!match) return undefined;
    const [, name, index, , quoted] = match;
    segments.push(index !== undefined ? Number(index) : (name ?? quoted ?? ''));
  }
  return segments;
}

/** Follows `segments` into `document`. A numeric name also indexes an array (`items.0`). */
export function lookupJsonPath(
  document: unknown,
  segments: readonly JsonPathSegment[],
): JsonLookup {
  let current = document;
  for (const [position, segment] of segments.entries()) {
    const next = child(current, segment);
    if (next === undefined) {
      return { found: false, missingAt: formatJsonPath(segments.slice(0, position + 1)) };
    }
    current = next.value;
  }
  return { found: true, value: current };
}

/** `$.build.sha`, `$.items[0]`, `$['odd.key']`: how messages show a path. */
export function formatJsonPath(segments: readonly JsonPathSegment[]): string {
  return segments.reduce<string>((path, segment) => {
    if (typeof segment === 'number') return `${path}[${segment}]`;
    return /^[^.[\]'"]+$/.test(segment) ? `${path}.${segment}` : `${path}['${segment}']`;
  }, '$');
}

/** A JSON value as text for comparison and messages: strings as they are, the rest as JSON. */
export function formatJsonValue(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? 'undefined');
}

function child(value: unknown, segment: JsonPathSegment): { value: unknown } | undefined {
  if (Array.isArray(value)) {
    const index =
      typeof segment === 'number' ? segment : /^\d+$/.test(segment) ? Number(segment) : -1;
    return index >= 0 && index < value.length ? { value: value[index] } : undefined;
  }
  if (typeof segment === 'string' && isObject(value) && Object.hasOwn(value, segment)) {
    return { value: value[segment] };
  }
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
