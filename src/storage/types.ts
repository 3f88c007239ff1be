/**
 * Storage ports. Each capability depends only on the narrow port it needs; `IndexedDBStorage`
 * and `InMemoryStorage` implement all of them. Records are plain structured-cloneable objects;
 * timestamps are epoch milliseconds.
 */

export interface PageOptions {
  /** @default 50 */
  limit?: number;
  /** @default 0 */
  offset?: number;
}

export interface Page<T> {
  items: T[];
  total: number;
  hasMore: boolean;
}

// --- workflow snapshots ---------------------------------------------------------------------

export interface WorkflowSnapshotRecord {
  workflowId: string;
  runId: string;
  status: string;
  /** The engine's serialisable run state. */
  snapshot: unknown;
  resourceId?: string;
  createdAt: number;
  updatedAt: number;
}

export interface WorkflowSnapshotStore {
  /** Writes one snapshot in one transaction (replacing the run's previous one). */
  saveWorkflowSnapshot(record: WorkflowSnapshotRecord): Promise<void>;
  loadWorkflowSnapshot(key: {
    workflowId: string;
    runId: string;
  }): Promise<WorkflowSnapshotRecord | undefined>;
  /** Newest first by `updatedAt`. */
  listWorkflowSnapshots(
    query: PageOptions & { workflowId?: string; status?: string; resourceId?: string },
  ): Promise<Page<WorkflowSnapshotRecord>>;
  deleteWorkflowSnapshot(key: { workflowId: string; runId: string }): Promise<void>;
}

// --- generic key-value (pending approvals, ingestion jobs, settings) ------------------------

export interface KeyValueStore {
  getValue<T = unknown>(namespace: string, key: string): Promise<T | undefined>;
  setValue(namespace: string, key: string, value: unknown): Promise<void>;
  deleteValue(namespace: string, key: string): Promise<void>;
  /** Entries of a namespace whose key starts with `prefix`, sorted by key. */
  listValues<T = unknown>(
    namespace: string,
    options?: { prefix?: string },
  ): Promise<{ key: string; value: T }[]>;
}

// --- traces ---------------------------------------------------------------------------------

export interface SpanRecord {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: string;
  startTime: number;
  endTime?: number;
  status: 'ok' | 'error' | 'unset';
  attributes: Record<string, unknown>;
  events?: { name: string; time: number; attributes?: Record<string, unknown> }[];
  resourceId?: string;
}

export interface TraceStore {
  saveSpans(spans: SpanRecord[]): Promise<void>;
  getTrace(traceId: string): Promise<SpanRecord[]>;
  /** Trace ids newest first, with their root span. */
  listTraces(query?: PageOptions & { resourceId?: string }): Promise<Page<SpanRecord>>;
  /** Keeps only the newest `keep` traces. */
  pruneTraces(keep: number): Promise<void>;
}

// --- eval results ---------------------------------------------------------------------------

export interface EvalResultRecord {
  id: string;
  /** Groups the results of one `runEvals` call. */
  evalRunId: string;
  scorerId: string;
  targetId: string;
  itemIndex: number;
  input: unknown;
  output: unknown;
  score: number | null;
  reason?: string;
  error?: { code: string; message: string };
  details?: Record<string, unknown>;
  createdAt: number;
  resourceId?: string;
}

export interface EvalResultStore {
  saveEvalResults(records: EvalResultRecord[]): Promise<void>;
  listEvalResults(
    query: PageOptions & { evalRunId?: string; scorerId?: string },
  ): Promise<Page<EvalResultRecord>>;
}
