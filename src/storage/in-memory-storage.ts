import { pageOf } from './paging.js';
import type {
  EvalResultRecord,
  EvalResultStore,
  KeyValueStore,
  Page,
  PageOptions,
  SpanRecord,
  TraceStore,
  WorkflowSnapshotRecord,
  WorkflowSnapshotStore,
} from './types.js';

/** Copies a record the way IndexedDB does, so callers never share state with the store. */
const copy = <T>(value: T): T => structuredClone(value);

const snapshotKey = (key: { workflowId: string; runId: string }) => `${key.workflowId}\u0000${key.runId}`;

/**
 * Storage kept in plain `Map`s: for Node, tests and throwaway sessions. Records are
 * structured-cloned on the way in and out, like IndexedDB, so behaviour matches
 * `IndexedDBStorage` (minus persistence).
 */
export class InMemoryStorage implements WorkflowSnapshotStore, KeyValueStore, TraceStore, EvalResultStore {
  readonly #snapshots = new Map<string, WorkflowSnapshotRecord>();
  readonly #values = new Map<string, Map<string, unknown>>();
  readonly #spans = new Map<string, Map<string, SpanRecord>>();
  readonly #evalResults = new Map<string, EvalResultRecord>();

  // --- workflow snapshots -----------------------------------------------------------------

  /** Writes one snapshot, replacing the run's previous one. */
  async saveWorkflowSnapshot(record: WorkflowSnapshotRecord): Promise<void> {
    this.#snapshots.set(snapshotKey(record), copy(record));
  }

  /** The snapshot of one run, or `undefined`. */
  async loadWorkflowSnapshot(key: {
    workflowId: string;
    runId: string;
  }): Promise<WorkflowSnapshotRecord | undefined> {
    const record = this.#snapshots.get(snapshotKey(key));
    return record && copy(record);
  }

  /** Snapshots newest first by `updatedAt`, optionally filtered. */
  async listWorkflowSnapshots(
    query: PageOptions & { workflowId?: string; status?: string; resourceId?: string } = {},
  ): Promise<Page<WorkflowSnapshotRecord>> {
    const matches = [...this.#snapshots.values()]
      .filter(
        (record) =>
          (query.workflowId === undefined || record.workflowId === query.workflowId) &&
          (query.status === undefined || record.status === query.status) &&
          (query.resourceId === undefined || record.resourceId === query.resourceId),
      )
      .sort((a, b) => b.updatedAt - a.updatedAt);
    const page = pageOf(matches, query);
    return { ...page, items: page.items.map(copy) };
  }

  /** Deletes one run's snapshot; deleting a missing one is not an error. */
  async deleteWorkflowSnapshot(key: { workflowId: string; runId: string }): Promise<void> {
    this.#snapshots.delete(snapshotKey(key));
  }

  // --- key-value --------------------------------------------------------------------------

  /** The value under `namespace`/`key`, or `undefined`. */
  async getValue<T = unknown>(namespace: string, key: string): Promise<T | undefined> {
    const namespaceValues = this.#values.get(namespace);
    return namespaceValues?.has(key) ? copy(namespaceValues.get(key) as T) : undefined;
  }

  /** Stores a structured-cloneable value under `namespace`/`key`. */
  async setValue(namespace: string, key: string, value: unknown): Promise<void> {
    const stored = copy(value);
    let namespaceValues = this.#values.get(namespace);
    if (!namespaceValues) {
      namespaceValues = new Map();
      this.#values.set(namespace, namespaceValues);
    }
    namespaceValues.set(key, stored);
  }

  /** Removes `namespace`/`key`; a missing key is not an error. */
  async deleteValue(namespace: string, key: string): Promise<void> {
    this.#values.get(namespace)?.delete(key);
  }

  /** Entries of a namespace whose key starts with `prefix`, sorted by key. */
  async listValues<T = unknown>(
    namespace: string,
    options: { prefix?: string } = {},
  ): Promise<{ key: string; value: T }[]> {
    const prefix = options.prefix ?? '';
    return [...(this.#values.get(namespace) ?? new Map<string, unknown>())]
      .filter(([key]) => key.startsWith(prefix))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, value]) => ({ key, value: copy(value as T) }));
  }

  // --- traces -----------------------------------------------------------------------------

  /** Saves spans; a span with an existing `traceId`/`spanId` replaces the old one (span end). */
  async saveSpans(spans: SpanRecord[]): Promise<void> {
    const copies = spans.map(copy);
    for (const span of copies) {
      let trace = this.#spans.get(span.traceId);
      if (!trace) {
        trace = new Map();
        this.#spans.set(span.traceId, trace);
      }
      trace.set(span.spanId, span);
    }
  }

  /** All spans of one trace, ordered by `startTime`. */
  async getTrace(traceId: string): Promise<SpanRecord[]> {
    return [...(this.#spans.get(traceId)?.values() ?? [])]
      .sort((a, b) => a.startTime - b.startTime)
      .map(copy);
  }

  /** One root span per trace (the span without a parent, else the earliest), newest first. */
  async listTraces(query: PageOptions & { resourceId?: string } = {}): Promise<Page<SpanRecord>> {
    const roots = this.#traceRoots().filter(
      (root) => query.resourceId === undefined || root.resourceId === query.resourceId,
    );
    const page = pageOf(roots, query);
    return { ...page, items: page.items.map(copy) };
  }

  /** Keeps only the newest `keep` traces (by root span start time). */
  async pruneTraces(keep: number): Promise<void> {
    for (const root of this.#traceRoots().slice(Math.max(0, keep))) this.#spans.delete(root.traceId);
  }

  #traceRoots(): SpanRecord[] {
    const roots: SpanRecord[] = [];
    for (const trace of this.#spans.values()) {
      const spans = [...trace.values()];
      const root =
        spans.find((span) => span.parentSpanId === undefined) ??
        spans.reduce((earliest, span) => (span.startTime < earliest.startTime ? span : earliest));
      roots.push(root);
    }
    return roots.sort((a, b) => b.startTime - a.startTime);
  }

  // --- eval results -----------------------------------------------------------------------

  /** Saves results; an existing `id` is replaced. */
  async saveEvalResults(records: EvalResultRecord[]): Promise<void> {
    const copies = records.map(copy);
    for (const record of copies) this.#evalResults.set(record.id, record);
  }

  /** Results oldest first (`createdAt`, then `itemIndex`), optionally filtered. */
  async listEvalResults(
    query: PageOptions & { evalRunId?: string; scorerId?: string } = {},
  ): Promise<Page<EvalResultRecord>> {
    const matches = [...this.#evalResults.values()]
      .filter(
        (record) =>
          (query.evalRunId === undefined || record.evalRunId === query.evalRunId) &&
          (query.scorerId === undefined || record.scorerId === query.scorerId),
      )
      .sort((a, b) => a.createdAt - b.createdAt || a.itemIndex - b.itemIndex);
    const page = pageOf(matches, query);
    return { ...page, items: page.items.map(copy) };
  }
}
