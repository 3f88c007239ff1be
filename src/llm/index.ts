export { OpenAIChatModel, type OpenAIChatModelSettings } from './chat-model.js';
export { type AuthHeaderStyle, type ConnectionOptions, createClient } from './client.js';
export { type EmbeddingModelOptions, OpenAIEmbeddingModel } from './embedding-model.js';
export { retryAfterMs } from './errors.js';
export {
  type ChatModelOptions,
  conservativeCapabilities,
  type OpenAICompatibleOptions,
  type OpenAIEmbeddingOptions,
  type OpenAIOptions,
  openai,
  openaiCompatible,
  openaiEmbedding,
} from './openai.js';
export {
  type AzurePresetOptions,
  createProvider,
  listProviders,
  type OpenRouterPresetOptions,
  type PresetOptions,
  type ProviderId,
  type ProviderInfo,
  type ProviderOptions,
  providerInfo,
  providers,
  type RegionPresetOptions,
} from './providers.js';
export { type ModelRetryOptions, retryDelayMs } from './retry.js';
export { extractJsonText } from './structured.js';
export { parseToolArguments } from './tool-arguments.js';
export * from './types.js';
