import { MDocument } from 'lumosai/rag';
import { createStep, createWorkflow, type WorkflowRunSnapshot } from 'lumosai/workflow';
import { z } from 'zod';
import { h, mount, table } from '../dom.js';
import type { Services } from '../services.js';
import type { Panel } from '../studio.js';

/**
 * A sample workflow: draft a note, wait (indefinitely, across reloads) for a human to approve it,
 * then publish it into the knowledge base.
 */
function noteWorkflow(services: Services) {
  const draft = createStep({
    id: 'draft',
    description: 'Turns the topic into a short note',
    inputSchema: z.object({ topic: z.string().min(1) }),
    outputSchema: z.object({ title: z.string(), body: z.string() }),
    execute: async ({ inputData }) => ({
      title: `Note: ${inputData.topic}`,
      body: `# ${inputData.topic}\n\nA note about ${inputData.topic}, drafted by the Lumos studio workflow.`,
    }),
  });
  const review = createStep({
    id: 'review',
    description: 'Waits for a person to approve the draft',
    inputSchema: z.object({ title: z.string(), body: z.string() }),
    outputSchema: z.object({ title: z.string(), body: z.string(), approved: z.boolean() }),
    resumeSchema: z.object({ approved: z.boolean() }),
    suspendSchema: z.object({ question: z.string() }),
    execute: async ({ inputData, resumeData, suspend }) => {
      if (!resumeData) return suspend({ question: `Publish "${inputData.title}"?` });
      return { ...inputData, approved: resumeData.approved };
    },
  });
  const publish = createStep({
    id: 'publish',
    description: 'Adds the approved note to the knowledge base',
    inputSchema: z.object({ title: z.string(), body: z.string(), approved: z.boolean() }),
    outputSchema: z.object({ published: z.boolean(), documentId: z.string().optional() }),
    execute: async ({ inputData }) => {
      if (!inputData.approved) return { published: false };
      const report = await services.knowledge.ingest([
        MDocument.fromMarkdown(inputData.body, {
          source: `workflow:${inputData.title}`,
          title: inputData.title,
        }),
      ]);
      return { published: true, documentId: report.documents[0]?.id };
    },
  });
  return createWorkflow({
    id: 'publish-note',
    inputSchema: z.object({ topic: z.string().min(1) }),
    outputSchema: z.object({ published: z.boolean(), documentId: z.string().optional() }),
    storage: services.storage,
  })
    .then(draft)
    .then(review)
    .then(publish)
    .commit();
}

/** Workflows: the graph with live step status; run, approve or decline, resume after a reload. */
export function createWorkflowsPanel(services: Services): Panel {
  const workflow = noteWorkflow(services);
  const graph = workflow.serialize();
  const nodes = new Map(
    graph.nodes.map((node) => [
      node.id,
      h('div', { class: 'node', dataset: { node: node.id, status: 'idle' } }, node.label),
    ]),
  );
  const runs = h('tbody', { 'data-role': 'runs' });
  const topic = h('input', { name: 'topic', value: 'offline RAG', class: 'grow' });
  const log = h('div', { class: 'note', role: 'status', 'data-role': 'workflow-status' });

  const paint = (snapshot: WorkflowRunSnapshot | undefined) => {
    for (const [id, element] of nodes) element.dataset.status = snapshot?.steps[id]?.status ?? 'idle';
  };

  async function refresh(): Promise<void> {
    const page = await workflow.listRuns({ limit: 10 });
    paint(page.items[0]?.snapshot);
    mount(
      runs,
      page.items.map((run) =>
        h(
          'tr',
          { dataset: { runId: run.runId, status: run.status } },
          h('td', null, run.runId.slice(0, 8)),
          h('td', { 'data-role': 'status' }, run.status),
          h('td', null, new Date(run.updatedAt).toLocaleTimeString()),
          h(
            'td',
            null,
            run.status === 'suspended'
              ? [
                  h(
                    'button',
                    { class: 'primary', type: 'button', onclick: () => void decide(run.runId, true) },
                    'Approve',
                  ),
                  ' ',
                  h(
                    'button',
                    { class: 'secondary', type: 'button', onclick: () => void decide(run.runId, false) },
                    'Decline',
                  ),
                ]
              : null,
          ),
        ),
      ),
    );
  }

  async function watchRun(run: Awaited<ReturnType<typeof workflow.createRun>>): Promise<void> {
    run.watch((event) => {
      if ('path' in event) {
        const element = nodes.get(event.path.replace(/#\d+|\[\d+\]/g, ''));
        if (element && event.type === 'step-start') element.dataset.status = 'running';
        if (element && event.type === 'step-result') element.dataset.status = event.status;
        if (element && event.type === 'step-suspended') element.dataset.status = 'suspended';
      }
      log.textContent = `${event.type}${'stepId' in event ? `: ${event.stepId}` : ''}`;
    });
  }

  async function decide(runId: string, approved: boolean): Promise<void> {
    const run = await workflow.getRun(runId);
    if (!run) return;
    await watchRun(run);
    const result = await run.resume({ step: 'review', resumeData: { approved } });
    log.textContent = `Run ${runId.slice(0, 8)}: ${result.status}`;
    await refresh();
  }

  const start = h(
    'form',
    {
      class: 'row',
      onsubmit: async (event: Event) => {
        event.preventDefault();
        const run = await workflow.createRun();
        await watchRun(run);
        const result = await run.start({ inputData: { topic: topic.value } });
        log.textContent = `Run ${run.runId.slice(0, 8)}: ${result.status}`;
        await refresh();
      },
    },
    topic,
    h('button', { class: 'primary', type: 'submit' }, 'Run'),
  );

  const element = h(
    'section',
    null,
    h(
      'div',
      { class: 'card' },
      h('h2', null, `Workflow: ${graph.id}`),
      h(
        'div',
        { class: 'graph', 'data-role': 'graph' },
        [...nodes.values()].flatMap((node, index) => (index ? [h('span', null, '→'), node] : [node])),
      ),
      start,
      log,
    ),
    h('div', { class: 'card' }, h('h2', null, 'Runs'), table(['Run', 'Status', 'Updated', ''], runs)),
  );
  return { id: 'workflows', title: 'Workflows', element, show: () => void refresh() };
}
