/**
 * The keyword tokenizer behind BM25: Unicode-aware (NFKC, letters and digits of every script),
 * lowercased, English stop words dropped, a light suffix stemmer for Latin-script words, and
 * single characters for CJK scripts (which do not separate words with spaces).
 */
const stopWords = new Set(
  (
    'a an and are as at be been but by can could did do does for from had has have he her his how i if in into ' +
    'is it its itself me my no nor not of on or our ours she so such than that the their them then there these ' +
    'they this those to too was we were what when where which while who whom why will with would you your yours'
  ).split(' '),
);
const wordPattern = /[\p{L}\p{N}\p{M}]+(?:['’][\p{L}]+)?/gu;
const cjk = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Thai}]/u;
const latin = /^[a-z0-9\u00c0-\u024f]+$/;

/** Strips common English inflections: plurals, -ing, -ed, -ly, -ies → -y. */
export function stem(word: string): string {
  if (word.length <= 3 || !latin.test(word)) return word;
  let stemmed = word;
  if (stemmed.endsWith('ies') && stemmed.length > 4) stemmed = `${stemmed.slice(0, -3)}y`;
  else if (stemmed.endsWith('sses')) stemmed = stemmed.slice(0, -2);
  else if (
    stemmed.endsWith('s') &&
    !stemmed.endsWith('ss') &&
    !stemmed.endsWith('us') &&
    !stemmed.endsWith('is')
  )
    stemmed = stemmed.slice(0, -1);
  for (const suffix of ['ingly', 'edly', 'ing', 'ed', 'ly']) {
    if (stemmed.endsWith(suffix) && stemmed.length - suffix.length >= 3) {
      stemmed = stemmed.slice(0, -suffix.length);
      // "running" → "runn" → "run"; "hopped" → "hop"
      if (/([^aeiouls])\1$/.test(stemmed)) stemmed = stemmed.slice(0, -1);
      break;
    }
  }
  return stemmed;
}

/** The index terms of a text, in order (repeats kept: BM25 counts them). */
export function keywordTerms(text: string): string[] {
  const terms: string[] = [];
  for (const match of text.normalize('NFKC').toLowerCase().matchAll(wordPattern)) {
    const word = match[0].replace(/['’]s$/, '');
    if (cjk.test(word)) {
      for (const character of word) terms.push(character);
      continue;
    }
    if (stopWords.has(word) || word.length > 40) continue;
    terms.push(stem(word));
  }
  return terms;
}

/** Term frequencies of a text, for indexing. */
export function termFrequencies(text: string): { terms: Record<string, number>; length: number } {
  const terms: Record<string, number> = {};
  const all = keywordTerms(text);
  for (const term of all) terms[term] = (terms[term] ?? 0) + 1;
  return { terms, length: all.length };
}
