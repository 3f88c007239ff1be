import { describe, expect, it } from 'vitest';
import { xssCorpus } from '../../test/fixtures/security/xss-corpus.js';
import { escapeHtml, renderMarkdown, safeUrl } from './markdown.js';

describe('renderMarkdown', () => {
  it('renders the common subset', () => {
    const html = renderMarkdown(
      '# Title\n\nSome **bold** and *it* and `code`.\n\n- a\n- b\n\n1. one\n\n```js\nx < 1\n```',
    );
    expect(html).toContain('<h1>Title</h1>');
    expect(html).toContain('<strong>bold</strong>');
    expect(html).toContain('<em>it</em>');
    expect(html).toContain('<code>code</code>');
    expect(html).toContain('<ul><li>a</li><li>b</li></ul>');
    expect(html).toContain('<ol><li>one</li></ol>');
    expect(html).toContain('<pre><code class="language-js">x &lt; 1</code></pre>');
  });

  it('keeps safe links and drops dangerous ones', () => {
    expect(renderMarkdown('[docs](https://example.com/a?b=1&c=2)')).toContain(
      '<a href="https://example.com/a?b=1&amp;c=2" target="_blank" rel="noopener noreferrer">docs</a>',
    );
    expect(renderMarkdown('[x](javascript:alert(1))')).not.toContain('href');
    expect(safeUrl(' JAVA\nSCRIPT:alert(1)')).toBeUndefined();
    expect(safeUrl('data:text/html,hi')).toBeUndefined();
    expect(safeUrl('mailto:a@b.c')).toBe('mailto:a@b.c');
  });

  it.each(xssCorpus)('emits no raw tag, handler or script URL for %s', (payload) => {
    const html = renderMarkdown(payload);
    const tags = [...html.matchAll(/<\/?([a-z0-9]+)([^>]*)>/gi)];
    const allowed = new Set(['p', 'br', 'strong', 'em', 'code', 'pre', 'a', 'ul', 'ol', 'li', 'blockquote']);
    for (const [, name, attributes] of tags) {
      expect(allowed.has(name!.toLowerCase()) || /^h[1-6]$/.test(name!)).toBe(true);
      expect(attributes).not.toMatch(/\son\w+=/i);
      expect(attributes).not.toMatch(/javascript:|data:/i);
    }
  });

  it('escapes every HTML-significant character', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&\``)).toBe(
      '&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&#96;',
    );
  });
});
