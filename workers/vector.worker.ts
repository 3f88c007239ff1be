// The vector worker: the core from src/vector, exposed over comlink. Nothing else lives here.
import { VectorCore } from '../src/vector/vector-core.js';
import { exposeCore } from '../src/worker/index.js';

exposeCore(new VectorCore());
