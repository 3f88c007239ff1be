import { afterAll, describe, expect, it } from 'vitest';
import { renderMarkdown } from '../../../src/security/markdown.js';
import { xssCorpus } from '../../fixtures/security/xss-corpus.js';

describe('rendering hostile model output in a real page', () => {
  const host = document.createElement('div');
  document.body.append(host);
  afterAll(() => host.remove());

  it('never executes any payload of the XSS corpus', async () => {
    const globals = globalThis as unknown as { __pwned?: number };
    delete globals.__pwned;
    for (const payload of xssCorpus) {
      const block = document.createElement('div');
      block.innerHTML = renderMarkdown(payload);
      host.append(block);
    }
    // Give error/load handlers, autofocus and refreshes time to fire if anything slipped through.
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const element of host.querySelectorAll('*')) {
      for (const attribute of element.attributes) {
        expect(attribute.name.startsWith('on')).toBe(false);
      }
      expect([
        'SCRIPT',
        'IFRAME',
        'OBJECT',
        'EMBED',
        'SVG',
        'IMG',
        'STYLE',
        'META',
        'BASE',
        'FORM',
      ]).not.toContain(element.tagName);
    }
    for (const link of host.querySelectorAll('a')) expect(link.protocol).toMatch(/^(https?|mailto):$/);
    expect(globals.__pwned).toBeUndefined();
    // The payloads are still visible to the reader, as text.
    expect(host.textContent).toContain('<script>window.__pwned = 1</script>');
  });
});
