import { InvalidArgumentError } from '../errors/index.js';
import type { OpenAIChatModel } from './chat-model.js';
import type { AuthHeaderStyle } from './client.js';
import { buildChatModel, type ChatModelOptions } from './openai.js';
import type { ModelCapabilities } from './types.js';

/** Options of a provider preset: the model and base URL are optional (the preset has defaults). */
export interface PresetOptions extends Omit<ChatModelOptions, 'model' | 'authHeader'> {
  /** @default the preset's `defaultModel` */
  model?: string;
  /** @default the preset's base URL (point it at a proxy in browsers) */
  baseURL?: string;
}

export interface AzurePresetOptions extends PresetOptions {
  /** Azure resource name: `https://{resourceName}.openai.azure.com`. */
  resourceName?: string;
  /** Full resource endpoint instead of `resourceName`, e.g. `https://my.openai.azure.com`. */
  endpoint?: string;
  /** The deployment to call; it is also sent as the model id. */
  deployment?: string;
  /** @default '2024-10-21' */
  apiVersion?: string;
}

export interface RegionPresetOptions extends PresetOptions {
  /** Mainland China or international endpoint. @default 'cn' */
  region?: 'cn' | 'intl';
}

export interface OpenRouterPresetOptions extends PresetOptions {
  /** Your site URL, sent as `HTTP-Referer` for OpenRouter's rankings. */
  appUrl?: string;
  /** Your app name, sent as `X-Title`. */
  appName?: string;
}

/** What a preset knows about an endpoint. */
export interface ProviderInfo {
  id: ProviderId;
  name: string;
  baseURL: string;
  authHeader: AuthHeaderStyle;
  /** `''` when the server serves whatever you loaded: pass `model`. */
  defaultModel: string;
  defaultEmbeddingModel?: string;
  capabilities: ModelCapabilities;
  /** False for local servers, which run without a key by default. */
  keyRequired: boolean;
}

const all = (overrides: Partial<ModelCapabilities> = {}): ModelCapabilities => ({
  tools: true,
  jsonSchema: true,
  streamUsage: true,
  parallelToolCalls: true,
  jsonObject: true,
  ...overrides,
});

const catalogue = {
  openai: info('OpenAI', 'https://api.openai.com/v1', 'gpt-4o-mini', all(), 'text-embedding-3-small'),
  azure: {
    ...info(
      'Azure OpenAI',
      'https://{resourceName}.openai.azure.com/openai/deployments/{deployment}',
      '',
      all(),
    ),
    authHeader: 'api-key' as const,
  },
  anthropic: info(
    'Anthropic (OpenAI SDK compatibility)',
    'https://api.anthropic.com/v1',
    'claude-sonnet-4-5',
    all({ jsonSchema: false, jsonObject: false }),
  ),
  gemini: info(
    'Google Gemini (OpenAI compatibility)',
    'https://generativelanguage.googleapis.com/v1beta/openai',
    'gemini-2.5-flash',
    all(),
    'gemini-embedding-001',
  ),
  deepseek: info('DeepSeek', 'https://api.deepseek.com/v1', 'deepseek-chat', all({ jsonSchema: false })),
  qwen: info(
    'Qwen (DashScope compatible mode)',
    'https://dashscope.aliyuncs.com/compatible-mode/v1',
    'qwen-plus',
    all({ jsonSchema: false }),
    'text-embedding-v3',
  ),
  zhipu: info(
    'Zhipu GLM (BigModel)',
    'https://open.bigmodel.cn/api/paas/v4',
    'glm-4-flash',
    all({ jsonSchema: false, streamUsage: false, parallelToolCalls: false }),
    'embedding-3',
  ),
  moonshot: info(
    'Moonshot / Kimi',
    'https://api.moonshot.cn/v1',
    'moonshot-v1-8k',
    all({ jsonSchema: false, streamUsage: false }),
  ),
  qianfan: info(
    'Baidu Qianfan (v2)',
    'https://qianfan.baidubce.com/v2',
    'ernie-4.0-turbo-8k',
    all({ jsonSchema: false, parallelToolCalls: false }),
    'embedding-v1',
  ),
  mistral: info(
    'Mistral',
    'https://api.mistral.ai/v1',
    'mistral-small-latest',
    all({ streamUsage: false }),
    'mistral-embed',
  ),
  groq: info('Groq', 'https://api.groq.com/openai/v1', 'llama-3.3-70b-versatile', all({ jsonSchema: false })),
  openrouter: info('OpenRouter', 'https://openrouter.ai/api/v1', 'openai/gpt-4o-mini', all()),
  together: info(
    'Together AI',
    'https://api.together.xyz/v1',
    'meta-llama/Llama-3.3-70B-Instruct-Turbo',
    all(),
    'BAAI/bge-base-en-v1.5',
  ),
  xai: info('xAI', 'https://api.x.ai/v1', 'grok-3-mini', all()),
  ollama: local(
    'Ollama',
    'http://localhost:11434/v1',
    'llama3.2',
    all({ parallelToolCalls: false }),
    'nomic-embed-text',
  ),
  lmstudio: local(
    'LM Studio',
    'http://localhost:1234/v1',
    '',
    all({ streamUsage: false, parallelToolCalls: false, jsonObject: false }),
  ),
  vllm: local('vLLM', 'http://localhost:8000/v1', '', all({ parallelToolCalls: false })),
  llamacpp: local(
    'llama.cpp server',
    'http://localhost:8080/v1',
    'default',
    all({ streamUsage: false, parallelToolCalls: false }),
  ),
};

/** Every provider a preset exists for. */
export type ProviderId = keyof typeof catalogue;

function info(
  name: string,
  baseURL: string,
  defaultModel: string,
  capabilities: ModelCapabilities,
  embedding?: string,
) {
  return {
    name,
    baseURL,
    authHeader: 'bearer' as AuthHeaderStyle,
    defaultModel,
    capabilities,
    keyRequired: true,
    ...(embedding ? { defaultEmbeddingModel: embedding } : {}),
  };
}

function local(
  name: string,
  baseURL: string,
  defaultModel: string,
  capabilities: ModelCapabilities,
  embedding?: string,
) {
  return { ...info(name, baseURL, defaultModel, capabilities, embedding), keyRequired: false };
}

/** Every preset with its base URL, auth style, default model and capabilities. */
export function listProviders(): ProviderInfo[] {
  return (Object.keys(catalogue) as ProviderId[]).map((id) => providerInfo(id));
}

/** What the preset `id` knows (a copy; throws `InvalidArgumentError` for an unknown id). */
export function providerInfo(id: ProviderId): ProviderInfo {
  const entry = catalogue[id];
  if (!entry) {
    throw new InvalidArgumentError(`Unknown provider "${String(id)}".`, {
      hint: `Known providers: ${Object.keys(catalogue).join(', ')}; or use openaiCompatible() for any other endpoint.`,
    });
  }
  return { id, ...entry, capabilities: { ...entry.capabilities } };
}

function preset(
  id: ProviderId,
  options: PresetOptions,
  resolved: Partial<ChatModelOptions & { baseURL: string }> = {},
) {
  const entry = providerInfo(id);
  return buildChatModel(
    id,
    {
      ...options,
      ...resolved,
      model: options.model ?? resolved.model ?? entry.defaultModel,
      baseURL: options.baseURL ?? resolved.baseURL ?? entry.baseURL,
      authHeader: entry.authHeader,
      capabilities: { ...entry.capabilities, ...options.capabilities },
    },
    entry.capabilities,
    id === 'openai' ? 'max_completion_tokens' : 'max_tokens',
  );
}

function azure(options: AzurePresetOptions): OpenAIChatModel {
  const endpoint =
    options.endpoint ??
    (options.resourceName ? `https://${options.resourceName}.openai.azure.com` : undefined);
  const deployment = options.deployment ?? options.model;
  if (!options.baseURL && (!endpoint || !deployment)) {
    throw new InvalidArgumentError('Azure OpenAI needs `resourceName` (or `endpoint`) and `deployment`.', {
      hint: 'Find both in the Azure portal under the resource\'s "Keys and Endpoint" and "Deployments".',
    });
  }
  const {
    resourceName: _resource,
    endpoint: _endpoint,
    deployment: _deployment,
    apiVersion,
    ...rest
  } = options;
  return preset('azure', rest, {
    baseURL: `${endpoint?.replace(/\/+$/, '')}/openai/deployments/${deployment}`,
    model: deployment ?? '',
    query: { 'api-version': apiVersion ?? '2024-10-21', ...options.query },
  });
}

function regional(id: 'qwen' | 'moonshot', intl: string) {
  return ({ region, ...options }: RegionPresetOptions): OpenAIChatModel =>
    preset(id, options, region === 'intl' ? { baseURL: intl } : {});
}

/**
 * Provider presets: `providers.deepseek({ apiKey })` is a ready `ChatModel` with the provider's
 * base URL, auth header style, default model and capabilities. Every option can be overridden.
 */
export const providers = {
  openai: (options: PresetOptions) => preset('openai', options),
  azure,
  anthropic: (options: PresetOptions) => preset('anthropic', options),
  gemini: (options: PresetOptions) => preset('gemini', options),
  deepseek: (options: PresetOptions) => preset('deepseek', options),
  qwen: regional('qwen', 'https://dashscope-intl.aliyuncs.com/compatible-mode/v1'),
  zhipu: (options: PresetOptions) => preset('zhipu', options),
  moonshot: regional('moonshot', 'https://api.moonshot.ai/v1'),
  qianfan: (options: PresetOptions) => preset('qianfan', options),
  mistral: (options: PresetOptions) => preset('mistral', options),
  groq: (options: PresetOptions) => preset('groq', options),
  openrouter: ({ appUrl, appName, ...options }: OpenRouterPresetOptions) =>
    preset('openrouter', {
      ...options,
      headers: {
        ...(appUrl ? { 'HTTP-Referer': appUrl } : {}),
        ...(appName ? { 'X-Title': appName } : {}),
        ...options.headers,
      },
    }),
  together: (options: PresetOptions) => preset('together', options),
  xai: (options: PresetOptions) => preset('xai', options),
  ollama: (options: PresetOptions = {}) => preset('ollama', options),
  lmstudio: (options: PresetOptions = {}) => preset('lmstudio', options),
  vllm: (options: PresetOptions = {}) => preset('vllm', options),
  llamacpp: (options: PresetOptions = {}) => preset('llamacpp', options),
} satisfies Record<ProviderId, (options: never) => OpenAIChatModel>;

/** Options accepted by the preset `id`. */
export type ProviderOptions<Id extends ProviderId> = Parameters<(typeof providers)[Id]>[0];

/** The preset `id` as a function call: `createProvider('qwen', { apiKey })`. */
export function createProvider<Id extends ProviderId>(id: Id, options: ProviderOptions<Id>): OpenAIChatModel {
  const factory = providers[id] as ((options: ProviderOptions<Id>) => OpenAIChatModel) | undefined;
  if (!factory) providerInfo(id);
  return factory!(options);
}
