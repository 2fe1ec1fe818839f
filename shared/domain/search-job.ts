import { z } from 'zod';
import { contentSchema } from './content.js';

/**
 * The repair search as the state machine carries it: a job handed to the sandbox function, which
 * runs one time-sliced batch of it and answers the search's state; the controller reports the
 * progress and hands the next batch back, until the search is done. Every program the search runs
 * (the localization run, each mutant) is an ordinary sandbox job; the planner that lists the edits
 * runs as one too. Its patches are proposals: they go through the Map and the judge like any
 * candidate.
 */

/** Defaults of a search: mutants run at most, the whole search's time, one batch's time. */
export const SEARCH_DEFAULTS = { maxMutants: 400, timeMs: 60_000, sliceMs: 8_000, maxPatches: 3 } as const;

/** A line an edit may write: the planner leaves longer lines alone (see te_repair_plan.py). */
export const MAX_EDIT_LINE_CHARS = 2_000;
/** The traceback handed to the search (its tail is where the frames are). */
export const MAX_SEARCH_TRACEBACK_CHARS = 8_000;
/** The ranked lines a state carries. */
export const MAX_RANKED_LINES = 200;

const editSchema = z
  .object({
    line: z.number().int().min(1),
    /** What replaces the line: nothing (deleted), itself with a change, or two lines (duplicate). */
    text: z.array(z.string().max(MAX_EDIT_LINE_CHARS + 2)).max(2),
  })
  .strict();
export type LineEdit = z.infer<typeof editSchema>;

export const searchPatchSchema = z
  .object({
    /** The operator, or `a+b` for a pair of edits. */
    operator: z.string().min(1).max(100),
    edits: z.array(editSchema).min(1).max(2),
    /** Characters changed: patches come smallest first by (edits, size). */
    size: z.number().int().min(0),
    /** Its place in the planner's order, for a stable order among equal sizes. */
    order: z.number().int().min(0),
  })
  .strict();
export type SearchPatch = z.infer<typeof searchPatchSchema>;

/** Why a search stopped; absent while it goes on. */
export const SEARCH_STOPS = [
  'patches',
  'exhausted',
  'mutants',
  'time',
  'not-reproduced',
  'nothing-to-edit',
] as const;

export const searchStateSchema = z
  .object({
    /** The program's lines, most suspicious first (from the localization run). */
    ranked: z.array(z.number().int().min(1)).max(MAX_RANKED_LINES),
    typeMismatch: z.boolean(),
    /** `test` when a test's cases drove the ranking; `weak` with only "runs to exit 0" and a traceback. */
    evidence: z.enum(['test', 'weak']),
    /** The mutants' own time limit: a few times the localization run's, within 1–5 s. */
    caseTimeoutMs: z.number().int().positive(),
    /** Mutants the planner listed, of which the first `singles` are single edits. */
    listed: z.number().int().min(0),
    singles: z.number().int().min(0),
    /** The next mutant to run, in the planner's order. */
    offset: z.number().int().min(0),
    tried: z.number().int().min(0),
    spentMs: z.number().min(0),
    patches: z.array(searchPatchSchema).max(3),
    stopped: z.enum(SEARCH_STOPS).optional(),
  })
  .strict();
export type SearchState = z.infer<typeof searchStateSchema>;

export const searchJobSchema = z
  .object({
    kind: z.literal('repair-search'),
    sessionId: z.string().min(1),
    round: z.number().int().min(1),
    filename: z.string().min(1),
    program: contentSchema,
    /** The round's test; absent, the harness is "the program runs to exit 0". */
    test: contentSchema.optional(),
    traceback: z.string().max(MAX_SEARCH_TRACEBACK_CHARS).optional(),
    budget: z
      .object({
        maxMutants: z.number().int().min(1).max(5_000),
        timeMs: z.number().int().min(1_000).max(600_000),
        sliceMs: z.number().int().min(1_000).max(60_000),
        maxPatches: z.number().int().min(1).max(3),
      })
      .strict(),
    /** What earlier batches found; absent before the first. */
    state: searchStateSchema.optional(),
  })
  .strict();
export type SearchJob = z.infer<typeof searchJobSchema>;

/** Patches smallest first: fewer edits, then fewer characters changed, then the planner's order. */
export function smallestFirst(patches: readonly SearchPatch[]): SearchPatch[] {
  return [...patches].sort((a, b) => a.edits.length - b.edits.length || a.size - b.size || a.order - b.order);
}
