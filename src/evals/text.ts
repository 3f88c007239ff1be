// Small text helpers shared by the rule-based scorers. No NLP library: a stop-word list and a
// light suffix stemmer are enough to compare keyword sets in English text.

const stopWords = new Set(
  `a about above after again against all am an and any are as at be because been before being below between both
  but by can could did do does doing down during each few for from further had has have having he her here hers
  herself him himself his how i if in into is it its itself just me more most my myself no nor not now of off on
  once only or other our ours ourselves out over own same she should so some such than that the their theirs them
  themselves then there these they this those through to too under until up very was we were what when where which
  while who whom why will with would you your yours yourself yourselves also may might must shall us let it's i'm`.split(
    /\s+/,
  ),
);

/** Lower-cased word tokens (letters, digits, apostrophes inside words). */
export function words(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+(?:'[\p{L}]+)?/gu) ?? [];
}

/** Strips common English inflections so "cities"/"city" and "running"/"run" compare equal. */
export function stem(word: string): string {
  if (word.length <= 3) return word;
  if (word.endsWith('ies') && word.length > 4) return `${word.slice(0, -3)}y`;
  if (word.endsWith('ing') && word.length > 5) return undouble(word.slice(0, -3));
  if (word.endsWith('ed') && word.length > 4) return undouble(word.slice(0, -2));
  if (word.endsWith('es') && /(?:ss|x|z|ch|sh)es$/.test(word)) return word.slice(0, -2);
  if (word.endsWith('s') && !word.endsWith('ss') && !word.endsWith('us') && !word.endsWith('is'))
    return word.slice(0, -1);
  return word;
}

function undouble(word: string): string {
  return /([b-df-hj-np-tv-z])\1$/.test(word) ? word.slice(0, -1) : word;
}

/** Content words of a text: tokens minus stop words and single characters, stemmed, de-duplicated in order. */
export function keywords(text: string): string[] {
  const seen = new Set<string>();
  for (const word of words(text)) {
    if (word.length < 2 || stopWords.has(word)) continue;
    seen.add(stem(word));
  }
  return [...seen];
}

/** Any scorer value as text: strings as they are, `{ text }`/`{ output }` objects by that field, else JSON. */
export function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') {
    const shaped = value as { text?: unknown; output?: unknown; content?: unknown };
    for (const field of [shaped.text, shaped.output, shaped.content])
      if (typeof field === 'string') return field;
  }
  return JSON.stringify(value);
}

/** Splits text into sentences on terminal punctuation and line breaks. */
export function sentences(text: string): string[] {
  return text
    .split(/(?<=[.!?])\s+|\n+/)
    .map((sentence) => sentence.trim())
    .filter((sentence) => sentence.length > 0);
}
