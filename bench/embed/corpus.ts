// Real English text for embedding tests and benchmarks: paragraphs and sentences from the READMEs
// of installed npm packages (versions pinned by package-lock.json, so the selection is stable).
// `npx tsx bench/embed/corpus.ts sentences 100` prints sentences as JSON.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Prose paragraphs (markdown, code, tables and HTML stripped), from every README in node_modules. */
export function readmeParagraphs(root = 'node_modules'): string[] {
  const paragraphs: string[] = [];
  for (const file of readmeFiles(root)) {
    const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '\n\n');
    for (const block of text.split(/\n\s*\n/)) {
      const prose = block
        .replace(/<[^>]+>/g, ' ')
        .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
        .replace(/[`*_#>|]/g, ' ')
        .replace(/\s+/g, ' ')
        .trim();
      const letters = prose.replace(/[^A-Za-z]/g, '').length;
      if (prose.length >= 40 && letters / prose.length > 0.7 && /[.!?]$/.test(prose)) paragraphs.push(prose);
    }
  }
  return [...new Set(paragraphs)];
}

/** Single sentences of 30–200 characters, taken evenly across the paragraphs. */
export function readmeSentences(count: number, root = 'node_modules'): string[] {
  const sentences = readmeParagraphs(root)
    .flatMap((paragraph) => paragraph.split(/(?<=[.!?])\s+(?=[A-Z])/))
    .filter((sentence) => sentence.length >= 30 && sentence.length <= 200 && !/https?:/.test(sentence));
  const unique = [...new Set(sentences)];
  const step = unique.length / count;
  return Array.from(
    { length: Math.min(count, unique.length) },
    (_, index) => unique[Math.floor(index * step)]!,
  );
}

function readmeFiles(root: string): string[] {
  const files: string[] = [];
  const visit = (folder: string) => {
    const readme = join(folder, 'README.md');
    if (existsSync(readme)) files.push(readme);
  };
  for (const entry of readdirSync(root).sort()) {
    if (entry.startsWith('.')) continue;
    if (entry.startsWith('@'))
      for (const inner of readdirSync(join(root, entry)).sort()) visit(join(root, entry, inner));
    else visit(join(root, entry));
  }
  return files;
}

if (process.argv[1]?.endsWith('corpus.ts')) {
  const [kind, count] = process.argv.slice(2);
  const items =
    kind === 'sentences'
      ? readmeSentences(Number(count ?? 100))
      : readmeParagraphs().slice(0, Number(count ?? 1000));
  console.log(JSON.stringify(items, null, 2));
}
