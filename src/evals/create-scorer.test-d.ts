import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { createScorer } from './create-scorer.js';
import type { Scorer } from './types.js';

describe('createScorer types', () => {
  it('threads each step result into the next step', () => {
    const scorer = createScorer<string>({ id: 'x', description: 'x' })
      .preprocess(({ run }) => {
        expectTypeOf(run.output).toEqualTypeOf<string>();
        return { words: run.output.split(' ') };
      })
      .analyze(async ({ results }) => {
        expectTypeOf(results.preprocessStepResult).toEqualTypeOf<{ words: string[] }>();
        return results.preprocessStepResult.words.length;
      })
      .generateScore(({ results }) => {
        expectTypeOf(results.analyzeStepResult).toEqualTypeOf<number>();
        return results.analyzeStepResult > 3 ? 1 : 0;
      })
      .generateReason(({ score, results }) => {
        expectTypeOf(score).toEqualTypeOf<number>();
        expectTypeOf(results.preprocessStepResult.words).toEqualTypeOf<string[]>();
        return 'ok';
      });
    expectTypeOf(scorer).toEqualTypeOf<Scorer<string>>();
  });

  it('infers a prompt step result from its zod schema', () => {
    createScorer({ id: 'y', description: 'y' })
      .analyze({
        description: 'judge',
        outputSchema: z.object({ verdict: z.enum(['yes', 'no']) }),
        createPrompt: () => 'prompt',
      })
      .generateScore(({ results }) => {
        expectTypeOf(results.analyzeStepResult).toEqualTypeOf<{ verdict: 'yes' | 'no' }>();
        expectTypeOf(results.preprocessStepResult).toEqualTypeOf<undefined>();
        return 1;
      });
  });
});
