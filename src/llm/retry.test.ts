import { describe, expect, it } from 'vitest';
import { RateLimitError, ServerError } from '../errors/index.js';
import { extractJsonText, retryAfterMs, retryDelayMs } from './index.js';

describe('retry timing', () => {
  it('reads retry-after-ms, Retry-After seconds and Retry-After dates', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs(new Headers({ 'retry-after-ms': '250' }), now)).toBe(250);
    expect(retryAfterMs(new Headers({ 'retry-after': '2' }), now)).toBe(2000);
    expect(retryAfterMs(new Headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:03 GMT' }), now)).toBe(3000);
    expect(retryAfterMs(new Headers({ 'retry-after': 'soon' }), now)).toBeUndefined();
    expect(retryAfterMs(new Headers(), now)).toBeUndefined();
  });

  it('waits what the server asked, else full jitter on a doubling, capped window', () => {
    const asked = new RateLimitError('slow down', { data: { retryAfterMs: 1500 } });
    expect(retryDelayMs(0, asked, {})).toBe(1500);
    const error = new ServerError('boom');
    const options = { initialDelayMs: 100, maxDelayMs: 1000, random: () => 0.5 };
    expect([0, 1, 2, 3, 4, 5].map((attempt) => retryDelayMs(attempt, error, options))).toEqual([
      50, 100, 200, 400, 500, 500,
    ]);
    expect(retryDelayMs(0, error, { random: () => 0 })).toBe(0);
  });
});

describe('extractJsonText', () => {
  it('finds JSON in plain, fenced and chatty answers', () => {
    expect(extractJsonText(' {"a": 1} ')).toBe('{"a": 1}');
    expect(extractJsonText('```json\n[1, 2]\n```')).toBe('[1, 2]');
    expect(extractJsonText('Result: {"text": "a } b", "n": {"m": 2}} hope that helps')).toBe(
      '{"text": "a } b", "n": {"m": 2}}',
    );
    expect(extractJsonText('{broken} then {"ok": true}')).toBe('{"ok": true}');
    expect(extractJsonText('no json here')).toBeUndefined();
  });
});
