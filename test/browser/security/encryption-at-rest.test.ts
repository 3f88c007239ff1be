import { describe, it } from 'vitest';
import { runEncryptionScenario } from '../../../src/security/testing/encryption-scenario.js';
import { BrowserVector } from '../../../src/vector/index.js';

describe('encryption at rest (Chromium, real IndexedDB, vector worker)', () => {
  it('encrypts everything, hands the key to the vector worker, rejects a wrong passphrase, forgets a resource', async () => {
    await runEncryptionScenario(
      `lumos-encryption-${crypto.randomUUID()}`,
      (settings) => new BrowserVector({ ...settings, persist: true }),
    );
  });
});
