import { z } from 'zod';
import type { Embedder } from '../embed/types.js';
import { InvalidArgumentError } from '../errors/index.js';
import { createTool } from '../tools/create-tool.js';
import type { VectorFilter } from '../vector/filter-types.js';
import type { VectorStore } from '../vector/types.js';
import { assembleContext } from './context.js';
import type { KnowledgeBase } from './knowledge-base.js';
import { citationOf, type RetrievalMode, type RetrievedChunk } from './retrieval-types.js';

interface QueryToolCommon {
  /** Tool id the model sees. @default 'vector_query' */
  id?: string;
  /** @default a sentence saying it searches the knowledge base */
  description?: string;
  /** Results per call when the model does not say. @default 5 */
  topK?: number;
  /** Token budget of the returned context. @default 2000 */
  maxTokens?: number;
}

export type VectorQueryToolOptions = QueryToolCommon &
  (
    | {
        knowledgeBase: KnowledgeBase;
        /** @default 'hybrid' */
        mode?: RetrievalMode;
      }
    | {
        /** Search a bare vector store; chunk text is read from `metadata.text`. */
        vectorStore: VectorStore;
        embedder: Embedder;
        indexName: string;
      }
  );

const inputSchema = z.object({
  queryText: z.string().min(1).describe('What to search for, in natural language.'),
  topK: z.number().int().min(1).max(50).optional().describe('How many passages to return.'),
  filter: z
    .record(z.string(), z.unknown())
    .optional()
    .describe('Optional metadata filter, e.g. {"source": "guide.pdf"} or {"page": {"$gte": 3}}.'),
});

/**
 * A tool an agent calls to search its knowledge base itself. Returns the passages as a cited,
 * quoted context (`context`) plus the citations (`sources`) a UI can show.
 */
export function createVectorQueryTool(options: VectorQueryToolOptions) {
  const defaultTopK = options.topK ?? 5;
  const search = async (
    query: string,
    topK: number,
    filter: VectorFilter | undefined,
  ): Promise<RetrievedChunk[]> => {
    if ('knowledgeBase' in options) {
      return options.knowledgeBase.retrieve(query, {
        topK,
        mode: options.mode ?? 'hybrid',
        ...(filter ? { filter } : {}),
      });
    }
    const queryVector = await options.embedder.embed(query);
    const hits = await options.vectorStore.query({
      indexName: options.indexName,
      queryVector,
      topK,
      ...(filter ? { filter } : {}),
    });
    return hits.map((hit) => {
      const metadata = hit.metadata;
      const chunk = {
        id: hit.id,
        documentId: typeof metadata.documentId === 'string' ? metadata.documentId : hit.id,
        start: typeof metadata.start === 'number' ? metadata.start : 0,
        end: typeof metadata.end === 'number' ? metadata.end : 0,
        metadata,
      };
      return {
        ...chunk,
        text: typeof metadata.text === 'string' ? metadata.text : '',
        score: hit.score,
        citation: citationOf(chunk),
      };
    });
  };
  if (!('knowledgeBase' in options) && !(options.vectorStore && options.embedder && options.indexName)) {
    throw new InvalidArgumentError(
      'createVectorQueryTool() needs a knowledgeBase, or a vectorStore, embedder and indexName.',
      {
        hint: 'Pass { knowledgeBase } from createKnowledgeBase(), or { vectorStore, embedder, indexName }.',
      },
    );
  }
  return createTool({
    id: options.id ?? 'vector_query',
    description:
      options.description ??
      'Searches the knowledge base for passages relevant to a question. Returns numbered, quoted passages with their sources; cite them by number.',
    inputSchema,
    async execute(input) {
      const results = await search(
        input.queryText,
        input.topK ?? defaultTopK,
        input.filter as VectorFilter | undefined,
      );
      const assembled = await assembleContext(results, { maxTokens: options.maxTokens ?? 2000 });
      return { context: assembled.text, sources: assembled.citations };
    },
  });
}
