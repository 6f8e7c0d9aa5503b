/**
 * Python's difflib.get_close_matches (SequenceMatcher ratio, no junk heuristics: the words are
 * short), which argparse errors use for "maybe you meant".
 */

/** Matching characters: the longest common block, then the same on each side of it, recursively. */
function matches(a: string, b: string): number {
  let best = 0;
  let bestI = 0;
  let bestJ = 0;
  for (let i = 0; i < a.length; i++) {
    for (let j = 0; j < b.length; j++) {
      let k = 0;
      while (i + k < a.length && j + k < b.length && a[i + k] === b[j + k]) k++;
      if (k > best) [best, bestI, bestJ] = [k, i, j];
    }
  }
  if (best === 0) return 0;
  return best + matches(a.slice(0, bestI), b.slice(0, bestJ)) + matches(a.slice(bestI + best), b.slice(bestJ + best));
}

export const ratio = (a: string, b: string): number => (a.length + b.length === 0 ? 1 : (2 * matches(a, b)) / (a.length + b.length));

/** Up to three candidates scoring at least `cutoff`, best first (ties: later candidates first, as difflib's heap does). */
export function closeMatches(word: string, candidates: readonly string[], cutoff = 0.6, n = 3): string[] {
  return candidates
    .map((c, index) => ({ c, index, score: ratio(word, c) }))
    .filter((x) => x.score >= cutoff)
    .sort((x, y) => y.score - x.score || (y.c > x.c ? 1 : y.c < x.c ? -1 : 0))
    .slice(0, n)
    .map((x) => x.c);
}
