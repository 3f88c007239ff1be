import { describe, it } from 'vitest';
import { workerPreparer } from '../../../src/rag/index.js';
import { runKnowledgeBaseScenario } from '../../../src/rag/testing/scenario.js';
import { IndexedDBStorage } from '../../../src/storage/index.js';
import htmlUrl from '../../fixtures/rag/sample.html?url';
import jsonUrl from '../../fixtures/rag/sample.json?url';
import markdownUrl from '../../fixtures/rag/sample.md?url';
import pdfUrl from '../../fixtures/rag/sample.pdf?url';
import textUrl from '../../fixtures/rag/sample.txt?url';

/** The files a user would drop, fetched from the test server as `File` objects. */
async function droppedFiles(): Promise<File[]> {
  const sources: [string, string][] = [
    ['sample.txt', textUrl],
    ['sample.md', markdownUrl],
    ['sample.html', htmlUrl],
    ['sample.json', jsonUrl],
    ['sample.pdf', pdfUrl],
  ];
  return Promise.all(sources.map(async ([name, url]) => new File([await (await fetch(url)).blob()], name)));
}

describe('RAG in Chromium', () => {
  it('drops files, ingests with progress into IndexedDB, resumes after a reload, queries, cites, deletes', async () => {
    const name = `lumos-rag-test-${crypto.randomUUID()}`;
    await runKnowledgeBaseScenario(await droppedFiles(), () => IndexedDBStorage.open({ name }));
  });

  it('does the same with parsing and chunking (pdf.js included) in the ingest worker', async () => {
    const name = `lumos-rag-test-${crypto.randomUUID()}`;
    const preparer = workerPreparer();
    try {
      await runKnowledgeBaseScenario(
        await droppedFiles(),
        () => IndexedDBStorage.open({ name }),
        undefined,
        preparer,
      );
    } finally {
      preparer.dispose();
    }
  });
});
