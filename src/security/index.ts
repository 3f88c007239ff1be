export { escapeHtml, renderMarkdown, safeUrl } from './markdown.js';
export {
  createPiiRedactor,
  defaultPiiPatterns,
  detectPii,
  type PiiKind,
  type PiiMatch,
  type PiiPattern,
  type PiiRedactor,
  type PiiRedactorOptions,
  type RedactionResult,
  withPiiRedaction,
} from './pii.js';
