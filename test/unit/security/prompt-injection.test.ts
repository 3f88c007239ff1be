import { inject, it } from 'vitest';
import { promptInjectionScenario } from '../../support/scenarios/prompt-injection.js';

it('injected instructions in retrieved documents never run a tool that needs approval (Node)', {
  timeout: 60_000,
}, async () => {
  await promptInjectionScenario(inject('openaiServerUrl'));
});
