export {
  createOfflineCandidateSource,
  type OfflineCandidateSourceOptions,
} from './offline-candidate-source.js';
export { type FixInput, type FixOutcome, proposeFixes, STRATEGIES } from './propose-fixes.js';
export type { Fix, FixContext, FixStrategy } from './strategies/strategy.js';
export { type ParsedError, parseTraceback, type TracebackFrame } from './traceback.js';
