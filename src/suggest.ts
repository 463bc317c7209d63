/** "Did you mean" for names the user typed: manifest keys, tasks, actions. */

/** ", did you mean 'x'?" for a near miss (edit distance at most 2, or a case-only difference). */
export function suggest(word: string, candidates: readonly string[]): string {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best !== undefined && bestDistance <= Math.min(2, Math.max(1, Math.floor(word.length / 3))) ? `, did you mean '${best}'?` : '';
}

/** "did you mean 'x'?" (followed by `separator`) for a near miss, else '' — for a hint. */
export function didYouMean(word: string, candidates: readonly string[], separator = ''): string {
  const near = suggest(word, candidates);
  return near === '' ? '' : `${near.slice(2)}${separator}`;
}

/** Optimal string alignment distance: typos such as swapped letters (`asnyc`) count as one edit. */
function editDistance(a: string, b: string): number {
  const rows: number[][] = [Array.from({ length: b.length + 1 }, (_, j) => j)];
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = rows[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      row[j] = Math.min(rows[i - 1]![j]! + 1, row[j - 1]! + 1, substitution);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j]!, rows[i - 2]![j - 2]! + 1);
    }
    rows.push(row);
  }
  return rows[a.length]![b.length]!;
}
