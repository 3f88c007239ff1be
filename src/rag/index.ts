export { Bm25Index, type Bm25Parameters, type KeywordEntry, type KeywordHit } from './bm25.js';
export { type AssembleContextOptions, type AssembledContext, assembleContext } from './context.js';
export { MDocument, type MDocumentInit } from './document.js';
export { jaccard, maximalMarginalRelevance, type RankedId, reciprocalRankFusion } from './fusion.js';
export { decodeEntities, type HtmlText, htmlToText } from './html-text.js';
export type {
  IngestedDocument,
  IngestInput,
  IngestOptions,
  IngestProgress,
  IngestReport,
} from './ingest-types.js';
export { type JsonNode, type JsonText, jsonToText } from './json-text.js';
export { createKnowledgeBase, type KnowledgeBase, type KnowledgeBaseOptions } from './knowledge-base.js';
export { type LoadableFile, type LoadOptions, loadDocument, mimeTypeOf } from './loaders.js';
export { documentFromPdf, type PdfOptions } from './pdf.js';
export {
  createPrepareCore,
  type DocumentPreparer,
  inlinePreparer,
  type PreparedDocument,
  workerPreparer,
} from './prepare.js';
export { createVectorQueryTool, type VectorQueryToolOptions } from './query-tool.js';
export { createLlmReranker, type LlmRerankerOptions } from './rerank.js';
export type {
  Citation,
  Reranker,
  RetrievalMode,
  RetrievalTimings,
  RetrievedChunk,
  RetrieveOptions,
} from './retrieval-types.js';
export type * from './types.js';
export { keywordTerms, stem, termFrequencies } from './words.js';
