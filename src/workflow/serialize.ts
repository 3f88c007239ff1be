import { definitionOf, type WorkflowDefinition } from './definition.js';
import type { FlowNode } from './graph.js';
import type { Runnable } from './step.js';

/** Kinds of nodes `serialize()` draws. */
export type SerializedNodeType =
  | 'step'
  | 'parallel'
  | 'branch'
  | 'loop'
  | 'foreach'
  | 'map'
  | 'sleep'
  | 'workflow';

/** One node. `id` equals the `path` of its events (minus `#n`/`[n]` suffixes). */
export interface SerializedNode {
  id: string;
  type: SerializedNodeType;
  label: string;
  description?: string;
  /** Loops: `dowhile` or `dountil`; sleeps: `sleep` or `sleepUntil`. */
  mode?: string;
  /** Loops: the condition's name. */
  condition?: string;
  /** Foreach: how many items run at once. */
  concurrency?: number;
  /** Nested workflows: their own graph, with ids prefixed by this node's id. */
  graph?: SerializedWorkflow;
}

/** A connection; branch edges and loop back-edges carry the condition's name. */
export interface SerializedEdge {
  from: string;
  to: string;
  condition?: string;
}

/** The step graph of a workflow, plain data for drawing. */
export interface SerializedWorkflow {
  id: string;
  nodes: SerializedNode[];
  edges: SerializedEdge[];
}

/** Builds the graph of `definition`; node ids of nested workflows start with `prefix`. */
export function serializeWorkflow(definition: WorkflowDefinition, prefix = ''): SerializedWorkflow {
  const nodes: SerializedNode[] = [];
  const edges: SerializedEdge[] = [];
  let exits: string[] = [];
  const connect = (entry: string) => {
    for (const exit of exits) edges.push({ from: exit, to: entry });
  };
  const runnableNode = (runnable: Runnable): string => {
    const id = prefix + runnable.id;
    const nested = definitionOf(runnable);
    const node: SerializedNode = { id, type: nested ? 'workflow' : 'step', label: runnable.id };
    if (runnable.description) node.description = runnable.description;
    if (nested) node.graph = serializeWorkflow(nested, `${id}/`);
    nodes.push(node);
    return id;
  };
  for (const flowNode of definition.flow) exits = addNode(flowNode);
  return { id: definition.id, nodes, edges };

  function addNode(flowNode: FlowNode): string[] {
    const id = prefix + flowNode.id;
    switch (flowNode.type) {
      case 'step': {
        const stepId = runnableNode(flowNode.step);
        connect(stepId);
        return [stepId];
      }
      case 'parallel':
      case 'branch': {
        nodes.push({ id, type: flowNode.type, label: flowNode.type });
        connect(id);
        if (flowNode.type === 'parallel') {
          return flowNode.steps.map((step) => {
            const childId = runnableNode(step);
            edges.push({ from: id, to: childId });
            return childId;
          });
        }
        return flowNode.branches.map((branch) => {
          const childId = runnableNode(branch.step);
          edges.push({ from: id, to: childId, condition: branch.name });
          return childId;
        });
      }
      case 'loop': {
        nodes.push({
          id,
          type: 'loop',
          label: flowNode.mode,
          mode: flowNode.mode,
          condition: flowNode.conditionName,
        });
        connect(id);
        const childId = runnableNode(flowNode.step);
        edges.push({ from: id, to: childId }, { from: childId, to: id, condition: flowNode.conditionName });
        return [id];
      }
      case 'foreach': {
        nodes.push({ id, type: 'foreach', label: 'foreach', concurrency: flowNode.concurrency });
        connect(id);
        const childId = runnableNode(flowNode.step);
        edges.push({ from: id, to: childId });
        return [childId];
      }
      case 'map':
        nodes.push({ id, type: 'map', label: flowNode.id });
        connect(id);
        return [id];
      case 'sleep':
      case 'sleepUntil':
        nodes.push({ id, type: 'sleep', label: flowNode.id, mode: flowNode.type });
        connect(id);
        return [id];
    }
  }
}
