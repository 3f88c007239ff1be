import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors/index.js';
import { loadDocument } from './loaders.js';

async function fixture(name: string): Promise<File> {
  const bytes = await readFile(new URL(`../../test/fixtures/rag/${name}`, import.meta.url));
  return new File([bytes], name);
}

describe('loadDocument', () => {
  it('loads txt, md, html and json with source, title and mimeType', async () => {
    const text = await loadDocument(await fixture('sample.txt'));
    expect(text.metadata).toMatchObject({ source: 'sample.txt', title: 'sample', mimeType: 'text/plain' });
    const markdown = await loadDocument(await fixture('sample.md'));
    expect(markdown.metadata).toMatchObject({ title: 'Bakery Handbook', mimeType: 'text/markdown' });
    const html = await loadDocument(await fixture('sample.html'));
    expect(html.metadata.title).toBe('Bicycle Repair');
    expect(html.text).toContain('inner tube & checking');
    expect(html.text).not.toContain('ignored');
    const json = await loadDocument(await fixture('sample.json'), { metadata: { team: 'tea' } });
    expect(json.metadata).toMatchObject({ mimeType: 'application/json', team: 'tea' });
    const chunks = await json.chunk({ maxSize: 120 });
    expect(chunks.some((chunk) => chunk.metadata.path === '$.teas[1]' || chunk.text.includes('Assam'))).toBe(
      true,
    );
  });

  it('extracts PDF text page by page and tags chunks with their page', async () => {
    const document = await loadDocument(await fixture('sample.pdf'));
    expect(document.metadata).toMatchObject({
      source: 'sample.pdf',
      title: 'Lumos Field Guide',
      pageCount: 2,
    });
    expect(document.pages.map((page) => page.page)).toEqual([1, 2]);
    expect(document.text).toContain('lighthouse keeper protocol');
    const chunks = await document.chunk({ maxSize: 60 });
    const lens = chunks.find((chunk) => chunk.text.includes('quartz lens'));
    expect(lens?.metadata.page).toBe(2);
    expect(chunks.find((chunk) => chunk.text.includes('Beacons'))?.metadata.page).toBe(1);
    for (const chunk of chunks) expect(document.text.slice(chunk.start, chunk.end)).toBe(chunk.text);
  });

  it('rejects unsupported files and broken PDFs with typed errors', async () => {
    await expect(loadDocument(new File(['x'], 'photo.png', { type: 'image/png' }))).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    await expect(loadDocument(new File(['not a pdf'], 'broken.pdf'))).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
  });
});
