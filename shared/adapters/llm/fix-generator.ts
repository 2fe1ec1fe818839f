import type { GeneratedFix } from './model-output.js';
import type { AttemptResult } from './token-usage.js';

/** A system instruction and a user turn, rendered from a versioned prompt. */
export interface RenderedPrompt {
  system: string;
  user: string;
}

/** One model provider that writes a reproduction and candidates. One call is one attempt; retries are not its job. */
export interface FixGenerator {
  readonly name: string;
  readonly model: string;
  generate(prompt: RenderedPrompt, signal: AbortSignal): Promise<AttemptResult<GeneratedFix>>;
}
