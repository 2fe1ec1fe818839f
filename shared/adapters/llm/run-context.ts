import type { Logger } from '@aws-lambda-powertools/logger';
import type { RetryPolicy } from '../../config/llm-config.js';
import type { ProviderCall, SourceProgress } from '../../ports/candidate-source.js';
import type { Scrubber } from './scrub.js';
import type { SessionBudget } from './session-budget.js';

/** What one `generate` call shares between its steps: the clock, the records, and the reporters. */
export interface RunContext {
  budget: SessionBudget;
  policy: RetryPolicy;
  calls: ProviderCall[];
  notes: string[];
  progress: (event: SourceProgress) => Promise<void>;
  scrub: Scrubber;
  logger: Logger;
}
