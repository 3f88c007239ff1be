import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { createTool, type Tool } from './create-tool.js';

describe('createTool types', () => {
  it('infers input from a zod schema and output from execute', () => {
    const tool = createTool({
      id: 'weather',
      description: 'Weather',
      inputSchema: z.object({ city: z.string(), days: z.number().optional() }),
      execute: async (input) => {
        expectTypeOf(input).toEqualTypeOf<{ city: string; days?: number | undefined }>();
        return { celsius: 21 };
      },
    });
    expectTypeOf(tool).toEqualTypeOf<
      Tool<{ city: string; days?: number | undefined }, { celsius: number }>
    >();
  });

  it('takes the output type from outputSchema', () => {
    const tool = createTool({
      id: 'parse',
      description: 'Parse',
      inputSchema: z.object({ text: z.string() }),
      outputSchema: z.object({ count: z.string().transform((value) => Number(value)) }),
      execute: async ({ text }) => ({ count: String(text.length) }),
    });
    expectTypeOf(tool.execute).returns.resolves.toEqualTypeOf<{ count: number }>();
  });

  it('gives raw JSON Schema tools a plain object input', () => {
    createTool({
      id: 'raw',
      description: 'Raw',
      inputSchema: { type: 'object', properties: { q: { type: 'string' } } },
      execute: async (input) => {
        expectTypeOf(input).toEqualTypeOf<Record<string, unknown>>();
        return null;
      },
    });
  });
});
