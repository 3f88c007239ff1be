import { describe, expect, it } from 'vitest';
import { useRepoPages } from './support/repo-pages.js';

type PageGlobals = Record<string, unknown> & { __inspect: () => Promise<unknown> };

describe('a workflow run survives a page reload (Chromium, IndexedDB)', () => {
  const pages = useRepoPages();

  it('resumes from the last completed step after a reload; finished steps do not run again', async () => {
    const page = await pages.browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${pages.origin}/test/fixtures/workflow-page/index.html?db=reload-${Date.now()}`);
    await page.waitForFunction(() => (globalThis as unknown as PageGlobals).__hanging === true, null, {
      timeout: 60_000,
    });

    const before = (await page.evaluate(() => (globalThis as unknown as PageGlobals).__inspect())) as {
      counts: Record<string, number>;
      record: { status: string; snapshot: { steps: Record<string, unknown> } };
    };
    expect(before.counts).toEqual({ a: 1, b: 1 });
    expect(before.record.status).toBe('running');
    expect(Object.keys(before.record.snapshot.steps)).toEqual(['a']);

    await page.reload();
    await page.waitForFunction(() => (globalThis as unknown as PageGlobals).__resumed !== undefined, null, {
      timeout: 60_000,
    });
    const resumed = await page.evaluate(() => (globalThis as unknown as PageGlobals).__resumed);
    expect(resumed).toEqual([{ runId: 'page-run', status: 'success', output: { trail: ['a', 'b', 'c'] } }]);
    const after = (await page.evaluate(() =>
      (globalThis as unknown as PageGlobals).__inspect(),
    )) as typeof before;
    expect(after.counts).toEqual({ a: 1, b: 2, c: 1 });
    expect(after.record.status).toBe('success');
    expect(Object.keys(after.record.snapshot.steps)).toEqual(['a', 'b', 'c']);
    expect(errors).toEqual([]);
  });
});
