import type { QueryParams, VectorStore } from '../../vector/types.js';
import type { Tracer } from '../tracer.js';
import { type InstrumentOptions, resolveParent } from './parent.js';

/**
 * Wraps a `VectorStore`: `query` becomes a `vector-query` span (index, topK, filter, hits, best
 * score), writes and admin calls become `internal` spans named `vector <operation>`. Query
 * vectors are never recorded.
 */
export function traceVectorStore(
  store: VectorStore,
  tracer: Tracer,
  options: InstrumentOptions = {},
): VectorStore {
  const span = <T>(
    operation: string,
    indexName: string | undefined,
    call: () => Promise<T>,
    extra: Record<string, number> = {},
  ) =>
    tracer.withSpan(
      `vector ${operation}${indexName ? ` ${indexName}` : ''}`,
      {
        kind: operation === 'query' ? 'vector-query' : 'internal',
        parent: resolveParent(options.parent),
        attributes: { 'db.operation.name': operation, 'db.collection.name': indexName, ...extra },
      },
      async () => call(),
    );
  return {
    query: (params: QueryParams) =>
      tracer.withSpan(
        `vector query ${params.indexName}`,
        {
          kind: 'vector-query',
          parent: resolveParent(options.parent),
          attributes: {
            'db.operation.name': 'query',
            'db.collection.name': params.indexName,
            'lumos.vector.top_k': params.topK ?? 10,
            'lumos.vector.filter': params.filter,
            'lumos.vector.min_score': params.minScore,
          },
        },
        async (querySpan) => {
          const results = await store.query(params);
          querySpan.setAttributes({
            'lumos.vector.hits': results.length,
            'lumos.vector.best_score': results[0]?.score,
          });
          querySpan.recordOutput(results.map((result) => ({ id: result.id, score: result.score })));
          return results;
        },
      ),
    createIndex: (params) => span('create_index', params.indexName, () => store.createIndex(params)),
    upsert: (params) =>
      span('upsert', params.indexName, () => store.upsert(params), {
        'lumos.vector.count': params.vectors.length,
      }),
    updateVector: (params) => span('update', params.indexName, () => store.updateVector(params)),
    deleteVector: (params) => span('delete', params.indexName, () => store.deleteVector(params)),
    deleteVectors: (params) => span('delete_many', params.indexName, () => store.deleteVectors(params)),
    describeIndex: (params) => span('describe_index', params.indexName, () => store.describeIndex(params)),
    listIndexes: () => span('list_indexes', undefined, () => store.listIndexes()),
    deleteIndex: (params) => span('delete_index', params.indexName, () => store.deleteIndex(params)),
  };
}
