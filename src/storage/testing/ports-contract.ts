import { beforeEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../errors/index.js';
import type {
  EvalResultRecord,
  EvalResultStore,
  KeyValueStore,
  SpanRecord,
  TraceStore,
  WorkflowSnapshotRecord,
  WorkflowSnapshotStore,
} from '../types.js';

type PortsUnderTest = WorkflowSnapshotStore & KeyValueStore & TraceStore & EvalResultStore;

const snapshot = (runId: string, updatedAt: number, extra: Partial<WorkflowSnapshotRecord> = {}) => ({
  workflowId: 'wf',
  runId,
  status: 'running',
  snapshot: { step: runId, nested: { values: [1, 2, 3] } },
  createdAt: 1,
  updatedAt,
  ...extra,
});

const span = (
  traceId: string,
  spanId: string,
  startTime: number,
  extra: Partial<SpanRecord> = {},
): SpanRecord => ({
  traceId,
  spanId,
  name: `span ${spanId}`,
  kind: 'internal',
  startTime,
  status: 'ok',
  attributes: {},
  ...extra,
});

const evalResult = (
  id: string,
  createdAt: number,
  extra: Partial<EvalResultRecord> = {},
): EvalResultRecord => ({
  id,
  evalRunId: 'run-1',
  scorerId: 'exact',
  targetId: 'agent',
  itemIndex: 0,
  input: 'q',
  output: 'a',
  score: 1,
  createdAt,
  ...extra,
});

/**
 * Behaviour every implementation of the workflow, key-value, trace and eval ports must show.
 * Shared by the in-memory and IndexedDB tests so both stay interchangeable.
 */
export function describePortsContract(name: string, create: () => Promise<PortsUnderTest>): void {
  describe(`${name}: storage ports`, () => {
    let storage: PortsUnderTest;
    beforeEach(async () => {
      storage = await create();
    });

    it('saves, replaces, loads and deletes workflow snapshots', async () => {
      await storage.saveWorkflowSnapshot(snapshot('r1', 10));
      await storage.saveWorkflowSnapshot(snapshot('r1', 20, { status: 'suspended' }));
      const loaded = await storage.loadWorkflowSnapshot({ workflowId: 'wf', runId: 'r1' });
      expect(loaded).toEqual(snapshot('r1', 20, { status: 'suspended' }));
      expect(await storage.loadWorkflowSnapshot({ workflowId: 'wf', runId: 'missing' })).toBeUndefined();
      await storage.deleteWorkflowSnapshot({ workflowId: 'wf', runId: 'r1' });
      expect(await storage.loadWorkflowSnapshot({ workflowId: 'wf', runId: 'r1' })).toBeUndefined();
      await storage.deleteWorkflowSnapshot({ workflowId: 'wf', runId: 'r1' });
    });

    it('does not share state with the caller', async () => {
      const record = snapshot('r1', 10);
      await storage.saveWorkflowSnapshot(record);
      (record.snapshot as { step: string }).step = 'mutated';
      const loaded = await storage.loadWorkflowSnapshot({ workflowId: 'wf', runId: 'r1' });
      expect(loaded?.snapshot).toMatchObject({ step: 'r1' });
    });

    it('lists snapshots newest first with filters and pages', async () => {
      await storage.saveWorkflowSnapshot(snapshot('a', 30, { status: 'success', resourceId: 'u1' }));
      await storage.saveWorkflowSnapshot(snapshot('b', 10, { resourceId: 'u1' }));
      await storage.saveWorkflowSnapshot(snapshot('c', 20, { resourceId: 'u2' }));
      await storage.saveWorkflowSnapshot(snapshot('d', 40, { workflowId: 'other' }));
      const all = await storage.listWorkflowSnapshots({ workflowId: 'wf' });
      expect(all.items.map((record) => record.runId)).toEqual(['a', 'c', 'b']);
      expect(all).toMatchObject({ total: 3, hasMore: false });
      const first = await storage.listWorkflowSnapshots({ workflowId: 'wf', limit: 2 });
      expect(first.items.map((record) => record.runId)).toEqual(['a', 'c']);
      expect(first).toMatchObject({ total: 3, hasMore: true });
      const second = await storage.listWorkflowSnapshots({ workflowId: 'wf', limit: 2, offset: 2 });
      expect(second.items.map((record) => record.runId)).toEqual(['b']);
      expect(second.hasMore).toBe(false);
      const running = await storage.listWorkflowSnapshots({ status: 'running', resourceId: 'u1' });
      expect(running.items.map((record) => record.runId)).toEqual(['b']);
      expect((await storage.listWorkflowSnapshots({})).total).toBe(4);
    });

    it('rejects invalid page options with InvalidArgumentError', async () => {
      await expect(storage.listWorkflowSnapshots({ limit: 0 })).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(storage.listEvalResults({ offset: -1 })).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(storage.listTraces({ limit: 1.5 })).rejects.toBeInstanceOf(InvalidArgumentError);
    });

    it('stores key-value entries per namespace and lists by prefix in key order', async () => {
      await storage.setValue('jobs', 'b:2', { n: 2 });
      await storage.setValue('jobs', 'a:1', { n: 1 });
      await storage.setValue('jobs', 'a:0', { n: 0 });
      await storage.setValue('settings', 'a:9', 'other namespace');
      expect(await storage.getValue('jobs', 'a:1')).toEqual({ n: 1 });
      expect(await storage.getValue('jobs', 'missing')).toBeUndefined();
      expect(await storage.getValue('missing', 'a:1')).toBeUndefined();
      expect(await storage.listValues('jobs', { prefix: 'a:' })).toEqual([
        { key: 'a:0', value: { n: 0 } },
        { key: 'a:1', value: { n: 1 } },
      ]);
      expect((await storage.listValues('jobs')).map((entry) => entry.key)).toEqual(['a:0', 'a:1', 'b:2']);
      await storage.setValue('jobs', 'a:1', null);
      expect(await storage.getValue('jobs', 'a:1')).toBeNull();
      await storage.deleteValue('jobs', 'a:1');
      expect(await storage.getValue('jobs', 'a:1')).toBeUndefined();
      await storage.deleteValue('jobs', 'a:1');
      expect(await storage.listValues('settings')).toEqual([{ key: 'a:9', value: 'other namespace' }]);
    });

    it('saves spans, replaces a span on end, lists roots newest first and prunes', async () => {
      await storage.saveSpans([span('t1', 'root', 100), span('t1', 'child', 110, { parentSpanId: 'root' })]);
      await storage.saveSpans([span('t2', 'root', 200, { resourceId: 'u1' }), span('t3', 'root', 300)]);
      await storage.saveSpans([
        span('t1', 'child', 110, { parentSpanId: 'root', endTime: 150, status: 'error' }),
      ]);
      const trace = await storage.getTrace('t1');
      expect(trace.map((item) => item.spanId)).toEqual(['root', 'child']);
      expect(trace[1]).toMatchObject({ endTime: 150, status: 'error' });
      expect(await storage.getTrace('missing')).toEqual([]);
      const listed = await storage.listTraces({ limit: 2 });
      expect(listed.items.map((item) => item.traceId)).toEqual(['t3', 't2']);
      expect(listed).toMatchObject({ total: 3, hasMore: true });
      expect((await storage.listTraces({ resourceId: 'u1' })).items.map((item) => item.traceId)).toEqual([
        't2',
      ]);
      await storage.pruneTraces(2);
      expect((await storage.listTraces()).items.map((item) => item.traceId)).toEqual(['t3', 't2']);
      expect(await storage.getTrace('t1')).toEqual([]);
      await storage.pruneTraces(0);
      expect((await storage.listTraces()).total).toBe(0);
    });

    it('saves eval results and lists them by run and scorer', async () => {
      await storage.saveEvalResults([
        evalResult('1', 10, { itemIndex: 1 }),
        evalResult('2', 10, {
          itemIndex: 0,
          error: { code: 'eval_judge', message: 'judge failed' },
          score: null,
        }),
        evalResult('3', 5, { scorerId: 'faithfulness' }),
        evalResult('4', 1, { evalRunId: 'run-2' }),
      ]);
      const run = await storage.listEvalResults({ evalRunId: 'run-1' });
      expect(run.items.map((item) => item.id)).toEqual(['3', '2', '1']);
      expect(run.items[1]?.error).toEqual({ code: 'eval_judge', message: 'judge failed' });
      const exact = await storage.listEvalResults({ evalRunId: 'run-1', scorerId: 'exact', limit: 1 });
      expect(exact).toMatchObject({ total: 2, hasMore: true });
      expect(exact.items.map((item) => item.id)).toEqual(['2']);
      await storage.saveEvalResults([evalResult('4', 1, { evalRunId: 'run-2', score: 0.5 })]);
      expect((await storage.listEvalResults({ evalRunId: 'run-2' })).items[0]?.score).toBe(0.5);
    });
  });
}
