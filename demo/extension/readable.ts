/**
 * Runs inside the page being saved (injected with `chrome.scripting.executeScript`), so it must be
 * self-contained: no imports, no closures over extension code. Returns the readable text: the
 * `<article>` or `<main>` when there is one, without scripts, navigation, forms or hidden parts.
 */
export function extractReadableText(): { title: string; url: string; text: string } {
  const root = (
    document.querySelector('article') ??
    document.querySelector('main') ??
    document.body
  ).cloneNode(true) as HTMLElement;
  for (const element of root.querySelectorAll(
    'script, style, noscript, template, iframe, svg, canvas, nav, footer, aside, form, button, [hidden], [aria-hidden="true"]',
  )) {
    element.remove();
  }
  const blocks: string[] = [];
  const walk = (node: Node) => {
    if (node.nodeType === Node.TEXT_NODE) {
      const text = (node.textContent ?? '').replace(/\s+/g, ' ');
      if (text.trim()) blocks.push(text);
      return;
    }
    if (!(node instanceof HTMLElement)) return;
    const block = /^(P|DIV|SECTION|ARTICLE|H[1-6]|LI|UL|OL|PRE|BLOCKQUOTE|TABLE|TR|BR|HEADER)$/.test(
      node.tagName,
    );
    if (block) blocks.push('\n');
    if (/^H[1-6]$/.test(node.tagName)) blocks.push(`${'#'.repeat(Number(node.tagName[1]))} `);
    for (const child of node.childNodes) walk(child);
    if (block) blocks.push('\n');
  };
  walk(root);
  const text = blocks
    .join('')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return { title: document.title || location.href, url: location.href, text };
}
