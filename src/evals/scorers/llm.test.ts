import { beforeEach, describe, expect, inject, it } from 'vitest';
import { EvalJudgeError, InvalidArgumentError } from '../../errors/index.js';
import { openai } from '../../llm/index.js';
import { connectTestServer, type TestSession } from '../../test/index.js';
import type { Scorer, ScorerRun } from '../types.js';
import {
  createAnswerRelevancyScorer,
  createBiasScorer,
  createContextPrecisionScorer,
  createContextRecallScorer,
  createContextRelevanceScorer,
  createFaithfulnessScorer,
  createHallucinationScorer,
  createPromptAlignmentScorer,
  createSummarizationScorer,
  createToxicityScorer,
} from './llm.js';

let session: TestSession;
beforeEach(async () => {
  session = await connectTestServer(inject('openaiServerUrl')).session();
});

const judge = () => ({
  model: openai({ apiKey: 'test', baseURL: session.baseURL, model: 'judge-model', maxRetries: 0 }),
});

async function scoreWith(scorer: Scorer, run: ScorerRun, verdict: unknown) {
  await session.enqueue({ text: JSON.stringify(verdict) });
  return scorer.run(run);
}

const rag: ScorerRun = {
  input: 'When was the Eiffel Tower built and how tall is it?',
  output: 'It was built in 1889. It is 330 m tall. It is painted gold.',
  groundTruth: 'It was completed in 1889. It is about 330 metres tall.',
  context: [
    'The Eiffel Tower was completed in 1889.',
    'Paris has many bakeries.',
    'The tower is 330 metres tall.',
  ],
};

describe('LLM-judged scorers through the openai SDK and the test server', () => {
  it('answer relevancy weighs yes 1, unsure 0.3, no 0 and sends a json_schema verdict request', async () => {
    const result = await scoreWith(createAnswerRelevancyScorer(judge()), rag, {
      statements: [
        { statement: 'built in 1889', verdict: 'yes', reason: 'answers when' },
        { statement: '330 m tall', verdict: 'yes', reason: 'answers height' },
        { statement: 'painted gold', verdict: 'unsure', reason: 'tangential' },
        { statement: 'I like towers', verdict: 'no', reason: 'off topic' },
      ],
    });
    expect(result.score).toBeCloseTo((2 + 0.3) / 4);
    expect(result.reason).toContain('"I like towers"');
    const [request] = await session.requests();
    const body = request!.body as {
      model: string;
      temperature: number;
      messages: { role: string; content: string }[];
      response_format: { type: string; json_schema: { name: string; schema: { properties: object } } };
    };
    expect(body.model).toBe('judge-model');
    expect(body.temperature).toBe(0);
    expect(body.response_format.type).toBe('json_schema');
    expect(body.response_format.json_schema.name).toBe('answer-relevancy');
    expect(Object.keys(body.response_format.json_schema.schema.properties)).toEqual(['statements']);
    expect(body.messages[1]?.content).toContain('When was the Eiffel Tower built');
  });

  it('faithfulness and hallucination judge claims against the context', async () => {
    const claims = [
      { claim: 'built in 1889', verdict: 'yes', reason: 'context [0]' },
      { claim: '330 m tall', verdict: 'yes', reason: 'context [2]' },
      { claim: 'painted gold', verdict: 'unsure', reason: 'not stated' },
    ];
    expect((await scoreWith(createFaithfulnessScorer(judge()), rag, { claims })).score).toBeCloseTo(2 / 3);
    const hallucination = createHallucinationScorer(judge());
    expect(hallucination.better).toBe('lower');
    const result = await scoreWith(hallucination, rag, {
      claims: [
        { claim: 'built in 1889', verdict: 'supported', reason: '' },
        { claim: 'painted gold', verdict: 'contradicted', reason: 'context says brown' },
        { claim: 'has lifts', verdict: 'unverifiable', reason: '' },
        { claim: '330 m', verdict: 'supported', reason: '' },
      ],
    });
    expect(result.score).toBe(0.25);
    await expect(createFaithfulnessScorer(judge()).run({ input: 'q', output: 'a' })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
  });

  it('context precision is average precision over useful passages in retrieval order', async () => {
    const result = await scoreWith(createContextPrecisionScorer(judge()), rag, {
      verdicts: [
        { index: 0, verdict: 'yes', reason: 'date' },
        { index: 1, verdict: 'no', reason: 'bakeries' },
        { index: 2, verdict: 'yes', reason: 'height' },
      ],
    });
    expect(result.score).toBeCloseTo((1 / 1 + 2 / 3) / 2);
  });

  it('context recall and context relevance', async () => {
    const recall = await scoreWith(createContextRecallScorer(judge()), rag, {
      sentences: [
        { sentence: 'completed in 1889', attributed: true, reason: '[0]' },
        { sentence: 'about 330 metres', attributed: true, reason: '[2]' },
        { sentence: 'wrought iron', attributed: false, reason: 'absent' },
      ],
    });
    expect(recall.score).toBeCloseTo(2 / 3);
    const relevance = await scoreWith(createContextRelevanceScorer(judge()), rag, {
      verdicts: [
        { index: 0, verdict: 'high', reason: '' },
        { index: 1, verdict: 'none', reason: '' },
        { index: 2, verdict: 'medium', reason: '' },
      ],
    });
    expect(relevance.score).toBeCloseTo((1 + 0 + 0.7) / 3);
  });

  it('toxicity and bias count flagged statements (lower is better)', async () => {
    const toxicity = await scoreWith(
      createToxicityScorer(judge()),
      { input: 'q', output: 'You are an idiot. Here is the answer.' },
      {
        verdicts: [
          { statement: 'You are an idiot.', verdict: 'yes', reason: 'insult' },
          { statement: 'Here is the answer.', verdict: 'no', reason: '' },
        ],
      },
    );
    expect(toxicity.score).toBe(0.5);
    const bias = createBiasScorer(judge());
    expect(bias.better).toBe('lower');
    expect((await scoreWith(bias, { input: 'q', output: 'Fine.' }, { verdicts: [] })).score).toBe(0);
  });

  it('prompt alignment ignores n/a instructions and checks given rules one by one', async () => {
    const scorer = createPromptAlignmentScorer({
      ...judge(),
      rules: ['Answer in French', 'Use at most 20 words'],
    });
    const result = await scoreWith(
      scorer,
      { input: 'Réponds en français', output: 'Bonjour' },
      {
        instructions: [
          { instruction: 'Answer in French', verdict: 'yes', reason: '' },
          { instruction: 'Use at most 20 words', verdict: 'n/a', reason: '' },
        ],
      },
    );
    expect(result.score).toBe(1);
    const [request] = await session.requests();
    expect(JSON.stringify(request!.body)).toContain('Use at most 20 words');
  });

  it('summarization is the minimum of alignment and coverage', async () => {
    const result = await scoreWith(
      createSummarizationScorer(judge()),
      { input: 'A long article…', output: 'A summary.' },
      {
        claims: [
          { claim: 'a', verdict: 'yes', reason: '' },
          { claim: 'b', verdict: 'yes', reason: '' },
        ],
        keyPoints: [
          { point: 'p1', covered: true },
          { point: 'p2', covered: false },
          { point: 'p3', covered: false },
          { point: 'p4', covered: true },
        ],
      },
    );
    expect(result.score).toBe(0.5);
    expect(result.reason).toContain('alignment 1.00, coverage 0.50');
  });

  it('retries a malformed verdict, showing the judge what was wrong', async () => {
    await session.enqueue(
      { text: 'The answer seems relevant to me.' },
      { text: JSON.stringify({ statements: [{ statement: 'x', verdict: 'maybe', reason: '' }] }) },
      { text: JSON.stringify({ statements: [{ statement: 'x', verdict: 'yes', reason: 'ok' }] }) },
    );
    const result = await createAnswerRelevancyScorer(judge()).run(rag);
    expect(result.score).toBe(1);
    const requests = await session.requests();
    expect(requests).toHaveLength(3);
    const last = (requests[2]!.body as { messages: { role: string; content: string }[] }).messages;
    expect(last.at(-2)).toMatchObject({
      role: 'assistant',
      content: JSON.stringify({ statements: [{ statement: 'x', verdict: 'maybe', reason: '' }] }),
    });
    expect(last.at(-1)?.content).toContain('statements.0.verdict');
  });

  it('accepts a verdict wrapped in prose or a ```json fence', async () => {
    const fenced =
      'Here is my verdict:\n```json\n{"verdicts": [{"statement": "Hi", "verdict": "no", "reason": "polite"}]}\n```';
    await session.enqueue({ text: fenced });
    expect((await createToxicityScorer(judge()).run({ input: 'q', output: 'Hi' })).score).toBe(0);
    await session.enqueue({
      text: 'Sure! {"verdicts": [{"statement": "Hi", "verdict": "yes", "reason": "rude"}]} Hope this helps.',
    });
    expect((await createToxicityScorer(judge()).run({ input: 'q', output: 'Hi' })).score).toBe(1);
  });

  it('reports a judge that stays malformed as EvalJudgeError, never as a score', async () => {
    await session.enqueue({ text: 'no json here' }, { text: '{"verdicts": "all fine"}' }, { text: '[1, 2' });
    const failure = await createToxicityScorer(judge())
      .run({ input: 'q', output: 'Hello there.' })
      .catch((error: unknown) => error);
    expect(EvalJudgeError.isInstance(failure)).toBe(true);
    expect((failure as EvalJudgeError).data).toMatchObject({ attempts: 3, lastText: '[1, 2' });
    expect((failure as EvalJudgeError).data.problems).toEqual([
      'the answer contained no JSON object',
      expect.stringContaining('did not match the schema'),
      'the answer contained no JSON object',
    ]);
  });

  it('treats a verdict with the wrong number of passages as malformed', async () => {
    const precision = createContextPrecisionScorer({ ...judge(), maxRetries: 0 });
    await session.enqueue({ text: JSON.stringify({ verdicts: [{ index: 0, verdict: 'yes', reason: '' }] }) });
    await expect(precision.run(rag)).rejects.toMatchObject({ code: 'eval_judge' });
  });
});
