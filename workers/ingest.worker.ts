// The ingest worker: parses (pdf.js included) and chunks documents for a knowledge base.
import { createPrepareCore } from '../src/rag/prepare.js';
import { exposeCore } from '../src/worker/index.js';

exposeCore(createPrepareCore());
