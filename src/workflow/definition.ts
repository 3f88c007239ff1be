import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { FlowNode } from './graph.js';
import type { Runnable } from './step.js';

/** Retry policy: `attempts` extra tries, waiting `delay * 2^n` ms before try n + 1. */
export interface RetryConfig {
  /** @default 0 */
  attempts?: number;
  /** Base delay in ms, doubled after each failed try. @default 0 */
  delay?: number;
}

/** What the engine needs from a workflow (the builder's frozen view). */
export interface WorkflowDefinition {
  id: string;
  inputSchema: StandardSchemaV1;
  outputSchema: StandardSchemaV1;
  stateSchema: StandardSchemaV1 | undefined;
  retryConfig: Required<RetryConfig>;
  flow: readonly FlowNode[];
}

/** Marks workflows so a parent can run them as steps. */
export const definitionKey: unique symbol = Symbol.for('lumosai.workflow.definition');

/** The definition of a nested workflow, or `undefined` for a plain step. */
export function definitionOf(runnable: Runnable): WorkflowDefinition | undefined {
  const carrier = runnable as Runnable & { [definitionKey]?: () => WorkflowDefinition };
  return typeof carrier[definitionKey] === 'function' ? carrier[definitionKey]() : undefined;
}

/** Strips the loop (`#n`) and foreach (`[n]`) suffix of one path segment. */
export function segmentId(segment: string): string {
  return segment.replace(/(#\d+|\[\d+\])$/, '');
}

/** Finds the runnable a path points at (`nested/step#2` → the step `step` in `nested`). */
export function findRunnable(definition: WorkflowDefinition, path: string): Runnable | undefined {
  const segments = path.split('/');
  let current = definition;
  for (let index = 0; index < segments.length; index++) {
    const id = segmentId(segments[index] as string);
    const found = runnablesOf(current).find((runnable) => runnable.id === id);
    if (!found) return undefined;
    if (index === segments.length - 1) return found;
    const nested = definitionOf(found);
    if (!nested) return undefined;
    current = nested;
  }
  return undefined;
}

/** Every runnable a flow holds directly. */
export function runnablesOf(definition: WorkflowDefinition): Runnable[] {
  return definition.flow.flatMap((node): Runnable[] => {
    switch (node.type) {
      case 'step':
      case 'loop':
      case 'foreach':
        return [node.step];
      case 'parallel':
        return node.steps;
      case 'branch':
        return node.branches.map((branch) => branch.step);
      default:
        return [];
    }
  });
}
