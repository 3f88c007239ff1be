export { registerErrorTransfer } from './errors-transfer.js';
export { Comlink, exposeCore, isProtocolMessage, wrapCore } from './expose.js';
export { browserWorkerHandle, type WorkerHandle } from './handle.js';
