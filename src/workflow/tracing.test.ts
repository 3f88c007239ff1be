import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Agent } from '../agent/index.js';
import { ScriptedModel } from '../agent/testing/scripted-model.js';
import type { SpanRecord } from '../storage/types.js';
import { createMemoryExporter, createTracer, type SpanContext, traceChatModel } from '../telemetry/index.js';
import { createTool } from '../tools/index.js';
import { createStep } from './create-step.js';
import { createManualClock } from './manual-clock.js';
import { createWorkflow } from './workflow.js';

const num = z.object({ value: z.number() });

/** `name [status]` of each span, indented under its parent, children in start order. */
function tree(spans: SpanRecord[], rootParent: string | undefined = undefined): string[] {
  const lines: string[] = [];
  const visit = (parentId: string | undefined, depth: number) => {
    for (const child of spans
      .filter((span) => span.parentSpanId === parentId)
      .sort((left, right) => left.startTime - right.startTime)) {
      lines.push(`${'  '.repeat(depth)}${child.name} [${child.status}]`);
      visit(child.spanId, depth + 1);
    }
  };
  visit(rootParent, 0);
  return lines;
}

function tracing() {
  const exporter = createMemoryExporter();
  return { exporter, tracer: createTracer({ exporters: [exporter] }) };
}

const double = createStep({
  id: 'double',
  inputSchema: num,
  outputSchema: num,
  execute: async ({ inputData }) => ({ value: inputData.value * 2 }),
});

describe('workflow tracing', () => {
  it('emits a run span and nested step spans, with retries as events and a sleep', async () => {
    const { exporter, tracer } = tracing();
    let calls = 0;
    const flaky = createStep({
      id: 'flaky',
      inputSchema: num,
      outputSchema: num,
      retries: 1,
      execute: async ({ inputData }) => {
        if (calls++ === 0) throw new Error('glitch');
        return inputData;
      },
    });
    const inner = createWorkflow({ id: 'inner', inputSchema: num, outputSchema: num })
      .then(flaky)
      .then(double)
      .commit();
    const outer = createWorkflow({
      id: 'outer',
      inputSchema: num,
      outputSchema: num,
      clock: createManualClock(),
      locks: null,
    })
      .then(double)
      .then(inner)
      .sleep(10)
      .commit();
    const parent = tracer.startSpan('agent tool', { kind: 'tool' });
    const run = await outer.createRun({ resourceId: 'user-1' });
    const result = await run.start({ inputData: { value: 1 }, tracer, parentSpan: parent });
    parent.end();
    expect(result).toMatchObject({ status: 'success', result: { value: 4 } });

    const spans = exporter.spans();
    expect(tree(spans)).toEqual([
      'agent tool [unset]',
      '  workflow outer [ok]',
      '    step double [ok]',
      '    step inner [ok]',
      '      step flaky [ok]',
      '      step double [ok]',
      '    step sleep-2 [ok]',
    ]);
    const byName = (name: string) => spans.find((span) => span.name === name)!;
    expect(byName('workflow outer')).toMatchObject({
      kind: 'workflow',
      resourceId: 'user-1',
      attributes: {
        'workflow.id': 'outer',
        'workflow.run_id': run.runId,
        'workflow.resumed': false,
        'workflow.status': 'success',
        input: '{"value":1}',
        output: '{"value":4}',
      },
    });
    const flakySpan = byName('step flaky');
    expect(flakySpan).toMatchObject({
      kind: 'workflow-step',
      attributes: { 'workflow.step.path': 'inner/flaky', 'workflow.step.attempt': 1 },
    });
    expect(flakySpan.events).toMatchObject([
      { name: 'retry', attributes: { attempt: 1, 'exception.message': 'glitch' } },
    ]);
    expect(byName('step sleep-2').events).toMatchObject([{ name: 'waiting' }]);
  });

  it('records a failing step and the failed run as errors, closing the steps that contain it', async () => {
    const { exporter, tracer } = tracing();
    const broken = createStep({
      id: 'broken',
      inputSchema: num,
      outputSchema: num,
      execute: async () => {
        throw new Error('disk full');
      },
    });
    const inner = createWorkflow({ id: 'inner', inputSchema: num, outputSchema: num }).then(broken).commit();
    const outer = createWorkflow({ id: 'outer', inputSchema: num, outputSchema: num, locks: null, tracer })
      .then(double)
      .then(inner)
      .commit();
    const result = await (await outer.createRun()).start({ inputData: { value: 1 } });
    expect(result.status).toBe('failed');
    const spans = exporter.spans();
    expect(tree(spans)).toEqual([
      'workflow outer [error]',
      '  step double [ok]',
      '  step inner [error]',
      '    step broken [error]',
    ]);
    const broke = spans.find((span) => span.name === 'step broken')!;
    expect(broke.events?.find((event) => event.name === 'exception')?.attributes).toMatchObject({
      'exception.message': expect.stringContaining('disk full'),
    });
    expect(spans.find((span) => span.name === 'workflow outer')!.attributes['workflow.status']).toBe(
      'failed',
    );
  });

  it('traces a suspension and the resume as a second execution of the same run', async () => {
    const { exporter, tracer } = tracing();
    const approve = createStep({
      id: 'approve',
      inputSchema: num,
      outputSchema: num,
      resumeSchema: z.object({ ok: z.boolean() }),
      execute: async ({ inputData, resumeData, suspend }) =>
        resumeData ? inputData : suspend({ reason: 'approve?' }),
    });
    const workflow = createWorkflow({
      id: 'approval',
      inputSchema: num,
      outputSchema: num,
      locks: null,
      tracer,
    })
      .then(approve)
      .then(double)
      .commit();
    const run = await workflow.createRun();
    expect((await run.start({ inputData: { value: 3 } })).status).toBe('suspended');
    expect((await run.resume({ resumeData: { ok: true } })).status).toBe('success');

    const spans = exporter.spans();
    const runs = spans.filter((span) => span.kind === 'workflow');
    expect(
      runs.map((span) => [span.attributes['workflow.resumed'], span.attributes['workflow.status']]),
    ).toEqual([
      [false, 'suspended'],
      [true, 'success'],
    ]);
    expect(runs.map((span) => span.attributes['workflow.run_id'])).toEqual([run.runId, run.runId]);
    expect(runs[0]!.events?.map((event) => event.name)).toEqual(['suspended']);
    expect(tree(spans)).toEqual([
      'workflow approval [unset]',
      '  step approve [unset]',
      'workflow approval [ok]',
      '  step approve [ok]',
      '  step double [ok]',
    ]);
    const suspendedStep = spans.find((span) => span.name === 'step approve')!;
    expect(suspendedStep.attributes['workflow.step.status']).toBe('suspended');
    expect(suspendedStep.events).toMatchObject([
      { name: 'suspended', attributes: { payload: { reason: 'approve?' } } },
    ]);
  });

  it('hands steps their span context: the run of an agent step and the spans of a tool step nest under it', async () => {
    const { exporter, tracer } = tracing();
    const writer = new Agent({
      name: 'writer',
      instructions: '',
      model: traceChatModel(new ScriptedModel([{ text: 'a poem' }]), tracer),
      defaultOptions: { tracer },
    });
    const seen: (SpanContext | undefined)[] = [];
    const count = createTool({
      id: 'count',
      description: 'Counts characters',
      inputSchema: z.object({ text: z.string() }),
      execute: async ({ text }, context) => {
        seen.push(context.traceContext);
        tracer.startSpan('count chars', { parent: context.traceContext }).end();
        return { length: text.length };
      },
    });
    const workflow = createWorkflow({
      id: 'compose',
      inputSchema: z.object({ prompt: z.string() }),
      outputSchema: z.object({ length: z.number() }),
      locks: null,
      tracer,
    })
      .then(createStep(writer))
      .then(createStep(count))
      .commit();
    const result = await (await workflow.createRun()).start({ inputData: { prompt: 'write' } });
    expect(result).toMatchObject({ status: 'success', result: { length: 6 } });
    expect(tree(exporter.spans()).map((line) => line.replace(/ \[\w+\]$/, ''))).toEqual([
      'workflow compose',
      '  step writer',
      '    agent.run',
      '      agent.step',
      '        chat scripted-model',
      '  step count',
      '    count chars',
    ]);
    const countStep = exporter.spans().find((span) => span.name === 'step count')!;
    expect(seen).toEqual([{ traceId: countStep.traceId, spanId: countStep.spanId, sampled: true }]);
  });
});
