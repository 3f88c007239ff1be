import { InMemoryStorage } from './index.js';
import { describeStorageContract } from './testing/storage-contract.js';

describeStorageContract('InMemoryStorage', async () => new InMemoryStorage());
