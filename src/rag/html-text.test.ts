import { describe, expect, it } from 'vitest';
import { decodeEntities, htmlToText } from './html-text.js';
import { jsonToText } from './json-text.js';

describe('htmlToText', () => {
  it('tolerates broken markup, comments and unclosed tags', () => {
    const { text, sections } = htmlToText(
      '<div>Hello <b>world<!-- hidden --> <p>Next<br>line<h2>Part & more</h2>tail <script>x()</scr',
    );
    expect(text).toBe('Hello world\n\nNext\nline\n\nPart & more\n\ntail');
    expect(sections).toEqual([
      { level: 2, title: 'Part & more', start: text.indexOf('Part'), end: text.length },
    ]);
  });

  it('keeps whitespace inside pre and ignores attributes with > in quotes', () => {
    const { text } = htmlToText(
      '<p title="a > b">Code:</p><pre>  let x = 1;\n  let y = 2;</pre><p>after</p>',
    );
    expect(text).toBe('Code:\n\n  let x = 1;\n  let y = 2;\n\nafter');
  });

  it('decodes numeric and named references and leaves unknown ones', () => {
    expect(decodeEntities('&lt;a&gt; &#x1F600; &#169; &bogus; &amp;amp;')).toBe('<a> 😀 © &bogus; &amp;');
  });
});

describe('jsonToText', () => {
  it('prints like JSON.stringify(value, null, 2) and records member spans with paths', () => {
    const value = { a: [1, { 'b c': true }], d: null, e: {} };
    const { text, root } = jsonToText(value);
    expect(text).toBe(JSON.stringify(value, null, 2));
    const paths = root.children.map((child) => child.path);
    expect(paths).toEqual(['$.a', '$.d', '$.e']);
    const nested = root.children[0]!.children[1]!.children[0]!;
    expect(nested.path).toBe('$.a[1]["b c"]');
    expect(text.slice(nested.start, nested.end)).toBe('"b c": true');
  });
});
