import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors/index.js';
import { MDocument } from './document.js';
import type { Chunk, ChunkStrategy } from './types.js';

const prose = [
  'Lumos runs agents in the browser. Embeddings are computed locally in workers.',
  'Vector search uses HNSW compiled to WebAssembly. Everything persists in IndexedDB.',
  'Only generation needs a remote model. Ünïcödé text — like “quotes” and 日本語の文。 — must survive.',
].join('\n\n');

function expectExactSpans(document: MDocument, chunks: Chunk[]) {
  expect(chunks.length).toBeGreaterThan(0);
  for (const chunk of chunks) {
    expect(chunk.text).toBe(document.text.slice(chunk.start, chunk.end));
    expect(chunk.text.trim()).toBe(chunk.text);
    expect(chunk.id).toBe(`${document.id}#${chunk.index}`);
  }
  for (let index = 1; index < chunks.length; index++) {
    expect(chunks[index]!.start).toBeGreaterThanOrEqual(chunks[index - 1]!.start);
  }
}

describe('MDocument.chunk', () => {
  it.each<ChunkStrategy>(['recursive', 'character', 'sentence', 'token'])(
    '%s chunks are exact spans within maxSize',
    async (strategy) => {
      const document = MDocument.fromText(prose, { source: 'prose.txt' });
      const maxSize = strategy === 'token' ? 12 : 60;
      const chunks = await document.chunk({ strategy, maxSize });
      expectExactSpans(document, chunks);
      if (strategy !== 'token')
        for (const chunk of chunks) expect(chunk.text.length).toBeLessThanOrEqual(maxSize);
      expect(chunks[0]!.metadata.source).toBe('prose.txt');
    },
  );

  it('token chunks respect the token budget counted by gpt-tokenizer', async () => {
    const { countTokens } = await import('gpt-tokenizer/encoding/o200k_base');
    const document = MDocument.fromText(prose.repeat(3));
    const chunks = await document.chunk({ strategy: 'token', maxSize: 20, overlap: 5 });
    expectExactSpans(document, chunks);
    for (const chunk of chunks) expect(countTokens(chunk.text)).toBeLessThanOrEqual(20);
    // With overlap, consecutive chunks share text.
    expect(chunks.some((chunk, index) => index > 0 && chunk.start < chunks[index - 1]!.end)).toBe(true);
  });

  it('recursive chunking covers every non-space character and overlaps when asked', async () => {
    const document = MDocument.fromText(prose);
    const chunks = await document.chunk({ strategy: 'recursive', maxSize: 50, overlap: 20 });
    expectExactSpans(document, chunks);
    const covered = new Set<number>();
    for (const chunk of chunks) for (let at = chunk.start; at < chunk.end; at++) covered.add(at);
    for (let at = 0; at < prose.length; at++) if (!/\s/.test(prose[at]!)) expect(covered.has(at)).toBe(true);
    expect(chunks.some((chunk, index) => index > 0 && chunk.start < chunks[index - 1]!.end)).toBe(true);
  });

  it('sentence chunks end at sentence boundaries', async () => {
    const document = MDocument.fromText('One fish. Two fish! Red fish? Blue fish.');
    const chunks = await document.chunk({ strategy: 'sentence', maxSize: 20 });
    expect(chunks.map((chunk) => chunk.text)).toEqual(['One fish. Two fish!', 'Red fish? Blue fish.']);
  });

  it('markdown chunks keep their header path and ignore # inside code fences', async () => {
    const markdown = [
      'Intro text.',
      '# Guide',
      'Welcome.',
      '## Install',
      '```sh',
      '# not a heading',
      'npm i lumosai',
      '```',
      '## Use',
      'Call ingest().',
      '# Appendix',
      'Extra.',
    ].join('\n');
    const document = MDocument.fromMarkdown(markdown, { source: 'guide.md' });
    const chunks = await document.chunk({ maxSize: 200 });
    expectExactSpans(document, chunks);
    expect(chunks.map((chunk) => chunk.metadata.headers)).toEqual([
      undefined,
      ['Guide'],
      ['Guide', 'Install'],
      ['Guide', 'Use'],
      ['Appendix'],
    ]);
    expect(chunks[2]!.text).toContain('# not a heading');
  });

  it('html documents drop scripts, decode entities and chunk by headings', async () => {
    const html = `<!doctype html><html><head><title>Caf&#233; &amp; Co</title><style>p{color:red}</style></head>
      <body><h1>Menu</h1><p>Fresh&nbsp;coffee &amp; tea.</p><script>alert("x")</script>
      <h2>Prices</h2><ul><li>Espresso &#8364;2</li><li>Latte &#x20AC;3</li></ul></body></html>`;
    const document = MDocument.fromHTML(html, { source: 'menu.html' });
    expect(document.text).not.toContain('alert');
    expect(document.text).not.toContain('color:red');
    expect(document.text).toContain('Fresh\u00a0coffee & tea.');
    expect(document.text).toContain('Espresso €2\nLatte €3');
    expect(document.metadata.title).toBe('Café & Co');
    const chunks = await document.chunk({ maxSize: 100 });
    expectExactSpans(document, chunks);
    expect(chunks.map((chunk) => chunk.metadata.headers)).toEqual([['Menu'], ['Menu', 'Prices']]);
  });

  it('json chunks are exact spans of the printed JSON and carry their path', async () => {
    const value = {
      name: 'lumos',
      items: Array.from({ length: 6 }, (_, index) => ({ id: index, label: `item ${index}` })),
    };
    const document = MDocument.fromJSON(JSON.stringify(value));
    expect(document.text).toBe(JSON.stringify(value, null, 2));
    const chunks = await document.chunk({ maxSize: 80 });
    expectExactSpans(document, chunks);
    for (const chunk of chunks) expect(chunk.text.length).toBeLessThanOrEqual(80);
    expect(chunks.some((chunk) => String(chunk.metadata.path).startsWith('$.items['))).toBe(true);
    expect(JSON.parse(`{${chunks[0]!.text.replace(/,$/, '')}}`)).toMatchObject({ name: 'lumos' });
  });

  it('rejects bad options and strategies that do not fit the document', async () => {
    const document = MDocument.fromText('abc');
    await expect(document.chunk({ maxSize: 0 })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(document.chunk({ maxSize: 10, overlap: 10 })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(document.chunk({ strategy: 'json' })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(document.chunk({ strategy: 'html' })).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(() => MDocument.fromJSON('{oops')).toThrow(InvalidArgumentError);
  });

  it('gives stable ids: the source when known, a hash of the text otherwise', () => {
    expect(MDocument.fromText('x', { source: 'a.txt' }).id).toBe('a.txt');
    expect(MDocument.fromText('same').id).toBe(MDocument.fromText('same').id);
    expect(MDocument.fromText('same').id).not.toBe(MDocument.fromText('other').id);
  });
});
