import type { Section } from './types.js';

/** What `htmlToText` extracts: readable text, its headings as sections, and the `<title>`. */
export interface HtmlText {
  text: string;
  sections: Section[];
  title: string | undefined;
}

const skipped = new Set(['script', 'style', 'noscript', 'template', 'head', 'svg', 'iframe', 'object']);
const blocks = new Set([
  'address',
  'article',
  'aside',
  'blockquote',
  'br',
  'dd',
  'details',
  'div',
  'dl',
  'dt',
  'fieldset',
  'figcaption',
  'figure',
  'footer',
  'form',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'header',
  'hr',
  'li',
  'main',
  'nav',
  'ol',
  'p',
  'pre',
  'section',
  'summary',
  'table',
  'tbody',
  'thead',
  'tfoot',
  'tr',
  'ul',
  'body',
  'html',
  'caption',
]);
const named: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
  copy: '©',
  reg: '®',
  trade: '™',
  hellip: '…',
  mdash: '—',
  ndash: '–',
  lsquo: '‘',
  rsquo: '’',
  ldquo: '“',
  rdquo: '”',
  bull: '•',
  middot: '·',
  deg: '°',
  euro: '€',
  pound: '£',
  yen: '¥',
  cent: '¢',
  sect: '§',
  para: '¶',
  times: '×',
  divide: '÷',
  laquo: '«',
  raquo: '»',
  shy: '\u00ad',
  zwj: '\u200d',
  zwnj: '\u200c',
};

/** Decodes HTML character references (`&amp;`, `&#233;`, `&#x1F600;`); unknown ones stay as written. */
export function decodeEntities(text: string): string {
  return text.replace(/&(#\d+|#[xX][0-9a-fA-F]+|[a-zA-Z]+);/g, (match, body: string) => {
    if (body[0] === '#') {
      const code =
        body[1] === 'x' || body[1] === 'X' ? Number.parseInt(body.slice(2), 16) : Number(body.slice(1));
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : match;
    }
    return named[body.toLowerCase()] ?? match;
  });
}

/**
 * Turns HTML into readable text without a DOM, so it runs the same in Node, a page and a worker.
 * Tolerant of broken markup: skips `script`/`style`/`head`, turns block elements into line breaks,
 * collapses whitespace (except inside `pre`), decodes entities, and records `h1`–`h6` as sections
 * whose offsets point into the returned text.
 */
export function htmlToText(html: string): HtmlText {
  const output = new TextBuilder();
  const headings: { level: number; start: number; title: string }[] = [];
  let title: string | undefined;
  let skipUntil: string | undefined;
  let preDepth = 0;
  let heading: { level: number; start: number } | undefined;
  let titleStart: number | undefined;
  const tagPattern =
    /<!--[\s\S]*?(?:-->|$)|<!\[CDATA\[[\s\S]*?(?:\]\]>|$)|<![^>]*>?|<\?[^>]*>?|<(\/?)([a-zA-Z][\w:-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>/g;
  let cursor = 0;
  for (let match = tagPattern.exec(html); match !== null; match = tagPattern.exec(html)) {
    const between = html.slice(cursor, match.index);
    cursor = match.index + match[0].length;
    if (titleStart !== undefined) {
      title = decodeEntities(between).replace(/\s+/g, ' ').trim();
    } else if (skipUntil === undefined && between) {
      output.append(decodeEntities(between), preDepth > 0);
    }
    const name = match[2]?.toLowerCase();
    if (!name) continue;
    const closing = match[1] === '/';
    if (skipUntil !== undefined) {
      if (closing && name === skipUntil) skipUntil = undefined;
      continue;
    }
    if (name === 'title') {
      titleStart = closing ? undefined : 0;
      continue;
    }
    if (skipped.has(name) && !closing && name !== 'head') {
      if (!/\/\s*$/.test(match[3] ?? '')) skipUntil = name;
      continue;
    }
    if (name === 'pre') preDepth = Math.max(0, preDepth + (closing ? -1 : 1));
    if (/^h[1-6]$/.test(name)) {
      if (!closing) {
        output.breakLine(2);
        heading = { level: Number(name[1]), start: output.length };
      } else if (heading) {
        const text = output.text.slice(heading.start).trim();
        if (text) headings.push({ ...heading, title: text });
        heading = undefined;
      }
    }
    if (blocks.has(name)) output.breakLine(name === 'p' || /^h[1-6]$/.test(name) ? 2 : 1);
    else if (name === 'td' || name === 'th') output.append(' ', false);
  }
  if (skipUntil === undefined && titleStart === undefined)
    output.append(decodeEntities(html.slice(cursor)), preDepth > 0);
  const text = output.finish();
  const sections: Section[] = headings
    .filter((entry) => entry.start < text.length)
    .map((entry, index, all) => ({
      level: entry.level,
      title: entry.title,
      start: entry.start,
      end: all[index + 1]?.start ?? text.length,
    }));
  return { text, sections, title };
}

/** Accumulates text with collapsed whitespace and at most two consecutive line breaks. */
class TextBuilder {
  private parts: string[] = [];
  private size = 0;
  /** Pending separator: 0 none, -1 a space, n>0 that many line breaks. */
  private pending = 0;

  get length(): number {
    return this.size + this.pendingText().length;
  }

  get text(): string {
    return this.parts.join('');
  }

  append(raw: string, preformatted: boolean): void {
    if (preformatted) {
      this.flush();
      this.push(raw.replace(/\r\n?/g, '\n'));
      return;
    }
    const collapsed = raw.replace(/[\s\u00a0]+/g, (space) => (space.includes('\u00a0') ? '\u00a0' : ' '));
    if (!collapsed) return;
    let body = collapsed;
    if (body.startsWith(' ')) {
      if (this.pending === 0 && this.size > 0) this.pending = -1;
      body = body.slice(1);
    }
    const trailing = body.endsWith(' ');
    if (trailing) body = body.slice(0, -1);
    if (body) {
      this.flush();
      this.push(body);
    }
    if (trailing && this.pending === 0) this.pending = -1;
  }

  breakLine(count: number): void {
    if (this.size === 0) return;
    this.pending = Math.max(this.pending, count);
  }

  finish(): string {
    this.pending = 0;
    return this.text;
  }

  private pendingText(): string {
    if (this.size === 0) return '';
    return this.pending === -1 ? ' ' : '\n'.repeat(Math.max(0, this.pending));
  }

  private flush(): void {
    const separator = this.pendingText();
    this.pending = 0;
    if (separator) this.push(separator);
  }

  private push(text: string): void {
    this.parts.push(text);
    this.size += text.length;
  }
}
