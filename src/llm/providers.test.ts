import { beforeEach, describe, expect, inject, it } from 'vitest';
import { InvalidArgumentError } from '../errors/index.js';
import { connectTestServer, type TestSession } from '../test/index.js';
import { createProvider, listProviders, type ProviderId, providerInfo, providers } from './index.js';

let session: TestSession;
beforeEach(async () => {
  session = await connectTestServer(inject('openaiServerUrl')).session();
});

/** A fetch that records the URL the SDK built, then sends the request to the test session instead. */
function redirectingFetch(seen: string[]): typeof fetch {
  return (input, init) => {
    const url = new URL(String(input instanceof Request ? input.url : input));
    seen.push(url.href);
    const target = new URL(session.baseURL.replace(/\/v1$/, ''));
    return fetch(`${target.origin}${target.pathname}${url.pathname}${url.search}`, init);
  };
}

const expectedURL: Record<ProviderId, string> = {
  openai: 'https://api.openai.com/v1/chat/completions',
  azure:
    'https://contoso.openai.azure.com/openai/deployments/gpt4o-prod/chat/completions?api-version=2024-10-21',
  anthropic: 'https://api.anthropic.com/v1/chat/completions',
  gemini: 'https://generativelanguage.googleapis.com/v1beta/openai/chat/completions',
  deepseek: 'https://api.deepseek.com/v1/chat/completions',
  qwen: 'https://dashscope.aliyuncs.com/compatible-mode/v1/chat/completions',
  zhipu: 'https://open.bigmodel.cn/api/paas/v4/chat/completions',
  moonshot: 'https://api.moonshot.cn/v1/chat/completions',
  qianfan: 'https://qianfan.baidubce.com/v2/chat/completions',
  mistral: 'https://api.mistral.ai/v1/chat/completions',
  groq: 'https://api.groq.com/openai/v1/chat/completions',
  openrouter: 'https://openrouter.ai/api/v1/chat/completions',
  together: 'https://api.together.xyz/v1/chat/completions',
  xai: 'https://api.x.ai/v1/chat/completions',
  ollama: 'http://localhost:11434/v1/chat/completions',
  lmstudio: 'http://localhost:1234/v1/chat/completions',
  vllm: 'http://localhost:8000/v1/chat/completions',
  llamacpp: 'http://localhost:8080/v1/chat/completions',
};

describe('provider presets', () => {
  it('cover at least 12 endpoints, each with base URL, auth style, default model and capabilities', () => {
    const list = listProviders();
    expect(list.length).toBeGreaterThanOrEqual(12);
    expect(list.map((provider) => provider.id).sort()).toEqual(Object.keys(expectedURL).sort());
    for (const provider of list) {
      expect(provider.name).not.toBe('');
      expect(provider.baseURL).toMatch(/^https?:\/\//);
      expect(Object.keys(provider.capabilities).sort()).toEqual(
        ['jsonObject', 'jsonSchema', 'parallelToolCalls', 'streamUsage', 'tools'].sort(),
      );
    }
    expect(providerInfo('azure').authHeader).toBe('api-key');
    expect(providerInfo('deepseek').capabilities.jsonSchema).toBe(false);
  });

  for (const id of Object.keys(expectedURL) as ProviderId[]) {
    it(`${id}: calls its documented URL with its auth header and default model`, async () => {
      const seen: string[] = [];
      const info = providerInfo(id);
      const needsModel = info.defaultModel === '';
      const options = {
        apiKey: 'sk-test',
        fetch: redirectingFetch(seen),
        ...(id === 'azure' ? { resourceName: 'contoso', deployment: 'gpt4o-prod' } : {}),
        ...(needsModel && id !== 'azure' ? { model: 'served-model' } : {}),
      };
      const model = createProvider(id, options as never);
      expect(model.provider).toBe(id);
      expect(model.capabilities).toEqual(info.capabilities);
      await session.enqueue({ text: `hello from ${id}` });
      const result = await model.generate({ messages: [{ role: 'user', content: 'hi' }] });
      expect(result.text).toBe(`hello from ${id}`);
      expect(seen).toEqual([expectedURL[id]]);
      const [request] = await session.requests();
      const body = request!.body as { model: string };
      expect(body.model).toBe(
        id === 'azure' ? 'gpt4o-prod' : needsModel ? 'served-model' : info.defaultModel,
      );
      if (id === 'azure') {
        expect(request!.headers['api-key']).toBe('sk-test');
        expect(request!.headers.authorization).toBeUndefined();
        expect(request!.query).toEqual({ 'api-version': '2024-10-21' });
      } else {
        expect(request!.headers.authorization).toBe('Bearer sk-test');
      }
    });
  }

  it('local servers need no key: no Authorization header is sent', async () => {
    await session.enqueue({ text: 'local' });
    const model = providers.ollama({ baseURL: session.baseURL });
    expect((await model.generate({ messages: [{ role: 'user', content: 'x' }] })).text).toBe('local');
    expect((await session.requests())[0]!.headers.authorization).toBeUndefined();
  });

  it('switch region, add OpenRouter app headers and let options override defaults', async () => {
    const seen: string[] = [];
    await session.enqueue({ text: 'a' }, { text: 'b' }, { text: 'c' });
    const message = { messages: [{ role: 'user' as const, content: 'x' }] };
    await providers.qwen({ apiKey: 'k', region: 'intl', fetch: redirectingFetch(seen) }).generate(message);
    await providers
      .moonshot({ apiKey: 'k', region: 'intl', fetch: redirectingFetch(seen) })
      .generate(message);
    await providers
      .openrouter({
        apiKey: 'k',
        baseURL: session.baseURL,
        model: 'anthropic/claude-sonnet-4.5',
        appUrl: 'https://example.org',
        appName: 'Lumos demo',
        capabilities: { jsonSchema: false },
      })
      .generate(message);
    expect(seen).toEqual([
      'https://dashscope-intl.aliyuncs.com/compatible-mode/v1/chat/completions',
      'https://api.moonshot.ai/v1/chat/completions',
    ]);
    const third = (await session.requests())[2]!;
    expect(third.headers['http-referer']).toBe('https://example.org');
    expect(third.headers['x-title']).toBe('Lumos demo');
    expect((third.body as { model: string }).model).toBe('anthropic/claude-sonnet-4.5');
  });

  it('Azure with a custom endpoint and API version', async () => {
    const seen: string[] = [];
    await session.enqueue({ text: 'ok' });
    await providers
      .azure({
        apiKey: 'az',
        endpoint: 'https://my-gateway.example.com/',
        deployment: 'chat',
        apiVersion: '2025-01-01-preview',
        fetch: redirectingFetch(seen),
      })
      .generate({ messages: [{ role: 'user', content: 'x' }] });
    expect(seen).toEqual([
      'https://my-gateway.example.com/openai/deployments/chat/chat/completions?api-version=2025-01-01-preview',
    ]);
  });

  it('reject missing settings with typed errors that say what to pass', () => {
    expect(() => providers.azure({ apiKey: 'k' })).toThrow(InvalidArgumentError);
    expect(() => providers.vllm({})).toThrow(/No model id given for vllm/);
    expect(() => createProvider('nope' as ProviderId, {} as never)).toThrow(/Unknown provider "nope"/);
  });
});
