/**
 * "Did you mean": the name a mistyped one most likely meant, for errors about
 * unknown keys, inputs and actions.
 */

export interface ClosestOptions {
  /** The largest edit distance still taken as a typo of `candidate`: a third of its length (at least 1) by default. */
  maxDistance?: (candidate: string) => number;
  /** With no candidate in reach, one that contains the name or is contained in it (`smoke` → `smoke-test`). */
  containing?: boolean;
}

/**
 * The candidate nearest to `name` among those within reach of a typo, or
 * undefined. Names are compared in kebab case, so `maxLatency`, `max_latency`
 * and `MAX-LATENCY` all find `max-latency`; ties go to the earlier candidate.
 */
export function closest(
  name: string,
  candidates: readonly string[],
  options: ClosestOptions = {},
): string | undefined {
  const reach = options.maxDistance ?? ((c: string) => Math.max(1, Math.floor(c.length / 3)));
  const word = kebab(name);
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(word, kebab(candidate));
    if (distance <= reach(candidate) && (best === undefined || distance < best.distance)) {
      best = { candidate, distance };
    }
  }
  if (best !== undefined) return best.candidate;
  if (!options.containing) return undefined;
  return candidates.find((c) => kebab(c).includes(word) || word.includes(kebab(c)));
}

function kebab(name: string): string {
  return name
    .replace(/([a-z])([A-Z])/g, '$1-$2')
    .replace(/[_\s]+/g, '-')
    .toLowerCase();
}

/** Levenshtein distance. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}
