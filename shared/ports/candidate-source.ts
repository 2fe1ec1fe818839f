import type {
  CandidateFeedback,
  CandidateProposal,
  FixProblem,
  ProblemCategory,
  ProviderCall,
} from '../domain/types.js';

/** A progress line a source reports while it works (which provider, which attempt). */
export interface SourceProgress {
  stage: 'categorizing' | 'generating' | 'retrying';
  message: string;
  provider?: string;
  attempt?: number;
}

export interface GenerateRequest {
  sessionId: string;
  round: number;
  problem: FixProblem;
  /** Failures of the previous round's candidates; empty on round 1. */
  feedback: CandidateFeedback[];
  /** Reports progress; never throws. */
  progress: (event: SourceProgress) => Promise<void>;
  /** Model time the session already spent in earlier rounds; the session's budget covers all rounds. */
  budgetSpentMs?: number;
  /** The category an earlier round settled on; a source need not classify the problem again. */
  category?: ProblemCategory;
}

/** A record of one call to a model, stored on the session. */
export type { ProblemCategory, ProviderCall } from '../domain/types.js';

export interface GeneratedCandidates {
  /** A reproduce_issue.py written by the source, or null (client test given, or none written). */
  reproduction: string | null;
  candidates: CandidateProposal[];
  /** Plain-language notes for the client (e.g. why a fallback was used). */
  notes: string[];
  calls: ProviderCall[];
  /** The problem's category, when the source classified it. */
  category?: ProblemCategory;
}

/** Port: proposes candidate programs (and possibly a reproduction) for a problem. */
export interface CandidateSource {
  readonly name: string;
  generate(request: GenerateRequest): Promise<GeneratedCandidates>;
}
