import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AbortedError, InvalidArgumentError, NotFoundError, StructuredOutputError } from '../errors/index.js';
import type { ChatMessage } from '../llm/types.js';
import { createMemoryExporter, createTracer, traceChatModel } from '../telemetry/index.js';
import { createTool } from '../tools/index.js';
import { Agent } from './agent.js';
import type { AgentMemory } from './memory.js';
import { MapKeyValueStore } from './pending-runs.js';
import { ScriptedModel } from './testing/scripted-model.js';
import type { AgentSpan, AgentTracer } from './tracer.js';
import type { AgentStreamEvent } from './types.js';

const weather = createTool({
  id: 'weather',
  description: 'Current weather of a city',
  inputSchema: z.object({ city: z.string() }),
  execute: async ({ city }) => ({ city, celsius: city.length }),
});

describe('Agent.generate', () => {
  it('runs a multi-step tool loop and feeds results back', async () => {
    const model = new ScriptedModel([
      { toolCalls: [{ id: 'a', name: 'weather', arguments: { city: 'Paris' } }] },
      { toolCalls: [{ id: 'b', name: 'weather', arguments: { city: 'Rome' } }] },
      { text: 'Paris 5, Rome 4.' },
    ]);
    const steps: number[] = [];
    const agent = new Agent({ name: 'helper', instructions: 'Be brief.', model, tools: { weather } });
    const result = await agent.generate('Weather?', {
      onStepFinish: (step) => void steps.push(step.stepNumber),
    });
    expect(result.text).toBe('Paris 5, Rome 4.');
    expect(result.finishReason).toBe('stop');
    expect(result.steps).toHaveLength(3);
    expect(steps).toEqual([0, 1, 2]);
    expect(result.toolResults.map((entry) => entry.result)).toEqual([
      { city: 'Paris', celsius: 5 },
      { city: 'Rome', celsius: 4 },
    ]);
    expect(result.usage).toEqual({ promptTokens: 30, completionTokens: 15, totalTokens: 45 });
    expect(model.requests[0]!.messages[0]).toEqual({ role: 'system', content: 'Be brief.' });
    expect(model.requests[0]!.tools![0]).toMatchObject({
      name: 'weather',
      description: 'Current weather of a city',
    });
    expect(model.requests[2]!.messages.slice(-2)).toEqual([
      {
        role: 'assistant',
        content: '',
        toolCalls: [{ id: 'b', name: 'weather', arguments: '{"city":"Rome"}' }],
      },
      { role: 'tool', toolCallId: 'b', name: 'weather', content: '{"city":"Rome","celsius":4}' },
    ]);
  });

  it('executes parallel tool calls concurrently', async () => {
    const started: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slow = createTool({
      id: 'slow',
      description: 'Waits',
      inputSchema: z.object({ name: z.string() }),
      execute: async ({ name }) => {
        started.push(name);
        if (started.length === 2) release();
        await gate;
        return name;
      },
    });
    const model = new ScriptedModel([
      {
        toolCalls: [
          { id: 'x', name: 'slow', arguments: { name: 'x' } },
          { id: 'y', name: 'slow', arguments: { name: 'y' } },
        ],
      },
      { text: 'done' },
    ]);
    const result = await new Agent({ name: 'p', instructions: '', model, tools: { slow } }).generate('go');
    expect(started).toEqual(['x', 'y']);
    expect(result.toolResults.map((entry) => entry.result)).toEqual(['x', 'y']);
  });

  it('lets the model correct invalid arguments, bounded by maxSteps', async () => {
    const model = new ScriptedModel([
      { toolCalls: [{ name: 'weather', arguments: { town: 'Paris' } }] },
      { toolCalls: [{ name: 'weather', arguments: '{"city": ' }] },
      { toolCalls: [{ name: 'weather', arguments: { city: 'Paris' } }] },
      { text: 'It is 5 degrees.' },
    ]);
    const agent = new Agent({ name: 'fix', instructions: '', model, tools: { weather } });
    const result = await agent.generate('Weather in Paris?');
    expect(result.text).toBe('It is 5 degrees.');
    expect(result.toolResults.map((entry) => entry.isError)).toEqual([true, true, false]);
    const firstError = JSON.parse(String(model.requests[1]!.messages.at(-1)!.content));
    expect(firstError.error.code).toBe('validation');
    expect(firstError.error.issues[0].path).toEqual(['city']);

    const bounded = new ScriptedModel(() => ({ toolCalls: [{ name: 'weather', arguments: {} }] }));
    const stopped = await new Agent({
      name: 'b',
      instructions: '',
      model: bounded,
      tools: { weather },
      maxSteps: 3,
    }).generate('x');
    expect(bounded.requests).toHaveLength(3);
    expect(stopped.finishReason).toBe('tool-calls');
  });

  it('passes toolChoice and activeTools to the model', async () => {
    const other = createTool({
      id: 'other',
      description: 'x',
      inputSchema: z.object({}),
      execute: async () => 1,
    });
    const model = new ScriptedModel([{ text: 'ok' }]);
    await new Agent({ name: 'c', instructions: '', model, tools: { weather, other } }).generate('x', {
      toolChoice: 'required',
      activeTools: ['other'],
    });
    expect(model.requests[0]!.toolChoice).toBe('required');
    expect(model.requests[0]!.tools!.map((tool) => tool.name)).toEqual(['other']);
  });

  it('rejects tool names endpoints would refuse and lists its tools', () => {
    const model = new ScriptedModel([]);
    expect(
      () => new Agent({ name: 'x', instructions: '', model, tools: { 'get weather': weather } }),
    ).toThrow(/Tool name "get weather"/);
    expect(
      Object.keys(new Agent({ name: 'x', instructions: '', model, tools: { weather } }).listTools()),
    ).toEqual(['weather']);
  });

  it('resolves dynamic instructions from the request context', async () => {
    const model = new ScriptedModel([{ text: 'ok' }]);
    const agent = new Agent({
      name: 'd',
      instructions: async (context) => `Answer in ${String(context.language)}.`,
      model,
    });
    await agent.generate([{ role: 'user', content: 'hi' }], { requestContext: { language: 'French' } });
    expect(model.requests[0]!.messages).toEqual([
      { role: 'system', content: 'Answer in French.' },
      { role: 'user', content: 'hi' },
    ]);
    expect(model.requests[0]!.tools).toBeUndefined();
  });
});

describe('structured output', () => {
  const schema = z.object({ city: z.string(), celsius: z.number() });

  it('uses JSON-schema mode when the model supports it', async () => {
    const model = new ScriptedModel([{ text: '{"city":"Paris","celsius":5}' }]);
    const result = await new Agent({ name: 's', instructions: '', model }).generate('x', {
      structuredOutput: { schema },
    });
    expect(result.object).toEqual({ city: 'Paris', celsius: 5 });
    expect(model.requests[0]!.responseFormat).toMatchObject({ type: 'json_schema', name: 'response' });
  });

  it('falls back to instructions and repairs fenced JSON', async () => {
    const model = new ScriptedModel(
      [{ text: 'Sure!\n```json\n{"city":"Paris","celsius":5,}\n```\nAnything else?' }],
      {
        jsonSchema: false,
      },
    );
    const result = await new Agent({ name: 's', instructions: 'Be nice.', model }).generate('x', {
      structuredOutput: { schema },
    });
    expect(result.object).toEqual({ city: 'Paris', celsius: 5 });
    expect(model.requests[0]!.responseFormat).toBeUndefined();
    expect(model.requests[0]!.messages[0]!.content).toContain('"celsius"');
  });

  it('throws StructuredOutputError carrying the raw text', async () => {
    const model = new ScriptedModel([{ text: '{"city":"Paris"}' }], { jsonSchema: false });
    const failure = await new Agent({ name: 's', instructions: '', model })
      .generate('x', { structuredOutput: { schema } })
      .catch((error: unknown) => error);
    expect(StructuredOutputError.isInstance(failure)).toBe(true);
    expect((failure as StructuredOutputError).data.text).toBe('{"city":"Paris"}');
  });
});

describe('human approval', () => {
  const transfer = createTool({
    id: 'transfer',
    description: 'Moves money',
    inputSchema: z.object({ amount: z.number() }),
    requireApproval: true,
    execute: async ({ amount }) => ({ moved: amount }),
  });
  const script = () =>
    new ScriptedModel((request) => {
      const results = request.messages.flatMap((message) =>
        message.role === 'tool' ? [message.content] : [],
      );
      if (results.length > 0) return { text: `Result: ${results.join(' ')}` };
      return {
        toolCalls: [
          { id: 't1', name: 'transfer', arguments: { amount: 10 } },
          { id: 'w1', name: 'weather', arguments: { city: 'Oslo' } },
        ],
      };
    });

  it('suspends, persists and resumes in a new agent over the same store', async () => {
    const storage = new MapKeyValueStore();
    const first = new Agent({
      name: 'bank',
      instructions: '',
      model: script(),
      tools: { transfer, weather },
      storage,
    });
    const suspended = await first.generate('Send 10');
    expect(suspended.finishReason).toBe('suspended');
    expect(suspended.pendingToolCalls).toEqual([
      { toolCallId: 't1', toolName: 'transfer', args: { amount: 10 } },
    ]);
    expect(suspended.toolResults).toMatchObject([{ toolCallId: 'w1', result: { city: 'Oslo', celsius: 4 } }]);

    const model = script();
    const reloaded = new Agent({
      name: 'bank',
      instructions: '',
      model,
      tools: { transfer, weather },
      storage,
    });
    expect(await reloaded.listPendingRuns()).toEqual([
      { runId: suspended.runId, pendingToolCalls: suspended.pendingToolCalls },
    ]);
    const resumed = await reloaded.approveToolCall({ runId: suspended.runId, toolCallId: 't1' });
    expect(resumed.finishReason).toBe('stop');
    expect(resumed.text).toBe('Result: {"moved":10} {"city":"Oslo","celsius":4}');
    expect(resumed.toolResults.map((entry) => entry.toolCallId)).toEqual(['t1', 'w1']);
    expect(model.requests[0]!.messages.slice(-2).map((message) => message.role)).toEqual(['tool', 'tool']);
    expect(await reloaded.listPendingRuns()).toEqual([]);
    await expect(reloaded.approveToolCall({ runId: suspended.runId, toolCallId: 't1' })).rejects.toSatisfy(
      NotFoundError.isInstance,
    );
  });

  it('tells the model when an approved tool is gone after a reload', async () => {
    const storage = new MapKeyValueStore();
    const suspended = await new Agent({
      name: 'bank',
      instructions: '',
      model: script(),
      tools: { transfer, weather },
      storage,
    }).generate('Send 10');
    const model = script();
    const resumed = await new Agent({
      name: 'bank',
      instructions: '',
      model,
      tools: { weather },
      storage,
    }).approveToolCall({
      runId: suspended.runId,
      toolCallId: 't1',
    });
    expect(resumed.toolResults[0]).toMatchObject({
      toolCallId: 't1',
      isError: true,
      result: { error: { code: 'unknown_tool' } },
    });
    expect(resumed.finishReason).toBe('stop');
  });

  it('streams the continued run after an approval', async () => {
    const agent = new Agent({
      name: 'bank',
      instructions: '',
      model: script(),
      tools: { transfer, weather },
    });
    const suspendedStream = agent.stream('Send 10');
    const suspendedEvents: string[] = [];
    for await (const event of suspendedStream.fullStream) suspendedEvents.push(event.type);
    expect(suspendedEvents).toContain('tool-approval-required');
    expect(await suspendedStream.finishReason).toBe('suspended');

    const stream = agent.approveToolCallStream({ runId: suspendedStream.runId, toolCallId: 't1' });
    const events: AgentStreamEvent[] = [];
    for await (const event of stream.fullStream) events.push(event);
    expect(events.map((event) => event.type).filter((type) => type !== 'text-delta')).toEqual([
      'start',
      'tool-result',
      'step-finish',
      'step-start',
      'step-finish',
      'finish',
    ]);
    expect(events.some((event) => event.type === 'text-delta')).toBe(true);
    expect(await stream.text).toBe('Result: {"moved":10} {"city":"Oslo","celsius":4}');
    await expect(
      agent.declineToolCallStream({ runId: stream.runId, toolCallId: 't1' }).result,
    ).rejects.toSatisfy(NotFoundError.isInstance);
  });

  it('returns a declined result to the model', async () => {
    const agent = new Agent({
      name: 'bank',
      instructions: '',
      model: script(),
      tools: { transfer, weather },
    });
    const suspended = await agent.generate('Send 10');
    const resumed = await agent.declineToolCall({
      runId: suspended.runId,
      toolCallId: 't1',
      reason: 'Not today.',
    });
    expect(resumed.text).toContain('Not today.');
    expect(resumed.toolResults[0]).toMatchObject({ isError: true, result: { error: { code: 'declined' } } });
  });
});

describe('Agent.stream', () => {
  it('streams typed events, text and promises', async () => {
    const model = new ScriptedModel([
      { toolCalls: [{ id: 'a', name: 'weather', arguments: { city: 'Paris' } }] },
      { text: 'It is 5 degrees.' },
    ]);
    const stream = new Agent({ name: 's', instructions: '', model, tools: { weather } }).stream('x');
    const events: AgentStreamEvent['type'][] = [];
    for await (const event of stream.fullStream) events.push(event.type);
    expect(events).toEqual([
      'start',
      'step-start',
      'tool-call',
      'tool-result',
      'step-finish',
      'step-start',
      'text-delta',
      'text-delta',
      'text-delta',
      'text-delta',
      'step-finish',
      'finish',
    ]);
    const text: string[] = [];
    for await (const delta of stream.textStream) text.push(delta);
    expect(text.join('')).toBe('It is 5 degrees.');
    expect(await stream.text).toBe('It is 5 degrees.');
    expect(await stream.finishReason).toBe('stop');
    expect((await stream.toolCalls).map((call) => call.toolName)).toEqual(['weather']);
    expect((await stream.steps).length).toBe(2);
  });

  it('exposes real ReadableStreams that can be read with a reader, late', async () => {
    const model = new ScriptedModel([{ text: 'a b c' }]);
    const stream = new Agent({ name: 'r', instructions: '', model }).stream('x');
    await stream.result;
    const textStream = stream.textStream;
    expect(textStream).toBeInstanceOf(ReadableStream);
    const reader = textStream.getReader();
    const parts: string[] = [];
    for (let next = await reader.read(); !next.done; next = await reader.read()) parts.push(next.value);
    expect(parts).toEqual(['a ', 'b ', 'c']);
    const collected: string[] = [];
    await stream.fullStream.pipeTo(new WritableStream({ write: (event) => void collected.push(event.type) }));
    expect(collected.at(-1)).toBe('finish');
  });

  it('aborts mid-stream: stops the model call, ends with an error event', async () => {
    const controller = new AbortController();
    const model = new ScriptedModel([{ text: 'one two three four five six seven eight nine ten' }]);
    const stream = new Agent({ name: 's', instructions: '', model }).stream('x', {
      abortSignal: controller.signal,
    });
    const seen: AgentStreamEvent[] = [];
    for await (const event of stream.fullStream) {
      seen.push(event);
      if (event.type === 'text-delta') controller.abort();
    }
    expect(seen.filter((event) => event.type === 'text-delta')).toHaveLength(1);
    const last = seen.at(-1)!;
    expect(last.type).toBe('error');
    await expect(stream.text).rejects.toSatisfy(AbortedError.isInstance);
  });

  it('aborts running tools', async () => {
    const controller = new AbortController();
    let toolSignal: AbortSignal | undefined;
    const hang = createTool({
      id: 'hang',
      description: '',
      inputSchema: z.object({}),
      execute: (_input, context) => {
        toolSignal = context.abortSignal;
        setTimeout(() => controller.abort(), 5);
        return new Promise<never>(() => {});
      },
    });
    const model = new ScriptedModel([{ toolCalls: [{ name: 'hang', arguments: {} }] }]);
    const run = new Agent({ name: 'h', instructions: '', model, tools: { hang } }).generate('x', {
      abortSignal: controller.signal,
    });
    await expect(run).rejects.toSatisfy(AbortedError.isInstance);
    expect(toolSignal?.aborted).toBe(true);
  });
});

describe('hooks', () => {
  it('streams tool progress written through the writer', async () => {
    const progress = createTool({
      id: 'progress',
      description: '',
      inputSchema: z.object({}),
      execute: async (_input, { writer, runId }) => {
        writer.write({ percent: 50 });
        return runId;
      },
    });
    const model = new ScriptedModel([
      { toolCalls: [{ id: 'p', name: 'progress', arguments: {} }] },
      { text: 'ok' },
    ]);
    const stream = new Agent({ name: 'w', instructions: '', model, tools: { progress } }).stream('x', {
      runId: 'run-1',
    });
    const outputs: unknown[] = [];
    for await (const event of stream.fullStream) if (event.type === 'tool-output') outputs.push(event);
    expect(outputs).toEqual([{ type: 'tool-output', toolCallId: 'p', data: { percent: 50 } }]);
    expect((await stream.result).toolResults[0]!.result).toBe('run-1');
  });

  it('reports spans to a tracer', async () => {
    const spans: {
      name: string;
      parent: string | undefined;
      attributes: Record<string, unknown>;
      ended: boolean;
    }[] = [];
    const names = new Map<unknown, string>();
    const tracer: AgentTracer = {
      startSpan(name, options) {
        const record = {
          name,
          parent: names.get(options?.parent),
          attributes: { ...options?.attributes },
          ended: false,
        };
        spans.push(record);
        const span: AgentSpan = {
          setAttributes: (attributes) => Object.assign(record.attributes, attributes),
          recordError: () => {},
          end: () => {
            record.ended = true;
          },
        };
        names.set(span, name);
        return span;
      },
    };
    const model = new ScriptedModel([
      { toolCalls: [{ name: 'weather', arguments: { city: 'Oslo' } }] },
      { text: 'ok' },
    ]);
    await new Agent({ name: 'traced', instructions: '', model, tools: { weather } }).generate('x', {
      tracer,
    });
    expect(spans.map((span) => [span.name, span.parent])).toEqual([
      ['agent.run', undefined],
      ['agent.step', 'agent.run'],
      ['tool.call', 'agent.step'],
      ['agent.step', 'agent.run'],
    ]);
    expect(spans.every((span) => span.ended)).toBe(true);
    expect(spans[0]!.attributes).toMatchObject({
      'agent.name': 'traced',
      'agent.finish_reason': 'stop',
      'agent.steps': 2,
    });
  });

  it('reports to the lumosai/telemetry tracer', async () => {
    const exporter = createMemoryExporter();
    const tracer = createTracer({ exporters: [exporter] });
    const model = new ScriptedModel([
      { toolCalls: [{ name: 'weather', arguments: { city: 'Oslo' } }] },
      { text: 'ok' },
    ]);
    await new Agent({ name: 'traced', instructions: '', model, tools: { weather } }).generate('Oslo?', {
      tracer,
    });
    await tracer.flush();
    const spans = exporter.spans();
    const byName = (name: string) => spans.filter((span) => span.name === name);
    const [run] = byName('agent.run');
    expect(run).toMatchObject({ kind: 'agent', status: 'ok' });
    expect(byName('agent.step').map((step) => [step.parentSpanId, step.status])).toEqual([
      [run!.spanId, 'ok'],
      [run!.spanId, 'ok'],
    ]);
    const [tool] = byName('tool.call');
    expect(tool).toMatchObject({
      kind: 'tool',
      attributes: expect.objectContaining({ 'tool.name': 'weather' }),
    });
    expect(new Set(spans.map((span) => span.traceId)).size).toBe(1);
  });

  it('nests model calls of a traceChatModel under the step and hands tools their trace context', async () => {
    const exporter = createMemoryExporter();
    const tracer = createTracer({ exporters: [exporter] });
    const contexts: unknown[] = [];
    const probe = createTool({
      id: 'probe',
      description: 'Reports its trace context',
      inputSchema: z.object({}),
      execute: async (_input, context) => {
        contexts.push(context.traceContext);
        return 'ok';
      },
    });
    const model = traceChatModel(
      new ScriptedModel([{ toolCalls: [{ name: 'probe', arguments: {} }] }, { text: 'done' }]),
      tracer,
    );
    const agent = new Agent({ name: 'nested', instructions: '', model, tools: { probe } });
    await agent.stream('go', { tracer }).text;
    const spans = exporter.spans();
    const steps = spans.filter((span) => span.name === 'agent.step');
    const models = spans.filter((span) => span.kind === 'model');
    const tool = spans.find((span) => span.name === 'tool.call')!;
    expect(models.map((span) => span.parentSpanId)).toEqual(steps.map((step) => step.spanId));
    expect(tool.parentSpanId).toBe(steps[0]!.spanId);
    expect(contexts).toEqual([{ traceId: tool.traceId, spanId: tool.spanId, sampled: true }]);

    // Untraced runs give tools no trace context.
    contexts.length = 0;
    const untraced = new Agent({
      name: 'plain',
      instructions: '',
      model: new ScriptedModel([{ toolCalls: [{ name: 'probe', arguments: {} }] }, { text: 'done' }]),
      tools: { probe },
    });
    await untraced.generate('go');
    expect(contexts).toEqual([undefined]);
  });
});

describe('tracing sub-agents', () => {
  it('nests a traced sub-agent run under the tool call that runs it', async () => {
    const exporter = createMemoryExporter();
    const tracer = createTracer({ exporters: [exporter] });
    const helper = new Agent({
      name: 'helper',
      instructions: '',
      model: traceChatModel(new ScriptedModel([{ text: 'helped' }]), tracer),
      defaultOptions: { tracer },
    });
    const lead = new Agent({
      name: 'lead',
      instructions: '',
      model: traceChatModel(
        new ScriptedModel([
          { toolCalls: [{ name: 'helper', arguments: { prompt: 'help' } }] },
          { text: 'done' },
        ]),
        tracer,
      ),
      tools: { helper },
    });
    await lead.generate('go', { tracer });
    const spans = exporter.spans();
    const runs = spans.filter((span) => span.name === 'agent.run');
    const call = spans.find((span) => span.name === 'tool.call')!;
    const inner = runs.find((span) => span.attributes['agent.name'] === 'helper')!;
    expect(inner.parentSpanId).toBe(call.spanId);
    const innerStep = spans.find((span) => span.name === 'agent.step' && span.parentSpanId === inner.spanId)!;
    expect(
      spans.filter((span) => span.kind === 'model' && span.parentSpanId === innerStep.spanId),
    ).toHaveLength(1);
    expect(new Set(spans.map((span) => span.traceId)).size).toBe(1);
  });
});

describe('memory and sub-agents', () => {
  it('loads context and saves the exchange', async () => {
    const saved: ChatMessage[][] = [];
    const memory: AgentMemory = {
      getContext: async ({ threadId, resourceId }) => ({
        systemMessages: [`User ${resourceId} likes tea.`],
        messages: [{ role: 'user', content: `earlier in ${threadId}` }],
      }),
      saveMessages: async ({ messages }) => void saved.push(messages),
    };
    const model = new ScriptedModel([{ text: 'Tea!' }]);
    const agent = new Agent({ name: 'm', instructions: 'Hi.', model, memory });
    await agent.generate('Drink?', { memory: { thread: { id: 't1' }, resource: 'u1' } });
    expect(model.requests[0]!.messages).toEqual([
      { role: 'system', content: 'Hi.\n\nUser u1 likes tea.' },
      { role: 'user', content: 'earlier in t1' },
      { role: 'user', content: 'Drink?' },
    ]);
    expect(saved).toEqual([
      [
        { role: 'user', content: 'Drink?' },
        { role: 'assistant', content: 'Tea!' },
      ],
    ]);
    await expect(
      new Agent({ name: 'n', instructions: '', model }).generate('x', {
        memory: { thread: 't', resource: 'r' },
      }),
    ).rejects.toSatisfy(InvalidArgumentError.isInstance);
  });

  it('uses another agent as a tool', async () => {
    const researcher = new Agent({
      name: 'researcher',
      description: 'Finds facts',
      instructions: '',
      model: new ScriptedModel([{ text: 'Paris has 2.1M people.' }]),
    });
    const model = new ScriptedModel([
      { toolCalls: [{ name: 'researcher', arguments: { prompt: 'Population of Paris?' } }] },
      { text: 'About 2.1 million.' },
    ]);
    const lead = new Agent({ name: 'lead', instructions: '', model, tools: { researcher } });
    const result = await lead.generate('How many people live in Paris?');
    expect(model.requests[0]!.tools![0]).toMatchObject({ name: 'researcher', description: 'Finds facts' });
    expect(result.toolResults[0]!.result).toEqual({ text: 'Paris has 2.1M people.' });
    expect(result.text).toBe('About 2.1 million.');
  });
});
