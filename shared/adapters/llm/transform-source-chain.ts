import type { LlmConfig } from '../../config/llm-config.js';
import { OfflineTransformSource } from '../../kinds/transform/offline/offline-transform-source.js';
import type { TransformTextSource } from '../../kinds/transform/transform-text-source.js';
import { ModelTransformSource, type StreamingProvider, streamingProvider } from './model-transform-source.js';

/**
 * The transform kind's text source, from configuration read once: the providers with a key that
 * stream OpenAI-style (Groq, then DeepSeek), the offline compiler behind them; the offline compiler
 * alone when no key is set.
 */
export function createTransformSource(config: LlmConfig): TransformTextSource {
  const offline = new OfflineTransformSource();
  const providers: StreamingProvider[] = [];
  for (const name of ['groq', 'deepseek'] as const) {
    const settings = config[name];
    if (settings.apiKey)
      providers.push(
        streamingProvider(name, { ...settings, apiKey: settings.apiKey }, config.retry.callTimeoutMs),
      );
  }
  return providers.length === 0 ? offline : new ModelTransformSource(providers, offline);
}
