import { countTokens } from 'gpt-tokenizer';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors/index.js';
import type { ChatMessage } from '../llm/types.js';
import { applyProcessors, countMessageTokens, TokenLimiter, ToolCallFilter } from './index.js';

const conversation: ChatMessage[] = [
  { role: 'user', content: 'What is the weather in Oslo and in Rome today?' },
  {
    role: 'assistant',
    content: '',
    toolCalls: [
      { id: 'c1', name: 'weather', arguments: '{"city":"Oslo"}' },
      { id: 'c2', name: 'search', arguments: '{"q":"Rome weather"}' },
    ],
  },
  { role: 'tool', toolCallId: 'c1', name: 'weather', content: '{"celsius":3}' },
  { role: 'tool', toolCallId: 'c2', name: 'search', content: 'Rome: sunny, 21 degrees' },
  { role: 'assistant', content: 'Oslo has 3 °C; Rome is sunny at 21 °C.' },
  { role: 'user', content: 'Thanks!' },
];

describe('countMessageTokens', () => {
  it('counts text, tool calls and framing with the o200k tokenizer', () => {
    expect(countMessageTokens({ role: 'user', content: 'hello world' })).toBe(countTokens('hello world') + 4);
    const withCall = countMessageTokens(conversation[1] as ChatMessage);
    expect(withCall).toBeGreaterThan(countTokens('{"city":"Oslo"}') + countTokens('{"q":"Rome weather"}'));
  });
});

describe('TokenLimiter', () => {
  it('keeps the newest whole messages within the budget', async () => {
    const lastTwo =
      countMessageTokens(conversation[4] as ChatMessage) + countMessageTokens(conversation[5] as ChatMessage);
    const kept = await new TokenLimiter(lastTwo).process(conversation);
    expect(kept).toEqual(conversation.slice(4));
    const total = kept.reduce((sum, message) => sum + countMessageTokens(message), 0);
    expect(total).toBeLessThanOrEqual(lastTwo);
  });

  it('drops tool results whose call was cut off', async () => {
    const budget = conversation.slice(3).reduce((sum, message) => sum + countMessageTokens(message), 0);
    const kept = await new TokenLimiter(budget).process(conversation);
    expect(kept.some((message) => message.role === 'tool')).toBe(false);
    expect(kept).toEqual(conversation.slice(4));
  });

  it('keeps everything under a large budget and rejects a bad limit', async () => {
    expect(await new TokenLimiter(100_000).process(conversation)).toEqual(conversation);
    expect(() => new TokenLimiter(0)).toThrow(InvalidArgumentError);
  });
});

describe('ToolCallFilter', () => {
  it('removes every tool call and result by default', async () => {
    const filtered = await new ToolCallFilter().process(conversation);
    expect(filtered.map((message) => message.role)).toEqual(['user', 'assistant', 'user']);
  });

  it('removes only the named tools and keeps the pairs of the others', async () => {
    const filtered = await new ToolCallFilter({ exclude: ['search'] }).process(conversation);
    expect(filtered[1]).toEqual({
      role: 'assistant',
      content: '',
      toolCalls: [{ id: 'c1', name: 'weather', arguments: '{"city":"Oslo"}' }],
    });
    expect(filtered.filter((message) => message.role === 'tool')).toEqual([conversation[2]]);
  });
});

describe('applyProcessors', () => {
  it('runs processors in order with the thread context', async () => {
    const seen: unknown[] = [];
    const upper = {
      name: 'upper',
      async process(messages: ChatMessage[], context: { threadId: string; resourceId: string }) {
        seen.push(context);
        return messages.map((message) =>
          message.role === 'user' && typeof message.content === 'string'
            ? { ...message, content: message.content.toUpperCase() }
            : message,
        );
      },
    };
    const result = await applyProcessors([new ToolCallFilter(), upper], conversation, {
      threadId: 't',
      resourceId: 'u',
    });
    expect(result.at(-1)).toEqual({ role: 'user', content: 'THANKS!' });
    expect(seen).toEqual([{ threadId: 't', resourceId: 'u' }]);
  });
});
