import type { IngestProgress, RetrievalMode } from 'lumosai/rag';
import { citationLabel, createSpanViewer } from '../citations.js';
import { formatMs, h, mount, table } from '../dom.js';
import type { Services } from '../services.js';
import type { Panel } from '../studio.js';

/** Knowledge: drop files, watch ingestion with an ETA, list documents, search in three modes. */
export function createKnowledgePanel(services: Services): Panel {
  const { knowledge } = services;
  const viewer = createSpanViewer(services.storage);
  const progress = h('progress', { max: 1, value: 0, hidden: true });
  const progressText = h('div', { class: 'note', role: 'status', 'data-role': 'ingest-status' });
  const documents = h('tbody');
  const results = h('div', { 'data-role': 'search-results' });
  const fileInput = h('input', { type: 'file', multiple: true, accept: '.txt,.md,.html,.htm,.json,.pdf' });
  let controller: AbortController | undefined;
  const cancel = h(
    'button',
    { class: 'secondary', type: 'button', hidden: true, onclick: () => controller?.abort() },
    'Stop',
  );

  const showProgress = (update: IngestProgress) => {
    progress.hidden = false;
    if (update.fraction !== undefined) progress.value = update.fraction;
    else progress.removeAttribute('value');
    const eta = update.etaMs !== undefined ? ` — about ${formatMs(update.etaMs)} left` : '';
    progressText.textContent = `${update.phase}: ${update.document} (${update.documentsDone}/${update.documentsTotal ?? '?'} documents, ${update.chunksEmbedded} chunks embedded)${eta}`;
  };

  async function ingest(files: File[]): Promise<void> {
    if (!files.length) return;
    controller = new AbortController();
    cancel.hidden = false;
    try {
      const report = await knowledge.ingest(files, { onProgress: showProgress, signal: controller.signal });
      progress.value = 1;
      const chunks = report.documents.reduce((sum, document) => sum + document.chunks, 0);
      progressText.textContent = `Done: ${report.documents.length} document(s), ${chunks} chunks, ${report.chunksEmbedded} embedded in ${formatMs(report.timings.total)}.`;
      progressText.dataset.done = 'true';
    } catch (error) {
      progressText.textContent = `Stopped: ${(error as Error).message} Drop the same files again to resume.`;
    } finally {
      cancel.hidden = true;
      await refresh();
    }
  }

  async function refresh(): Promise<void> {
    const list = await knowledge.listDocuments();
    mount(
      documents,
      list.map((document) =>
        h(
          'tr',
          { dataset: { documentId: document.id } },
          h('td', null, document.title ?? document.source ?? document.id),
          h('td', null, String(document.chunkCount)),
          h('td', null, new Date(document.updatedAt).toLocaleString()),
          h(
            'td',
            null,
            h(
              'button',
              {
                class: 'secondary',
                type: 'button',
                onclick: async () => {
                  await knowledge.deleteDocument(document.id);
                  await refresh();
                },
              },
              'Delete',
            ),
          ),
        ),
      ),
    );
  }

  const drop = h(
    'div',
    {
      class: 'drop',
      'data-role': 'drop',
      ondragover: (event: DragEvent) => {
        event.preventDefault();
        drop.classList.add('over');
      },
      ondragleave: () => drop.classList.remove('over'),
      ondrop: (event: DragEvent) => {
        event.preventDefault();
        drop.classList.remove('over');
        void ingest([...(event.dataTransfer?.files ?? [])]);
      },
    },
    'Drop .txt, .md, .html, .json or .pdf files here, or ',
    fileInput,
  );
  fileInput.addEventListener('change', () => void ingest([...(fileInput.files ?? [])]));

  const query = h('input', { name: 'search', placeholder: 'Search your documents…', class: 'grow' });
  const mode = h(
    'select',
    { name: 'mode' },
    h('option', { value: 'hybrid' }, 'hybrid'),
    h('option', { value: 'vector' }, 'vector'),
    h('option', { value: 'keyword' }, 'keyword'),
  );
  const search = h(
    'form',
    {
      class: 'row',
      onsubmit: async (event: Event) => {
        event.preventDefault();
        if (!query.value.trim()) return;
        const started = performance.now();
        const hits = await knowledge.retrieve(query.value, { topK: 5, mode: mode.value as RetrievalMode });
        const took = performance.now() - started;
        mount(
          results,
          h('p', { class: 'note' }, `${hits.length} result(s) in ${formatMs(took)} (${mode.value})`),
          hits.map((hit, index) =>
            h(
              'div',
              { class: 'message', dataset: { role: 'hit' } },
              h(
                'div',
                { class: 'role' },
                `${citationLabel(hit.citation, index)} — score ${hit.score.toFixed(3)}`,
              ),
              h('div', null, hit.text.length > 400 ? `${hit.text.slice(0, 400)}…` : hit.text),
              h(
                'button',
                { class: 'citation', type: 'button', onclick: () => viewer.open(hit.citation) },
                'Open span',
              ),
            ),
          ),
        );
      },
    },
    query,
    mode,
    h('button', { class: 'primary', type: 'submit' }, 'Search'),
  );

  const element = h(
    'section',
    null,
    h(
      'div',
      { class: 'card' },
      h('h2', null, 'Add documents'),
      drop,
      progress,
      h('div', { class: 'row' }, progressText, cancel),
    ),
    h(
      'div',
      { class: 'card' },
      h('h2', null, 'Documents'),
      table(['Title', 'Chunks', 'Updated', ''], documents),
    ),
    h('div', { class: 'card' }, h('h2', null, 'Search'), search, results),
    viewer.element,
  );
  return { id: 'knowledge', title: 'Knowledge', element, show: () => void refresh() };
}
