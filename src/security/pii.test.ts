import { describe, expect, it } from 'vitest';
import { piiHeldOut, piiSet } from '../../test/fixtures/security/pii-set.js';
import type { ChatModel, ChatRequest, ChatStreamEvent } from '../llm/types.js';
import { createPiiRedactor, detectPii, withPiiRedaction } from './pii.js';

/** Precision and recall over exact (kind, value) matches on the labelled set. */
function measure(set: typeof piiSet) {
  let truePositives = 0;
  let falsePositives = 0;
  let falseNegatives = 0;
  for (const example of set) {
    const found = detectPii(example.text).map((match) => `${match.kind}:${match.text}`);
    const expected = example.pii.map((item) => `${item.kind}:${item.value}`);
    truePositives += found.filter((item) => expected.includes(item)).length;
    falsePositives += found.filter((item) => !expected.includes(item)).length;
    falseNegatives += expected.filter((item) => !found.includes(item)).length;
  }
  return {
    precision: truePositives / (truePositives + falsePositives),
    recall: truePositives / (truePositives + falseNegatives),
  };
}

describe('PII redaction', () => {
  it('reaches high precision and recall on the labelled sets', () => {
    const tuned = measure(piiSet);
    const heldOut = measure(piiHeldOut);
    console.log(
      `PII tuning set: precision ${tuned.precision.toFixed(3)}, recall ${tuned.recall.toFixed(3)}; ` +
        `held-out set: precision ${heldOut.precision.toFixed(3)}, recall ${heldOut.recall.toFixed(3)}`,
    );
    expect(tuned.precision).toBeGreaterThanOrEqual(0.95);
    expect(tuned.recall).toBeGreaterThanOrEqual(0.95);
    expect(heldOut.precision).toBeGreaterThanOrEqual(0.8);
    expect(heldOut.recall).toBeGreaterThanOrEqual(0.8);
  });

  it('uses stable placeholders and restores them', () => {
    const redactor = createPiiRedactor();
    const { text, mapping } = redactor.redact('Mail a@b.io, then a@b.io again, and c@d.io.');
    expect(text).toBe('Mail [EMAIL_1], then [EMAIL_1] again, and [EMAIL_2].');
    expect(redactor.restore('Wrote to [EMAIL_2] and [EMAIL_1].', mapping)).toBe(
      'Wrote to c@d.io and a@b.io.',
    );
    expect(redactor.restore('Unknown [EMAIL_9] stays.', mapping)).toBe('Unknown [EMAIL_9] stays.');
  });

  it('accepts user patterns', () => {
    const redactor = createPiiRedactor({ patterns: [{ kind: 'employee', pattern: /\bEMP-\d{5}\b/g }] });
    expect(redactor.redact('Ticket for EMP-12345.').text).toBe('Ticket for [EMPLOYEE_1].');
  });

  it('keeps PII out of what the model receives, and restores it in streamed and whole answers', async () => {
    const seen: ChatRequest[] = [];
    const model: ChatModel = {
      provider: 'scripted',
      modelId: 'echo',
      capabilities: { tools: true, jsonSchema: false, streamUsage: false, parallelToolCalls: false },
      async generate(request) {
        seen.push(request);
        return {
          text: 'Sent to [EMAIL_1].',
          toolCalls: [],
          finishReason: 'stop',
          usage: undefined,
          modelId: 'echo',
        };
      },
      async *stream(request): AsyncIterable<ChatStreamEvent> {
        seen.push(request);
        for (const delta of ['Sent to [EM', 'AIL_', '1]', ' ok']) yield { type: 'text-delta', delta };
        yield {
          type: 'finish',
          result: {
            text: 'Sent to [EMAIL_1] ok',
            toolCalls: [],
            finishReason: 'stop',
            usage: undefined,
            modelId: 'echo',
          },
        };
      },
    };
    const safe = withPiiRedaction(model);
    const request: ChatRequest = {
      messages: [{ role: 'user', content: 'Email bob@corp.com my card 4111111111111111' }],
    };
    const whole = await safe.generate(request);
    expect(whole.text).toBe('Sent to bob@corp.com.');
    expect(JSON.stringify(seen[0])).not.toMatch(/bob@corp\.com|4111111111111111/);
    expect(JSON.stringify(seen[0])).toContain('[CARD_1]');

    let streamed = '';
    for await (const event of safe.stream(request)) if (event.type === 'text-delta') streamed += event.delta;
    expect(streamed).toBe('Sent to bob@corp.com ok');
  });
});
