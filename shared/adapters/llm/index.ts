export { type LlmConfig, LlmConfigError, readLlmConfig } from '../../config/llm-config.js';
export { type CandidateSourceChainDeps, createCandidateSourceChain } from './candidate-source-chain.js';
export { describeProviders, type ProviderAvailability } from './describe-providers.js';
