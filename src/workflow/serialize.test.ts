import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createStep } from './create-step.js';
import { createWorkflow } from './workflow.js';

const step = (id: string) =>
  createStep({
    id,
    inputSchema: z.any(),
    outputSchema: z.any(),
    execute: async ({ inputData }) => inputData,
  });

describe('workflow.serialize()', () => {
  it('draws every construct with ids that match event paths and named conditions', () => {
    const isUrgent = async () => true;
    const inner = createWorkflow({ id: 'inner', inputSchema: z.any(), outputSchema: z.any() })
      .then(step('deep'))
      .commit();
    const workflow = createWorkflow({ id: 'drawn', inputSchema: z.any(), outputSchema: z.any() })
      .then(step('start'))
      .parallel([step('p1'), step('p2')])
      .branch([[isUrgent, step('urgent')]])
      .dountil(step('again'), async function enough() {
        return true;
      })
      .foreach(step('each'), { concurrency: 4 })
      .map(async () => [])
      .sleep(5)
      .then(inner)
      .commit();
    const graph = workflow.serialize();
    expect(graph.id).toBe('drawn');
    expect(graph.nodes.map((node) => `${node.type}:${node.id}`)).toEqual([
      'step:start',
      'parallel:parallel-1',
      'step:p1',
      'step:p2',
      'branch:branch-2',
      'step:urgent',
      'loop:loop-3',
      'step:again',
      'foreach:foreach-4',
      'step:each',
      'map:map-5',
      'sleep:sleep-6',
      'workflow:inner',
    ]);
    expect(graph.edges).toEqual([
      { from: 'start', to: 'parallel-1' },
      { from: 'parallel-1', to: 'p1' },
      { from: 'parallel-1', to: 'p2' },
      { from: 'p1', to: 'branch-2' },
      { from: 'p2', to: 'branch-2' },
      { from: 'branch-2', to: 'urgent', condition: 'isUrgent' },
      { from: 'urgent', to: 'loop-3' },
      { from: 'loop-3', to: 'again' },
      { from: 'again', to: 'loop-3', condition: 'enough' },
      { from: 'loop-3', to: 'foreach-4' },
      { from: 'foreach-4', to: 'each' },
      { from: 'each', to: 'map-5' },
      { from: 'map-5', to: 'sleep-6' },
      { from: 'sleep-6', to: 'inner' },
    ]);
    expect(graph.nodes.find((node) => node.id === 'foreach-4')?.concurrency).toBe(4);
    expect(graph.nodes.find((node) => node.id === 'inner')?.graph?.nodes).toEqual([
      { id: 'inner/deep', type: 'step', label: 'deep' },
    ]);
    expect(JSON.parse(JSON.stringify(graph))).toEqual(graph);
  });
});
