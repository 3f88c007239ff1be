import 'fake-indexeddb/auto';
import { describe, it } from 'vitest';
import { runEncryptionScenario } from '../../../src/security/testing/encryption-scenario.js';

describe('encryption at rest (Node, fake-indexeddb)', () => {
  it('encrypts memory, documents, snapshots, values, traces, evals and vectors; wrong passphrase fails; deleteResource forgets', async () => {
    await runEncryptionScenario(`lumos-encryption-${crypto.randomUUID()}`);
  });
});
