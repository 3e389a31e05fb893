// "Did you mean" for a mistyped word, as cobra (and so Linkerd's CLI) does:
// candidates within two edits, or that start with what was typed.

const MAX_EDITS = 2;

/** The candidates close to `typed`, closest first. */
export function suggestions(typed: string, candidates: Iterable<string>): string[] {
  const word = typed.toLowerCase();
  const scored: { candidate: string; edits: number }[] = [];
  for (const candidate of candidates) {
    const edits = distance(word, candidate.toLowerCase());
    if (edits <= MAX_EDITS || (word.length > 0 && candidate.toLowerCase().startsWith(word))) {
      scored.push({ candidate, edits });
    }
  }
  return scored.sort((a, b) => a.edits - b.edits).map((s) => s.candidate);
}

/** The lines that follow an unknown word's error: empty when nothing is close. */
export function didYouMean(typed: string, candidates: Iterable<string>): string {
  const close = suggestions(typed, candidates);
  return close.length === 0 ? '' : `\nDid you mean this?\n${close.map((c) => `\t${c}\n`).join('')}\n`;
}

/** Levenshtein distance, one row at a time. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] as number;
}
