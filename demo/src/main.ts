import { h } from './dom.js';
import { createChatPanel } from './panels/chat.js';
import { createEvalsPanel } from './panels/evals.js';
import { createKnowledgePanel } from './panels/knowledge.js';
import { createMemoryPanel } from './panels/memory.js';
import { createSettingsPanel } from './panels/settings.js';
import { createTracesPanel } from './panels/traces.js';
import { createWorkflowsPanel } from './panels/workflows.js';
import { createServices } from './services.js';
import { type Panel, Studio } from './studio.js';

const studio = new Studio(document.getElementById('status')!);
await studio.restoreKey();
const services = await createServices(studio.settings.embedderDevice);

const memory = createMemoryPanel(studio, services);
const panels: Panel[] = [
  createChatPanel(studio, services, (turn) => memory.onTurn(turn)),
  createKnowledgePanel(services),
  memory.panel,
  createWorkflowsPanel(services),
  createTracesPanel(services),
  createEvalsPanel(studio, services),
  createSettingsPanel(studio),
];

const tabs = document.getElementById('tabs')!;
const container = document.getElementById('panels')!;
for (const panel of panels) {
  panel.element.id = `panel-${panel.id}`;
  panel.element.hidden = true;
  container.append(panel.element);
  tabs.append(
    h(
      'button',
      { type: 'button', role: 'tab', 'aria-controls': panel.element.id, dataset: { panel: panel.id } },
      panel.title,
    ),
  );
}

function show(id: string): void {
  const panel = panels.find((entry) => entry.id === id) ?? panels[0]!;
  for (const entry of panels) entry.element.hidden = entry !== panel;
  for (const button of tabs.querySelectorAll('button')) {
    button.setAttribute('aria-selected', String(button.dataset.panel === panel.id));
  }
  panel.show?.();
}

tabs.addEventListener('click', (event) => {
  const id = (event.target as HTMLElement).closest('button')?.dataset.panel;
  if (id) location.hash = id;
});
addEventListener('hashchange', () => show(location.hash.slice(1)));
show(location.hash.slice(1));
studio.status(
  studio.model() ? `LLM: ${studio.settings.provider}` : 'No LLM configured: answers are extractive',
);
studio.onSettingsChange(() =>
  studio.status(
    studio.model() ? `LLM: ${studio.settings.provider}` : 'No LLM configured: answers are extractive',
  ),
);
document.body.dataset.ready = 'true';
