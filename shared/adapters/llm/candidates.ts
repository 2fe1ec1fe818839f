import type { CandidateProposal } from '../../domain/types.js';
import { stripFences } from './fences.js';

export interface ModelCandidate {
  title: string;
  code: string;
  rationale: string;
}

/** How many candidates a round asks for and keeps. */
export const CANDIDATES_PER_ROUND = 3;

/** Two programs that differ only in line endings or trailing whitespace are the same program. */
export function normalizeCode(code: string): string {
  return code
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.replace(/[ \t]+$/, ''))
    .join('\n')
    .trim();
}

/**
 * Strips fences, then drops candidates identical to the original or to an earlier candidate: running
 * the same program twice proves nothing more.
 */
export function toProposals(
  candidates: readonly ModelCandidate[],
  original: string,
  source: string,
): { proposals: CandidateProposal[]; duplicates: number } {
  const seen = new Set<string>([normalizeCode(original)]);
  const proposals: CandidateProposal[] = [];
  let duplicates = 0;
  for (const candidate of candidates) {
    if (proposals.length >= CANDIDATES_PER_ROUND) break;
    const code = stripFences(candidate.code);
    const key = normalizeCode(code);
    if (key === '' || seen.has(key)) {
      duplicates++;
      continue;
    }
    seen.add(key);
    proposals.push({
      code: code.endsWith('\n') ? code : `${code}\n`,
      source,
      title: candidate.title || `Candidate ${proposals.length + 1}`,
      ...(candidate.rationale ? { rationale: candidate.rationale } : {}),
    });
  }
  return { proposals, duplicates };
}

/** A reproduction is a program too: unfenced, or null when the model wrote nothing usable. */
export function toReproduction(text: string | null): string | null {
  if (text === null) return null;
  const code = stripFences(text);
  if (code.trim() === '') return null;
  return code.endsWith('\n') ? code : `${code}\n`;
}
