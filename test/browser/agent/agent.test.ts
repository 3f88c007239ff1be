import { inject } from 'vitest';
import { defineAgentScenarios } from '../../../src/agent/testing/openai-scenarios.js';
import { IndexedDBStorage } from '../../../src/storage/index.js';
import type {} from '../../support/mcp-global-setup.js';

// A "reload" opens a second IndexedDB connection to the same database, as a new page would.
const databaseName = `lumos-agent-test-${crypto.randomUUID()}`;

defineAgentScenarios({
  mcpServerUrl: () => {
    const url = inject('mcpServerUrl');
    if (!url) {
      throw new Error(
        'No MCP test server: add test/support/mcp-global-setup.ts to `globalSetup` in vitest.config.ts.',
      );
    }
    return url;
  },
  openStorage: () => IndexedDBStorage.open({ name: databaseName }),
});
