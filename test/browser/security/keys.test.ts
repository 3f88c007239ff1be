import { inject, it } from 'vitest';
import { keysStaySecretScenario } from '../../support/scenarios/keys-stay-secret.js';

it('an API key never reaches storage, traces, exports, logs or errors (Chromium)', {
  timeout: 60_000,
}, async () => {
  await keysStaySecretScenario(inject('openaiServerUrl'));
});
