import { Agent } from 'lumosai/agent';
import {
  createCompletenessScorer,
  createKeywordCoverageScorer,
  createSemanticSimilarityScorer,
  type EvalSummary,
  runEvals,
} from 'lumosai/evals';
import { createVectorQueryTool } from 'lumosai/rag';
import { h, mount, table } from '../dom.js';
import type { Services } from '../services.js';
import type { Panel, Studio } from '../studio.js';

/** A small eval set about Lumos itself; answers are scored by rules and by the local embedder. */
const dataset = [
  {
    input: 'Where do embeddings run in Lumos?',
    groundTruth: 'Embeddings run locally in the browser, in Web Workers, with ONNX Runtime Web.',
  },
  {
    input: 'Where does Lumos keep its state?',
    groundTruth: 'All state lives in IndexedDB in the user’s browser.',
  },
  {
    input: 'What leaves the device when Lumos answers?',
    groundTruth: 'Only the generation request to the configured LLM endpoint leaves the device.',
  },
];

/** Evals: runs the small set against the chat agent (or extractive retrieval) and shows scores. */
export function createEvalsPanel(studio: Studio, services: Services): Panel {
  const output = h('div', { 'data-role': 'eval-results' });
  const progress = h('progress', { max: dataset.length, value: 0 });
  const run = h('button', { class: 'primary', type: 'button' }, 'Run evals');

  async function target(question: string): Promise<string> {
    const model = studio.model();
    if (!model) {
      const hits = await services.knowledge.retrieve(question, { topK: 1, mode: 'hybrid' });
      return hits[0]?.text ?? '';
    }
    const agent = new Agent({
      name: 'Studio',
      instructions: 'Answer in one sentence. Use searchKnowledge when the question is about documents.',
      model,
      tools: {
        searchKnowledge: createVectorQueryTool({ knowledgeBase: services.knowledge, id: 'searchKnowledge' }),
      },
      maxSteps: 3,
    });
    return (await agent.generate(question)).text;
  }

  function render(summary: EvalSummary): void {
    mount(
      output,
      table(
        ['Scorer', 'Mean', 'Scored', 'Errors'],
        h(
          'tbody',
          null,
          Object.values(summary.scorers).map((scorer) =>
            h(
              'tr',
              { dataset: { scorer: scorer.scorerId } },
              h('td', null, scorer.scorerId),
              h('td', { 'data-role': 'mean' }, scorer.mean === null ? '—' : scorer.mean.toFixed(2)),
              h('td', null, String(scorer.scored)),
              h('td', null, String(scorer.errors)),
            ),
          ),
        ),
      ),
      h(
        'p',
        { class: 'note' },
        `${summary.items} items in ${Math.round(summary.durationMs)} ms; results saved in IndexedDB (run ${summary.evalRunId}).`,
      ),
    );
  }

  run.addEventListener('click', async () => {
    run.disabled = true;
    progress.value = 0;
    try {
      const summary = await runEvals({
        target: (input: string) => target(input),
        targetId: 'studio-chat',
        data: dataset,
        scorers: [
          createCompletenessScorer(),
          createKeywordCoverageScorer(),
          createSemanticSimilarityScorer({ embedder: services.embedder }),
        ],
        concurrency: 1,
        storage: services.storage,
        onProgress: (update) => {
          progress.value = update.done;
        },
      });
      render(summary);
    } catch (error) {
      mount(output, h('p', { class: 'error' }, (error as Error).message));
    } finally {
      run.disabled = false;
    }
  });

  const element = h(
    'section',
    null,
    h(
      'div',
      { class: 'card' },
      h('h2', null, 'Evals'),
      h(
        'p',
        { class: 'note' },
        `${dataset.length} questions about Lumos; add the README to Knowledge for grounded answers.`,
      ),
      h('div', { class: 'row' }, run, progress),
      output,
    ),
  );
  return { id: 'evals', title: 'Evals', element };
}
