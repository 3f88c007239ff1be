export { InMemoryStorage } from './in-memory-storage.js';
export { defaultPageLimit } from './paging.js';
export type * from './types.js';
