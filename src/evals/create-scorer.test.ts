import { beforeEach, describe, expect, inject, it } from 'vitest';
import { z } from 'zod';
import { AbortedError, InvalidArgumentError } from '../errors/index.js';
import { openai } from '../llm/index.js';
import { connectTestServer, type TestSession } from '../test/index.js';
import { createScorer } from './create-scorer.js';

let session: TestSession;
beforeEach(async () => {
  session = await connectTestServer(inject('openaiServerUrl')).session();
});

describe('createScorer', () => {
  it('runs preprocess → analyze → generateScore → generateReason and returns every step in details', async () => {
    const calls: string[] = [];
    const scorer = createScorer<string>({ id: 'short', description: 'Answers under five words' })
      .preprocess(({ run }) => {
        calls.push('preprocess');
        return run.output.split(/\s+/).length;
      })
      .analyze(async ({ results }) => {
        calls.push('analyze');
        return { words: results.preprocessStepResult, limit: 5 };
      })
      .generateScore(({ results }) => {
        calls.push('score');
        return results.analyzeStepResult.words <= results.analyzeStepResult.limit ? 1 : 0;
      })
      .generateReason(({ results, score }) => {
        calls.push('reason');
        return `${results.preprocessStepResult} words → ${score}`;
      });
    const result = await scorer.run({ input: 'q', output: 'one two three' });
    expect(calls).toEqual(['preprocess', 'analyze', 'score', 'reason']);
    expect(result).toEqual({
      score: 1,
      reason: '3 words → 1',
      details: { preprocessStepResult: 3, analyzeStepResult: { words: 3, limit: 5 } },
    });
    expect(scorer).toMatchObject({ id: 'short', description: 'Answers under five words', better: 'higher' });
  });

  it('rejects scores outside [0, 1] and prompt steps without a judge', async () => {
    const tooHigh = createScorer({ id: 'broken', description: 'x' }).generateScore(() => 1.5);
    await expect(tooHigh.run({ input: 'q', output: 'a' })).rejects.toBeInstanceOf(InvalidArgumentError);
    const noJudge = createScorer({ id: 'needs-judge', description: 'x' })
      .analyze({
        description: 'judge it',
        outputSchema: z.object({ ok: z.boolean() }),
        createPrompt: () => 'Is it ok?',
      })
      .generateScore(({ results }) => (results.analyzeStepResult.ok ? 1 : 0));
    await expect(noJudge.run({ input: 'q', output: 'a' })).rejects.toThrow(/no judge/);
  });

  it('answers prompt steps with the judge model (structured) and prompt reasons with plain text', async () => {
    const model = openai({ apiKey: 'test', baseURL: session.baseURL, model: 'judge', maxRetries: 0 });
    const scorer = createScorer<string>({
      id: 'politeness',
      description: 'Is the answer polite?',
      judge: { model, instructions: 'You rate politeness.' },
    })
      .analyze({
        description: 'Rate politeness',
        outputSchema: z.object({ polite: z.number().min(0).max(10) }),
        createPrompt: ({ run }) => `Rate the politeness of: ${run.output}`,
      })
      .generateScore(({ results }) => results.analyzeStepResult.polite / 10)
      .generateReason({
        description: 'Explain',
        createPrompt: ({ score }) => `Explain a score of ${score}.`,
      });
    await session.enqueue({ text: '{"polite": 8}' }, { text: '  Courteous wording throughout.  ' });
    const result = await scorer.run({ input: 'q', output: 'Thank you kindly!' });
    expect(result).toMatchObject({ score: 0.8, reason: 'Courteous wording throughout.' });
    const [analyze, reason] = await session.requests();
    expect(JSON.stringify(analyze!.body)).toContain('Rate the politeness of: Thank you kindly!');
    expect((reason!.body as { response_format?: unknown }).response_format).toBeUndefined();
  });

  it('stops before the next step once the signal is aborted', async () => {
    const controller = new AbortController();
    const scorer = createScorer({ id: 'slow', description: 'x' })
      .preprocess(() => controller.abort())
      .generateScore(() => 1);
    await expect(
      scorer.run({ input: 'q', output: 'a' }, { signal: controller.signal }),
    ).rejects.toBeInstanceOf(AbortedError);
  });
});
