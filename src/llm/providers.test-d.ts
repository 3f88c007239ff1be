import { describe, expectTypeOf, it } from 'vitest';
import type { ChatModel } from './index.js';
import { createProvider, type OpenAIChatModel, type ProviderOptions, providers } from './index.js';

describe('provider preset types', () => {
  it('createProvider takes the options of the chosen preset', () => {
    expectTypeOf(createProvider('qwen', { apiKey: 'k', region: 'intl' })).toEqualTypeOf<OpenAIChatModel>();
    expectTypeOf<ProviderOptions<'azure'>>().toHaveProperty('deployment');
    expectTypeOf<ProviderOptions<'openrouter'>>().toHaveProperty('appName');
    // @ts-expect-error: `region` belongs to qwen and moonshot, not deepseek
    createProvider('deepseek', { apiKey: 'k', region: 'intl' });
    // @ts-expect-error: not a preset
    createProvider('nope', {});
  });

  it('every preset is a ChatModel', () => {
    expectTypeOf(providers.ollama()).toMatchTypeOf<ChatModel>();
    expectTypeOf(providers.azure).parameter(0).toHaveProperty('apiVersion');
  });
});
