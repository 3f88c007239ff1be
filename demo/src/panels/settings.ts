import { listProviders } from 'lumosai/llm';
import { h } from '../dom.js';
import type { StudioSettings } from '../settings.js';
import type { Panel, Studio } from '../studio.js';

export function createSettingsPanel(studio: Studio): Panel {
  const field = (label: string, input: HTMLElement) => h('label', null, label, input);
  const provider = h(
    'select',
    { name: 'provider' },
    h('option', { value: 'none' }, 'No LLM (extractive answers from the knowledge base)'),
    listProviders().map((entry) => h('option', { value: entry.id }, entry.name)),
  );
  const baseURL = h('input', { name: 'baseURL', placeholder: 'default for the provider, or your proxy URL' });
  const model = h('input', { name: 'model', placeholder: 'default for the provider' });
  const apiKey = h('input', {
    name: 'apiKey',
    type: 'password',
    autocomplete: 'off',
    placeholder: 'kept in memory',
  });
  const rememberKey = h('input', { name: 'rememberKey', type: 'checkbox' });
  const device = h(
    'select',
    { name: 'embedderDevice' },
    h('option', { value: 'wasm' }, 'WASM (CPU)'),
    h('option', { value: 'webgpu' }, 'WebGPU (checked against WASM first)'),
  );
  const saved = h('span', { class: 'note', role: 'status' });

  const fill = () => {
    const settings = studio.settings;
    provider.value = settings.provider;
    baseURL.value = settings.baseURL;
    model.value = settings.model;
    apiKey.value = settings.apiKey;
    rememberKey.checked = settings.rememberKey;
    device.value = settings.embedderDevice;
  };

  const form = h(
    'form',
    {
      class: 'card',
      onsubmit: async (event: Event) => {
        event.preventDefault();
        const next: StudioSettings = {
          provider: provider.value as StudioSettings['provider'],
          baseURL: baseURL.value.trim(),
          model: model.value.trim(),
          apiKey: apiKey.value.trim(),
          rememberKey: rememberKey.checked,
          embedderDevice: device.value as StudioSettings['embedderDevice'],
        };
        await studio.updateSettings(next);
        saved.textContent = 'Saved.';
      },
    },
    h('h2', null, 'Model'),
    field('Provider', provider),
    field('Base URL', baseURL),
    field('Model', model),
    field('API key', apiKey),
    h(
      'label',
      { class: 'row' },
      rememberKey,
      'Remember the key on this device (encrypted with a non-extractable key; off by default)',
    ),
    h(
      'p',
      { class: 'note' },
      'In a public app, prefer a proxy base URL on your own server and no key in the browser.',
    ),
    h('h2', null, 'Embeddings'),
    field('Embedder device', device),
    h('p', { class: 'note' }, 'A new embedder device applies after a reload.'),
    h('div', { class: 'row' }, h('button', { class: 'primary', type: 'submit' }, 'Save'), saved),
  );
  fill();
  return { id: 'settings', title: 'Settings', element: h('section', null, form), show: fill };
}
