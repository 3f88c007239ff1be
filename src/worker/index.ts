export { registerErrorTransfer } from './errors-transfer.js';
export { Comlink, exposeCore, isProtocolMessage, wrapCore } from './expose.js';
export { browserWorkerHandle, inProcessWorkerHandle, type WorkerHandle } from './handle.js';
