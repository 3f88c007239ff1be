import { h, mount, table } from '../dom.js';
import type { Services } from '../services.js';
import type { Panel, Studio } from '../studio.js';
import type { LastTurn } from './chat.js';

/** Memory: the resource's threads and messages, its working memory, and what recall returned last turn. */
export function createMemoryPanel(studio: Studio, services: Services) {
  const { memory } = services;
  const threads = h('tbody');
  const messages = h('div', { class: 'messages', 'data-role': 'memory-messages' });
  const workingMemory = h('pre', { class: 'span-view', 'data-role': 'working-memory' });
  const recall = h(
    'div',
    { 'data-role': 'recall' },
    h('p', { class: 'note' }, 'Ask something in Chat first.'),
  );
  let lastTurn: LastTurn | undefined;

  async function openThread(threadId: string): Promise<void> {
    const page = await memory.listMessages({ threadId, resourceId: studio.resourceId, limit: 200 });
    mount(
      messages,
      page.items.map((record) => {
        const message = record.message;
        const text = typeof message.content === 'string' ? message.content : JSON.stringify(message.content);
        const calls =
          message.role === 'assistant' && message.toolCalls?.length
            ? ` → ${message.toolCalls.map((call) => call.name).join(', ')}`
            : '';
        return h(
          'div',
          { class: `message ${message.role}` },
          h('div', { class: 'role' }, `${message.role} #${record.seq}${calls}`),
          text,
        );
      }),
    );
  }

  async function refresh(): Promise<void> {
    const page = await memory.listThreads({ resourceId: studio.resourceId, limit: 50 });
    mount(
      threads,
      page.items.map((thread) =>
        h(
          'tr',
          null,
          h(
            'td',
            null,
            h(
              'button',
              { class: 'citation', type: 'button', onclick: () => void openThread(thread.id) },
              thread.title ?? thread.id,
            ),
          ),
          h('td', null, new Date(thread.updatedAt).toLocaleString()),
        ),
      ),
    );
    const scope = {
      threadId: lastTurn?.threadId ?? page.items[0]?.id ?? 'none',
      resourceId: studio.resourceId,
    };
    workingMemory.textContent = (await memory.getWorkingMemory(scope).catch(() => undefined)) ?? '(empty)';
    const recalled = lastTurn?.context?.recalled ?? [];
    if (lastTurn) {
      mount(
        recall,
        h('p', { class: 'note' }, `${recalled.length} message(s) recalled for the last turn.`),
        recalled.map((record) =>
          h(
            'div',
            { class: 'message' },
            h('div', { class: 'role' }, `${record.message.role} in ${record.threadId}`),
            typeof record.message.content === 'string' ? record.message.content : '',
          ),
        ),
      );
    }
  }

  const element = h(
    'section',
    null,
    h('div', { class: 'card' }, h('h2', null, 'Threads'), table(['Thread', 'Updated'], threads)),
    h('div', { class: 'card' }, h('h2', null, 'Messages'), messages),
    h('div', { class: 'card' }, h('h2', null, 'Working memory'), workingMemory),
    h('div', { class: 'card' }, h('h2', null, 'Semantic recall, last turn'), recall),
  );
  const panel: Panel = { id: 'memory', title: 'Memory', element, show: () => void refresh() };
  return {
    panel,
    onTurn(turn: LastTurn) {
      lastTurn = turn;
    },
  };
}
