// The exchange the agent and telemetry benchmarks measure: a question the model answers by
// calling a weather tool once, against the local OpenAI-compatible test server.
import { z } from 'zod';
import type { ChatModel } from '../../src/llm/index.js';
import type { RecordedRequest, ScriptedResponse } from '../../src/test/index.js';
// The module, not the barrel: the barrel also exports the MCP client, whose CommonJS dependency
// (ajv) the Chromium bench pages cannot load unbundled.
import { createTool } from '../../src/tools/create-tool.js';

export const answer = 'It is 5 °C in Paris, with a light breeze from the west.';
export const instructions = 'You answer weather questions with the weather tool.';
export const question = 'What is the weather in Paris?';

export const lookUp = (city: string) => ({ city, celsius: city.length, wind: 'west' });

/** The server's side: ask for the tool first, answer once the tool result is in. */
export function weatherHandler(request: RecordedRequest): ScriptedResponse {
  const body = request.body as { messages: { role: string }[] };
  return body.messages.at(-1)?.role === 'tool'
    ? { text: answer, usage: { prompt_tokens: 60, completion_tokens: 14 } }
    : {
        toolCalls: [{ name: 'weather', arguments: { city: 'Paris' } }],
        usage: { prompt_tokens: 40, completion_tokens: 9 },
      };
}

/** The agent's tool. */
export function weatherTool() {
  return createTool({
    id: 'weather',
    description: 'Current weather of a city',
    inputSchema: z.object({ city: z.string() }),
    execute: async ({ city }) => lookUp(city),
  });
}

/** The same exchange from a model that answers at once, in memory: what the agent and tracing cost alone. */
export function instantWeatherModel(capabilities: ChatModel['capabilities']): ChatModel {
  return {
    provider: 'instant',
    modelId: 'instant',
    capabilities,
    async generate(request) {
      return request.messages.at(-1)?.role === 'tool'
        ? {
            text: answer,
            toolCalls: [],
            finishReason: 'stop',
            usage: { promptTokens: 60, completionTokens: 14, totalTokens: 74 },
            modelId: 'instant',
          }
        : {
            text: '',
            toolCalls: [{ id: 'call_1', name: 'weather', arguments: '{"city":"Paris"}' }],
            finishReason: 'tool-calls',
            usage: { promptTokens: 40, completionTokens: 9, totalTokens: 49 },
            modelId: 'instant',
          };
    },
    stream: () => {
      throw new Error('not used');
    },
  };
}
