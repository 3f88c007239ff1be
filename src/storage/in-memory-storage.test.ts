import { InMemoryStorage } from './index.js';
import { describePortsContract } from './testing/ports-contract.js';

describePortsContract('InMemoryStorage', async () => new InMemoryStorage());
