import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useRepoPages } from './support/repo-pages.js';

// Real Chromium, real IndexedDB, real tabs: test/e2e/pages/memory-tabs is the app page, served
// by Vite from the repo (the same way test/e2e/workflow-reload.e2e.test.ts serves its page).

interface HistoryItem {
  id: string;
  seq: number;
  content: string;
}
interface RemoteChange {
  store: string;
  type: string;
  keys: string[];
  threadId?: string;
}
interface Tab {
  reopen(): Promise<{ name: string; code?: string } | undefined>;
  append(threadId: string, resourceId: string, texts: string[]): Promise<string[]>;
  history(threadId: string, resourceId: string): Promise<HistoryItem[]>;
  context(threadId: string, resourceId: string): Promise<string[]>;
  setWorkingMemory(threadId: string, resourceId: string, text: string): Promise<string>;
  workingMemory(threadId: string, resourceId: string): Promise<string | undefined>;
  threads(resourceId: string): Promise<{ id: string; title?: string }[]>;
  remote(): RemoteChange[];
}
type Globals = Record<string, unknown> & {
  __tab: Tab;
  __openError?: { name: string; code?: string };
  __old: { close(): void; messages(): Promise<string[]> };
};

describe('memory across a real reload and real tabs (Chromium, IndexedDB)', () => {
  const pages = useRepoPages();

  const errorsOf = (page: Page) => {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    return errors;
  };
  const openTab = async (context: BrowserContext, query: string) => {
    const page = await context.newPage();
    const errors = errorsOf(page);
    await page.goto(`${pages.origin}/test/e2e/pages/memory-tabs/index.html?${query}`);
    await waitReady(page);
    return { page, errors };
  };
  const waitReady = (page: Page) =>
    page.waitForFunction(() => (globalThis as unknown as Globals).__ready === true, null, {
      timeout: 60_000,
    });

  it('keeps messages, working memory and threads across page.reload()', async () => {
    const context = await pages.browser.newContext();
    const { page, errors } = await openTab(context, `db=reload-${Date.now()}`);
    await page.evaluate(async () => {
      const tab = (globalThis as unknown as Globals).__tab;
      await tab.append('t1', 'ada', ['I live in Oslo']);
      await tab.append('t1', 'ada', ['I play the piano']);
      await tab.append('t2', 'ada', ['another thread']);
      await tab.setWorkingMemory('t1', 'ada', '# User\n- Name: Ada\n- City: Oslo');
    });

    await page.reload();
    await waitReady(page);
    const after = await page.evaluate(async () => {
      const tab = (globalThis as unknown as Globals).__tab;
      return {
        history: await tab.history('t1', 'ada'),
        context: await tab.context('t1', 'ada'),
        workingMemory: await tab.workingMemory('t2', 'ada'),
        threads: await tab.threads('ada'),
      };
    });
    expect(after.history.map((item) => [item.seq, item.content])).toEqual([
      [0, 'I live in Oslo'],
      [1, 'I play the piano'],
    ]);
    expect(after.context).toEqual(['I live in Oslo', 'I play the piano']);
    expect(after.workingMemory).toBe('# User\n- Name: Ada\n- City: Oslo');
    expect(after.threads.map((thread) => thread.id)).toEqual(['t2', 't1']);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('two tabs write one thread concurrently: no message lost, each hears of the other', async () => {
    const context = await pages.browser.newContext();
    const db = `tabs-${Date.now()}`;
    const a = await openTab(context, `db=${db}`);
    const b = await openTab(context, `db=${db}`);
    const texts = (tab: string) => Array.from({ length: 30 }, (_, index) => `${tab} says ${index}`);
    const write = (page: Page, lines: string[]) =>
      page.evaluate(
        (input) => (globalThis as unknown as Globals).__tab.append('shared', 'ada', input),
        lines,
      );
    // Both tabs at once, and within each tab 30 appends at once.
    const [fromA, fromB] = await Promise.all([write(a.page, texts('A')), write(b.page, texts('B'))]);

    const history = await b.page.evaluate(() =>
      (globalThis as unknown as Globals).__tab.history('shared', 'ada'),
    );
    expect(history).toHaveLength(60);
    expect(history.map((item) => item.seq)).toEqual(Array.from({ length: 60 }, (_, index) => index));
    expect(new Set(history.map((item) => item.id))).toEqual(new Set([...fromA, ...fromB]));
    expect(new Set(history.map((item) => item.content))).toEqual(new Set([...texts('A'), ...texts('B')]));
    // Each tab's own messages keep their order.
    const order = (prefix: string) =>
      history.filter((item) => item.content.startsWith(prefix)).map((item) => item.content);
    expect(order('A says')).toEqual(texts('A'));
    expect(order('B says')).toEqual(texts('B'));

    // Tab B is told (BroadcastChannel) about every message tab A wrote, and the reverse.
    const heard = async (page: Page, ids: string[]) => {
      await page.waitForFunction(
        (wanted) => {
          const keys = new Set(
            (globalThis as unknown as Globals).__tab
              .remote()
              .filter((change) => change.store === 'messages' && change.threadId === 'shared')
              .flatMap((change) => change.keys),
          );
          return wanted.every((id) => keys.has(id));
        },
        ids,
        { timeout: 10_000 },
      );
      return page.evaluate(() => (globalThis as unknown as Globals).__tab.remote());
    };
    const heardByB = await heard(b.page, fromA);
    const heardByA = await heard(a.page, fromB);
    // Nobody hears its own writes as remote ones.
    const keysOf = (changes: RemoteChange[]) => new Set(changes.flatMap((change) => change.keys));
    expect(fromB.some((id) => keysOf(heardByB).has(id))).toBe(false);
    expect(fromA.some((id) => keysOf(heardByA).has(id))).toBe(false);

    // A reload of tab A sees everything.
    await a.page.reload();
    await waitReady(a.page);
    const reloaded = await a.page.evaluate(() =>
      (globalThis as unknown as Globals).__tab.history('shared', 'ada'),
    );
    expect(reloaded).toEqual(history);
    expect([...a.errors, ...b.errors]).toEqual([]);
    await context.close();
  });

  it('an old-version tab blocks the upgrade: typed error, data intact, upgrade once it closes', async () => {
    const context = await pages.browser.newContext();
    const db = `blocked-${Date.now()}`;
    const old = await openTab(context, `db=${db}&mode=old`);
    const fresh = await openTab(context, `db=${db}`);
    const openError = await fresh.page.evaluate(() => (globalThis as unknown as Globals).__openError);
    expect(openError).toMatchObject({ name: 'StorageBlockedError', code: 'storage_blocked' });
    // The old tab still reads all its data.
    expect(await old.page.evaluate(() => (globalThis as unknown as Globals).__old.messages())).toEqual([
      'first v1 message',
      'second v1 message',
    ]);

    await old.page.evaluate(() => (globalThis as unknown as Globals).__old.close());
    const upgraded = await fresh.page.evaluate(async () => {
      const tab = (globalThis as unknown as Globals).__tab;
      const failure = await tab.reopen();
      return {
        failure,
        history: await tab.history('legacy', 'ada'),
        workingMemory: await tab.workingMemory('legacy', 'ada'),
        appended: await tab.append('legacy', 'ada', ['written by the new build']),
        after: await tab.history('legacy', 'ada'),
      };
    });
    expect(upgraded.failure).toBeUndefined();
    expect(upgraded.history.map((item) => [item.seq, item.content])).toEqual([
      [0, 'first v1 message'],
      [1, 'second v1 message'],
    ]);
    expect(upgraded.workingMemory).toBe('# Name: Ada (v1)');
    expect(upgraded.after.map((item) => item.seq)).toEqual([0, 1, 2]);
    expect([...old.errors, ...fresh.errors]).toEqual([]);
    await context.close();
  });
});
