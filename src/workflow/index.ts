export {
  type CreateStepOptions,
  createStep,
  type StepAgent,
  type StepTool,
  type ToolStepContext,
} from './create-step.js';
export type { RetryConfig } from './definition.js';
export type { Condition, FlowContext, MappingSource } from './graph.js';
export { createManualClock, type ManualClock } from './manual-clock.js';
export {
  Run,
  type WorkflowResumeOptions,
  type WorkflowStartOptions,
  type WorkflowTraceOptions,
} from './run.js';
export { type RunLocks, systemClock } from './runtime.js';
export type { SerializedEdge, SerializedNode, SerializedNodeType, SerializedWorkflow } from './serialize.js';
export type {
  GetStepResult,
  Runnable,
  RunnableInput,
  RunnableOutput,
  Step,
  StepExecuteContext,
} from './step.js';
export type * from './types.js';
export { type CreateWorkflowOptions, createWorkflow, Workflow } from './workflow.js';
