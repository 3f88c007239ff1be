// The embedding worker: the core from src/embed, exposed over comlink. Nothing else lives here.
import { createEmbedCore } from '../src/embed/core.js';
import { exposeCore } from '../src/worker/index.js';

exposeCore(createEmbedCore());
