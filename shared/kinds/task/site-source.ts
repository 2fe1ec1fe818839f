import type { ProviderCall } from '../../domain/types.js';
import type { SourceProgress } from '../../ports/candidate-source.js';
import type { SiteFile } from './site.js';
import type { TaskRequest } from './task-request.js';

/** A candidate site: its files (the engine's exact files included) and who proposed it. */
export interface SiteCandidate {
  source: string;
  title: string;
  rationale?: string;
  files: SiteFile[];
}

export interface SiteGenerateRequest {
  request: TaskRequest;
  /** Round ≥ 2: the published site the revision starts from. */
  current?: SiteFile[];
  /** Checks the previous attempt failed, in the evaluator's words. */
  failedChecks?: string[];
  progress: (event: SourceProgress) => Promise<void>;
  /** Model time already spent on this task round; the budget covers all its calls. */
  budgetSpentMs?: number;
}

export interface GeneratedSites {
  candidates: SiteCandidate[];
  notes: string[];
  calls: ProviderCall[];
}

/** Port: proposes candidate sites for a task. */
export interface SiteSource {
  generate(request: SiteGenerateRequest): Promise<GeneratedSites>;
}

/** Port: makes checks no rule recognized executable (`null`: cannot be decided by code). */
export interface CheckCompiler {
  compile(input: {
    brief: string;
    checks: readonly string[];
    progress: (event: SourceProgress) => Promise<void>;
  }): Promise<{ js: Array<string | null>; notes: string[]; calls: ProviderCall[] }>;
}
