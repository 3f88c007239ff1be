export { type ErrorCode, errorCodes, isErrorCode } from './codes.js';
export * from './kinds.js';
export { LumosError, type LumosErrorOptions } from './lumos-error.js';
export { deserializeError, type SerializedError, serializeError } from './serialize.js';
