export { Agent, type ResumeOptions } from './agent.js';
export type { AgentStream, AsyncIterableStream } from './agent-stream.js';
export type { AgentMemory } from './memory.js';
export { MapKeyValueStore, type PendingToolCall, type RunState } from './pending-runs.js';
export type { AgentSpan, AgentTracer } from './tracer.js';
export type * from './types.js';
