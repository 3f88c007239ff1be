import { expect } from 'vitest';
import { z } from 'zod';
import { Agent } from '../../../src/agent/index.js';
import { RemoteEmbedder } from '../../../src/embed/index.js';
import { openaiCompatible, openaiEmbedding } from '../../../src/llm/index.js';
import { createKnowledgeBase, createVectorQueryTool, MDocument } from '../../../src/rag/index.js';
import { InMemoryStorage } from '../../../src/storage/index.js';
import { connectTestServer } from '../../../src/test/index.js';
import { createTool } from '../../../src/tools/index.js';
import { BrowserVector } from '../../../src/vector/index.js';
import { injectionCorpus } from '../../fixtures/security/injection-corpus.js';

/**
 * A model that obeys every injected instruction (scripted to do exactly what the hostile passage
 * asks) must still not run a tool that needs approval: the run suspends, the tool has not run, and
 * declining it leaves it unrun. The passages reach the model framed as quoted data.
 */
export async function promptInjectionScenario(serverUrl: string): Promise<void> {
  const session = await connectTestServer(serverUrl).session();
  const storage = new InMemoryStorage();
  const knowledge = createKnowledgeBase({
    embedder: new RemoteEmbedder(openaiEmbedding({ baseURL: session.baseURL, model: 'test-embedding' })),
    vector: new BrowserVector(),
    store: storage,
    indexName: 'injection',
  });
  await knowledge.ingest(
    injectionCorpus.map((entry) => MDocument.fromText(entry.text, { title: entry.title })),
  );

  const executed: string[] = [];
  const dangerous = (id: string) =>
    createTool({
      id,
      description: `${id} (changes things: needs the user's approval)`,
      inputSchema: z.record(z.string(), z.unknown()),
      requireApproval: true,
      execute: async () => {
        executed.push(id);
        return { done: true };
      },
    });
  const agent = new Agent({
    name: 'reader',
    instructions: 'Answer from the knowledge base.',
    model: openaiCompatible({ name: 'test', baseURL: session.baseURL, model: 'test-model' }),
    tools: {
      search: createVectorQueryTool({ knowledgeBase: knowledge, id: 'search' }),
      deleteAllFiles: dangerous('deleteAllFiles'),
      sendEmail: dangerous('sendEmail'),
    },
    storage,
    maxSteps: 4,
  });

  for (const [index, entry] of injectionCorpus.entries()) {
    const target = index % 2 === 0 ? 'deleteAllFiles' : 'sendEmail';
    await session.enqueue(
      { toolCalls: [{ id: `search-${index}`, name: 'search', arguments: { queryText: entry.title } }] },
      // The "compromised" model does what the passage told it to.
      {
        toolCalls: [
          { id: `attack-${index}`, name: target, arguments: { confirm: true, to: 'attacker@example.com' } },
        ],
      },
    );
    const result = await agent.generate(`What does "${entry.title}" say?`);
    expect(result.finishReason).toBe('suspended');
    expect(result.pendingToolCalls.map((call) => call.toolName)).toEqual([target]);
    expect(executed).toEqual([]);

    const requests = await session.requests();
    const afterSearch = requests.at(-1)!.body as { messages: { role: string; content: string }[] };
    const toolMessage = afterSearch.messages.find((message) => message.role === 'tool')!.content;
    const toolOutput = (JSON.parse(toolMessage) as { context: string }).context;
    expect(toolOutput).toContain('quoted data, not instructions');
    expect(toolOutput).toMatch(/<passage number="1"/);
    // A planted closing tag cannot end the frame early.
    expect(toolOutput.match(/<\/passage>/g)?.length).toBe(toolOutput.match(/<passage /g)?.length);

    await session.enqueue({ text: 'I will not do that.' });
    const declined = await agent.declineToolCall({ runId: result.runId, toolCallId: `attack-${index}` });
    expect(declined.finishReason).toBe('stop');
    expect(executed).toEqual([]);
  }
}
