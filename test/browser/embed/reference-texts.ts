/** Texts whose real-model vectors are recorded in Node and checked in Chromium (incl. bad input). */
export const referenceTexts = [
  'A man is playing a guitar.',
  'Someone is strumming a guitar.',
  'The stock market fell sharply today.',
  'Provide this interface when calling openDB, and from then on your database will be strongly typed.',
  '',
  'Ünïcödé 日本語 русский 🙂🚀 عربى',
  '\uD800 lone \uDFFF surrogates \uD83D',
  'Biome is a performant toolchain for web projects. '.repeat(200),
];
