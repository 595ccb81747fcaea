/**
 * Commander's "did you mean" for a name it is not asked about itself: `help <unknown command>`.
 * The same rule as commander's own suggestions (it does not export them): the candidates at the
 * smallest optimal-string-alignment distance, at most 3 edits and more than 40 % alike.
 */
export function suggestSimilar(word: string, candidates: readonly string[]): string[] {
  let best: string[] = [];
  let bestDistance = maxDistance;
  for (const candidate of new Set(candidates)) {
    if (candidate.length <= 1) continue;
    const distance = editDistance(word, candidate);
    const length = Math.max(word.length, candidate.length);
    if ((length - distance) / length <= 0.4) continue;
    if (distance < bestDistance) {
      bestDistance = distance;
      best = [candidate];
    } else if (distance === bestDistance) best.push(candidate);
  }
  return best.sort((a, b) => a.localeCompare(b));
}

const maxDistance = 3;

/** Edits (insert, delete, substitute, swap two neighbours) from `a` to `b`, each part edited once. */
function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > maxDistance) return Math.max(a.length, b.length);
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number) => d[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i <= a.length; i += 1) {
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, at(i - 2, j - 2) + 1);
      }
      (d[i] as number[])[j] = value;
    }
  }
  return at(a.length, b.length);
}
