import type { CandidateFeedback, CandidateProposal } from '../../../domain/types.js';
import type {
  CandidateSource,
  GeneratedCandidates,
  GenerateRequest,
} from '../../../ports/candidate-source.js';
import { type FixOutcome, proposeFixes } from './propose-fixes.js';
import { parseTraceback } from './traceback.js';

export interface OfflineCandidateSourceOptions {
  /** At most this many candidates per round. @default 3 */
  maxCandidates?: number;
}

/** A program to repair and where it came from. */
interface Starting {
  code: string;
  error?: string;
  label: string;
}

/**
 * The built-in candidate source: rewrites the program for common Python errors from the program
 * text and its traceback alone — no model, no network, no interpreter.
 *
 * 1. Round 1: read the error (or scan statically without one) and propose up to three fixes.
 * 2. Later rounds: a candidate that failed with a *different* error got past the first one, so
 *    its next error is fixed on top of it; the original is revisited for variants not yet tried.
 * 3. Drop anything already run, and return the best three.
 */
export function createOfflineCandidateSource(options: OfflineCandidateSourceOptions = {}): CandidateSource {
  const limit = options.maxCandidates ?? 3;
  return {
    name: 'offline',
    async generate(request: GenerateRequest): Promise<GeneratedCandidates> {
      const { problem, feedback } = request;
      await request.progress({
        stage: 'generating',
        message: 'Matching the error against known fixes',
        provider: 'offline',
      });
      const tried = new Set([problem.code, ...feedback.map((f) => f.code)]);
      const startings = startingPoints(problem.code, problem.error, problem.filename, feedback);
      const outcomes = startings.map((s) => ({
        starting: s,
        outcome: proposeFixes({
          code: s.code,
          filename: problem.filename,
          ...(s.error ? { error: s.error } : {}),
        }),
      }));

      const candidates: CandidateProposal[] = [];
      const queues = outcomes.map((o) => o.outcome.fixes.filter((f) => !tried.has(f.code)));
      // Take from each starting point in turn, best first, so one round covers several guesses.
      for (let progress = true; candidates.length < limit && progress; ) {
        progress = false;
        for (const [i, queue] of queues.entries()) {
          const fix = queue.shift();
          if (!fix || candidates.length >= limit) continue;
          progress = true;
          if (tried.has(fix.code)) continue;
          tried.add(fix.code);
          const label = outcomes[i]?.starting.label;
          candidates.push({
            code: fix.code,
            source: 'offline',
            title: fix.title,
            rationale:
              label && label !== 'original'
                ? `${fix.rationale} (built on ${label}, which got past the first error)`
                : fix.rationale,
          });
        }
      }
      return {
        reproduction: null,
        candidates,
        notes: notesFor(
          outcomes.map((o) => o.outcome),
          candidates.length,
          request.round,
        ),
        calls: [],
      };
    },
  };
}

function startingPoints(
  code: string,
  error: string | undefined,
  filename: string,
  feedback: readonly CandidateFeedback[],
): Starting[] {
  // The client's error text may be a bare last line; the original program's own run (fed back from
  // round 1) has the whole traceback. Use whichever points at a line of the program.
  const observed = feedback.find((f) => f.code === code && f.stderrTail.trim())?.stderrTail;
  const texts = [error, observed].filter((text): text is string => Boolean(text?.trim()));
  const original = texts.find((text) => parseTraceback(text, filename)?.programFrame) ?? texts[0];
  const first = original ? parseTraceback(original, filename) : undefined;
  const sameError = (text: string) => {
    const parsed = parseTraceback(text, filename);
    return (
      !parsed ||
      (first !== undefined &&
        parsed.type === first.type &&
        parsed.message === first.message &&
        parsed.programFrame?.line === first.programFrame?.line)
    );
  };
  const further: Starting[] = feedback
    .filter(
      (f) => f.code !== code && f.status !== 'passed' && f.stderrTail.trim() && !sameError(f.stderrTail),
    )
    .map((f) => ({ code: f.code, error: f.stderrTail, label: `candidate ${f.index}` }));
  return [...further, { code, ...(original ? { error: original } : {}), label: 'original' }];
}

function notesFor(outcomes: readonly FixOutcome[], count: number, round: number): string[] {
  const notes = [
    `Offline engine (no model configured), round ${round}: ${count} candidate${count === 1 ? '' : 's'}.`,
  ];
  for (const outcome of outcomes) notes.push(outcome.diagnosis);
  return [...new Set(notes)];
}
