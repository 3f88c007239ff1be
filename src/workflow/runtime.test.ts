import { describe, expect, it } from 'vitest';
import { AbortedError, ConflictError } from '../errors/index.js';
import { newRunId, systemClock, withRunLock } from './runtime.js';

describe('runtime', () => {
  it('systemClock sleeps and rejects with AbortedError when aborted', async () => {
    const started = Date.now();
    await systemClock.sleep(15, new AbortController().signal);
    expect(Date.now() - started).toBeGreaterThanOrEqual(10);
    const controller = new AbortController();
    const sleeping = systemClock.sleep(60_000, controller.signal);
    controller.abort();
    await expect(sleeping).rejects.toThrow(AbortedError);
    await expect(systemClock.sleep(1, controller.signal)).rejects.toThrow(AbortedError);
  });

  it('newRunId gives distinct ids', () => {
    expect(new Set(Array.from({ length: 50 }, newRunId)).size).toBe(50);
  });

  it('withRunLock lets one execution of a run in at a time and frees it afterwards', async () => {
    const key = { workflowId: 'w', runId: 'r' };
    let release = () => {};
    const first = withRunLock(
      key,
      undefined,
      () => new Promise<string>((resolve) => (release = () => resolve('done'))),
    );
    await expect(withRunLock(key, undefined, async () => 'second')).rejects.toThrow(ConflictError);
    expect(await withRunLock({ workflowId: 'w', runId: 'other' }, undefined, async () => 'other')).toBe(
      'other',
    );
    release();
    expect(await first).toBe('done');
    expect(await withRunLock(key, undefined, async () => 'again')).toBe('again');
  });
});
