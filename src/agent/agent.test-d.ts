import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import type { ChatModel } from '../llm/types.js';
import { Agent } from './agent.js';
import type { AgentStreamEvent, GenerateResult } from './types.js';

declare const model: ChatModel;

describe('Agent types', () => {
  const agent = new Agent({ name: 'typed', instructions: '', model });

  it('infers the structured output object from the schema', async () => {
    const result = await agent.generate('x', {
      structuredOutput: { schema: z.object({ city: z.string() }) },
    });
    expectTypeOf(result.object).toEqualTypeOf<{ city: string } | undefined>();
    const stream = agent.stream('x', { structuredOutput: { schema: z.array(z.number()) } });
    expectTypeOf(stream.object).resolves.toEqualTypeOf<number[] | undefined>();
  });

  it('types results and stream events', async () => {
    expectTypeOf(await agent.generate('x')).toEqualTypeOf<GenerateResult<unknown>>();
    for await (const event of agent.stream('x').fullStream) {
      expectTypeOf(event).toEqualTypeOf<AgentStreamEvent>();
      if (event.type === 'text-delta') expectTypeOf(event.delta).toBeString();
    }
  });

  it('accepts another agent as a tool', () => {
    new Agent({ name: 'lead', instructions: '', model, tools: { helper: agent } });
  });
});
