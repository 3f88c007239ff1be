import type { TestProject } from 'vitest/node';
import { startOpenAITestServer } from '../../src/test/server.js';

/**
 * Starts one OpenAI-compatible test server per test run and hands its URL to every test
 * (Node and browser) as `inject('openaiServerUrl')`. Tests take their own session from it.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startOpenAITestServer();
  project.provide('openaiServerUrl', server.url);
  return () => server.close();
}

declare module 'vitest' {
  export interface ProvidedContext {
    openaiServerUrl: string;
  }
}
