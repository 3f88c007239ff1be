import { Agent } from 'lumosai/agent';
import { renderMarkdown } from 'lumosai/security';
import { h, mount } from '../dom.js';
import type { Panel, Studio } from '../studio.js';

const instructions = `You are the assistant of the Lumos studio. Answer briefly. When the user asks about their
documents, call the searchKnowledge tool and cite passages as [1], [2] by their numbers.`;

/** Chat: a streamed agent answer, tool calls shown inline. */
export function createChatPanel(studio: Studio): Panel {
  const messages = h('div', { class: 'messages', 'aria-live': 'polite' });
  const input = h('textarea', { name: 'question', placeholder: 'Ask something…', rows: 2 });
  const send = h('button', { class: 'primary', type: 'submit' }, 'Send');

  const bubble = (role: string) => {
    const body = h('div', { class: 'body' });
    const element = h('div', { class: `message ${role}` }, h('div', { class: 'role' }, role), body);
    messages.append(element);
    return { element, body };
  };

  async function ask(question: string): Promise<void> {
    const user = bubble('user');
    user.body.textContent = question;
    const answer = bubble('assistant');
    const model = studio.model();
    if (!model) {
      answer.body.textContent = 'No language model is configured: open Settings to choose a provider.';
      answer.element.dataset.mode = 'none';
      return;
    }
    const agent = new Agent({ name: 'Studio', instructions, model });
    let text = '';
    const stream = await agent.stream(question);
    for await (const event of stream.fullStream) {
      if (event.type === 'text-delta') {
        text += event.delta;
        answer.body.innerHTML = renderMarkdown(text);
      } else if (event.type === 'tool-call') {
        answer.element.append(
          h('div', { class: 'tool' }, `→ ${event.toolCall.toolName}(${JSON.stringify(event.toolCall.args)})`),
        );
      } else if (event.type === 'error') {
        answer.element.append(
          h('div', { class: 'error' }, String((event.error as Error).message ?? event.error)),
        );
      }
    }
    answer.element.dataset.done = 'true';
  }

  const form = h(
    'form',
    {
      class: 'card',
      onsubmit: async (event: Event) => {
        event.preventDefault();
        const question = input.value.trim();
        if (!question) return;
        input.value = '';
        send.disabled = true;
        try {
          await ask(question);
        } catch (error) {
          messages.append(h('div', { class: 'message error' }, (error as Error).message));
        } finally {
          send.disabled = false;
        }
      },
    },
    messages,
    h('div', { class: 'row' }, h('div', { class: 'grow' }, input), send),
  );
  const element = h('section', null);
  mount(element, form);
  return { id: 'chat', title: 'Chat', element };
}
