// The agent both telemetry passes (Node and the Chromium page) measure, traced as
// docs/telemetry.md tells users to: the tracer in `defaultOptions`, the model wrapped once.
import { Agent } from '../../src/agent/index.js';
import type { ChatModel } from '../../src/llm/index.js';
import { type Tracer, traceChatModel } from '../../src/telemetry/index.js';
import { instructions, weatherTool } from '../support/weather.js';

export function tracedAgent(model: ChatModel, tracer: Tracer | undefined): Agent {
  return new Agent({
    name: 'weather',
    instructions,
    model: tracer ? traceChatModel(model, tracer) : model,
    tools: { weather: weatherTool() },
    ...(tracer ? { defaultOptions: { tracer } } : {}),
  });
}
