import { Tokenizer } from '@huggingface/tokenizers';

/** Token ids of one text, already truncated to the model's maximum length. */
export type TokenIds = number[];

/**
 * Wraps a Hugging Face `tokenizer.json` for single-sequence encoding with truncation.
 * Texts are made well-formed first (unpaired surrogates become U+FFFD) so no input can throw.
 */
export class TextTokenizer {
  readonly #tokenizer: Tokenizer;
  readonly maxLength: number;

  constructor(tokenizerJson: object, tokenizerConfig: object, maxLength: number) {
    this.#tokenizer = new Tokenizer(tokenizerJson, tokenizerConfig);
    this.maxLength = maxLength;
  }

  /**
   * Encodes `text` as `[CLS] … [SEP]`, keeping the first `maxLength - 1` tokens and the final
   * special token. A long text is tokenized by growing prefixes cut at whitespace, so a
   * 100k-character input costs about as much as its first few thousand characters.
   */
  encode(text: string): TokenIds {
    const clean = wellFormed(text);
    let prefixLength = this.maxLength * 6;
    for (;;) {
      const whole = prefixLength >= clean.length;
      const prefix = whole ? clean : cutAtWhitespace(clean, prefixLength);
      const ids = this.#tokenizer.encode(prefix).ids;
      // One spare token beyond the limit proves the cut did not change the kept tokens.
      if (whole || ids.length > this.maxLength + 1) return truncate(ids, this.maxLength);
      prefixLength *= 2;
    }
  }
}

function truncate(ids: number[], maxLength: number): number[] {
  if (ids.length <= maxLength) return ids;
  return [...ids.slice(0, maxLength - 1), ids[ids.length - 1]!];
}

function cutAtWhitespace(text: string, length: number): string {
  const space = text.lastIndexOf(' ', length);
  return text.slice(0, space > length / 2 ? space : length);
}

/** `String.prototype.toWellFormed` where available (Node 20, Chromium 111+), else a manual pass. */
function wellFormed(text: string): string {
  const native = (text as { toWellFormed?: () => string }).toWellFormed;
  if (native) return native.call(text);
  return text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}
