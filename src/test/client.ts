import { InvalidArgumentError, NetworkError } from '../errors/index.js';
import type { RecordedRequest, ScriptedResponse, TestSession } from './protocol.js';

/**
 * A browser-safe client of a running test server's control API. Use it from tests that get the
 * server URL from vitest's `inject('openaiServerUrl')`.
 */
export function connectTestServer(
  url: string,
  fetchImplementation: typeof fetch = globalThis.fetch,
): { session(): Promise<TestSession> } {
  if (!/^https?:\/\//.test(url)) {
    throw new InvalidArgumentError(`"${url}" is not a test server URL.`, {
      hint: 'Pass the `url` of startOpenAITestServer() or inject("openaiServerUrl").',
    });
  }
  const root = url.replace(/\/+$/, '');
  const call = async (path: string, init?: RequestInit): Promise<unknown> => {
    const response = await fetchImplementation(`${root}${path}`, init);
    if (!response.ok) {
      throw new NetworkError(`Test server answered ${response.status} to ${path}: ${await response.text()}`, {
        hint: 'Check that the test server is still running.',
      });
    }
    return response.json();
  };
  return {
    async session() {
      const { id } = (await call('/sessions', { method: 'POST' })) as { id: string };
      return {
        id,
        baseURL: `${root}/s/${id}/v1`,
        async enqueue(...responses: ScriptedResponse[]) {
          await call(`/s/${id}/queue`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(responses),
          });
        },
        async requests() {
          return (await call(`/s/${id}/requests`)) as RecordedRequest[];
        },
      };
    },
  };
}
