import { describe, expect, it } from 'vitest';
import { SseDecoder } from './sse.js';

describe('SseDecoder', () => {
  it('decodes events split anywhere across reads, with LF, CRLF and CR line ends', () => {
    const decoder = new SseDecoder();
    const input = 'data: {"a":1}\n\ndata: {"b":2}\r\n\r\n: comment\rdata: [DONE]\r\r';
    const events: string[] = [];
    for (const char of input) events.push(...decoder.push(char));
    events.push(...decoder.flush());
    expect(events).toEqual(['{"a":1}', '{"b":2}', '[DONE]']);
  });

  it('joins multi-line data, ignores other fields, and flushes an unterminated last event', () => {
    const decoder = new SseDecoder();
    expect(
      decoder.push('event: message\nid: 7\ndata: line one\ndata:line two\n\nretry: 10\ndata: tail'),
    ).toEqual(['line one\nline two']);
    expect(decoder.flush()).toEqual(['tail']);
  });
});
