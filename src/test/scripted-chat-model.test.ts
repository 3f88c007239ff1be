import { describe, expect, it } from 'vitest';
import { AbortedError, RateLimitError } from '../errors/index.js';
import type { ChatStreamEvent } from '../llm/types.js';
import { createScriptedChatModel } from './index.js';

const ask = (content: string) => ({ messages: [{ role: 'user' as const, content }] });

describe('createScriptedChatModel', () => {
  it('answers in order, then echoes, and records requests', async () => {
    const model = createScriptedChatModel({
      answers: [{ text: 'first' }, { toolCalls: [{ name: 'add', arguments: { a: 1 } }] }],
    });
    expect((await model.generate(ask('a'))).text).toBe('first');
    const second = await model.generate(ask('b'));
    expect(second).toMatchObject({
      finishReason: 'tool-calls',
      toolCalls: [{ id: 'call_1_0', name: 'add', arguments: '{"a":1}' }],
    });
    expect((await model.generate(ask('echo me'))).text).toBe('echo me');
    expect(model.requests.map((request) => request.messages[0]!.content)).toEqual(['a', 'b', 'echo me']);
  });

  it('streams word by word and ends with finish', async () => {
    const model = createScriptedChatModel({ answers: [{ text: 'one two three' }] });
    const events: ChatStreamEvent[] = [];
    for await (const event of model.stream(ask('x'))) events.push(event);
    expect(events.filter((event) => event.type === 'text-delta').map((event) => event.delta)).toEqual([
      'one',
      ' two',
      ' three',
    ]);
    expect(events.at(-1)).toMatchObject({ type: 'finish', result: { text: 'one two three' } });
  });

  it('throws scripted errors and honours AbortSignal', async () => {
    const model = createScriptedChatModel({ answers: [{ throws: new RateLimitError('slow') }] });
    await expect(model.generate(ask('x'))).rejects.toBeInstanceOf(RateLimitError);
    model.enqueue({ text: 'late', delayMs: 5000 });
    const controller = new AbortController();
    const pending = model.generate({ ...ask('x'), signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(AbortedError);
  });

  it('uses a handler when the script runs out', async () => {
    const model = createScriptedChatModel({ handler: (_request, index) => ({ text: `answer ${index}` }) });
    expect((await model.generate(ask('x'))).text).toBe('answer 0');
  });
});
