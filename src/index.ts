export * from './errors/index.js';
export * from './llm/index.js';
