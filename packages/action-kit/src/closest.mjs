// @ts-check
/**
 * "Did you mean": the name a mistyped one most likely meant, for errors about
 * unknown keys, inputs and actions. Plain JavaScript (JSDoc-typed) so that the
 * CLI, which runs without a build, uses this one too.
 */

/**
 * @typedef {object} ClosestOptions
 * @property {(candidate: string) => number} [maxDistance] The largest edit distance still taken
 *   as a typo of `candidate`: a third of its length (at least 1) by default.
 * @property {boolean} [containing] With no candidate in reach, one that contains the name or is
 *   contained in it (`smoke` → `smoke-test`).
 */

/**
 * The candidate nearest to `name` among those within reach of a typo, or
 * undefined. Names are compared in kebab case, so `maxLatency`, `max_latency`
 * and `MAX-LATENCY` all find `max-latency`; ties go to the earlier candidate.
 * @param {string} name
 * @param {readonly string[]} candidates
 * @param {ClosestOptions} [options]
 * @returns {string | undefined}
 */
export function closest(name, candidates, options = {}) {
  const reach = options.maxDistance ?? ((c) => Math.max(1, Math.floor(c.length / 3)));
  const word = kebab(name);
  /** @type {{ candidate: string, distance: number } | undefined} */
  let best;
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

/** @param {string} name */
function kebab(name) {
  return name
    .replace(/([a-z])([A-Z])/g, '$1-$2')
    .replace(/[_\s]+/g, '-')
    .toLowerCase();
}

/**
 * Levenshtein distance.
 * @param {string} a
 * @param {string} b
 * @returns {number}
 */
function editDistance(a, b) {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution =
        /** @type {number} */ (previous[j - 1]) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(
        Math.min(
          /** @type {number} */ (previous[j]) + 1,
          /** @type {number} */ (current[j - 1]) + 1,
          substitution,
        ),
      );
    }
    previous = current;
  }
  return /** @type {number} */ (previous[b.length]);
}
