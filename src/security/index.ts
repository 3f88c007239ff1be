export { escapeHtml, renderMarkdown, safeUrl } from './markdown.js';
