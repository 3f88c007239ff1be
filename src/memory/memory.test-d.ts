import { expectTypeOf, test } from 'vitest';
import type { AgentMemory } from '../agent/memory.js';
import type { Tool } from '../tools/create-tool.js';
import type { Memory, MemoryContext, WorkingMemoryTool } from './index.js';

test('Memory plugs into an agent and its tool registers like createTool output', () => {
  // Plain assignments: the compiler rejects this file if either shape drifts.
  const asAgentMemory = (memory: Memory): AgentMemory => memory;
  const asTool = (tool: WorkingMemoryTool): Tool => tool;
  expectTypeOf(asAgentMemory).returns.toHaveProperty('getContext');
  expectTypeOf(asTool).returns.toHaveProperty('execute');
  expectTypeOf<MemoryContext['systemMessages']>().toEqualTypeOf<string[]>();
});
