export { Memory, type WorkingMemoryTool } from './memory.js';
export { messageText } from './message-text.js';
export { applyProcessors, countMessageTokens, TokenLimiter, ToolCallFilter } from './processors.js';
export type {
  MemoryConfig,
  MemoryContext,
  MemoryOptions,
  MemoryProcessor,
  SemanticRecallOptions,
  WorkingMemoryOptions,
} from './types.js';
export { defaultWorkingMemoryTemplate, workingMemoryToolName } from './working-memory.js';
