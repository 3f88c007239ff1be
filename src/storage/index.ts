export { InMemoryStorage } from './in-memory-storage.js';
export { type Migration, migrations, schemaVersion } from './indexeddb-schema.js';
export { IndexedDBStorage, type IndexedDBStorageOptions } from './indexeddb-storage.js';
export { defaultPageLimit } from './paging.js';
export type * from './types.js';
