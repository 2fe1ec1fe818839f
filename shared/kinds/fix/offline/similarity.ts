import { distance } from 'fastest-levenshtein';

/** A name close enough to a misspelling to be offered in its place. */
export interface NameMatch {
  name: string;
  distance: number;
}

/**
 * Names from `pool` near `wanted`, closest first. The budget grows with the length of the word,
 * so `x` matches nothing while `totl` matches `total`; a difference of case alone counts as near.
 */
export function nearestNames(wanted: string, pool: Iterable<string>, limit = 3): NameMatch[] {
  // Two-letter names are too short to guess at beyond their case.
  const budget = wanted.length <= 2 ? 0.5 : Math.max(1, Math.min(3, Math.floor(wanted.length / 3)));
  const matches: NameMatch[] = [];
  const seen = new Set<string>();
  for (const name of pool) {
    if (name === wanted || seen.has(name)) continue;
    seen.add(name);
    const d = name.toLowerCase() === wanted.toLowerCase() ? 0.5 : editDistance(wanted, name);
    if (d <= budget && name.length > 1) matches.push({ name, distance: d });
  }
  return matches.sort((a, b) => a.distance - b.distance || a.name.localeCompare(b.name)).slice(0, limit);
}

/**
 * Longer names from `pool` that `short` abbreviates: same first letter, and every letter of `short`
 * in order (`vals` → `values`, `cnt` → `count`, `idx` → `index`). Shortest first.
 */
export function expansionsOf(short: string, pool: Iterable<string>, limit = 2): string[] {
  if (short.length < 2) return [];
  const found = new Set<string>();
  for (const name of pool) {
    if (name.length <= short.length || name.length > short.length * 3 || name[0] !== short[0]) continue;
    let at = 0;
    for (const letter of name) if (letter === short[at]) at += 1;
    if (at === short.length) found.add(name);
  }
  return [...found].sort((a, b) => a.length - b.length || a.localeCompare(b)).slice(0, limit);
}

/** Levenshtein distance where swapping two neighbouring letters costs one edit, not two. */
function editDistance(a: string, b: string): number {
  const plain = distance(a, b);
  if (plain !== 2 || a.length !== b.length) return plain;
  const diffs: number[] = [];
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) diffs.push(i);
  const [i, j] = diffs;
  return diffs.length === 2 && i !== undefined && j === i + 1 && a[i] === b[j] && a[j] === b[i] ? 1 : plain;
}
