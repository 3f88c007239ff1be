export { connectTestServer } from './client.js';
export { exampleFromSchema } from './completion.js';
export { hashEmbedding } from './embeddings.js';
export * from './protocol.js';
export {
  createScriptedChatModel,
  type ScriptedChatModel,
  type ScriptedChatModelOptions,
  type ScriptedTurn,
} from './scripted-chat-model.js';
export {
  type OpenAITestServer,
  type OpenAITestServerOptions,
  startOpenAITestServer,
  testEmbeddingDimension,
  testModels,
} from './server.js';
