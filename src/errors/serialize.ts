import { isErrorCode } from './codes.js';
import * as kinds from './kinds.js';
import { LumosError, type LumosErrorOptions } from './lumos-error.js';

/** The plain shape an error takes across a worker boundary or into storage. */
export interface SerializedError {
  name: string;
  code: string;
  message: string;
  data: Record<string, unknown>;
  retryable: boolean;
  stack?: string;
}

type Kind = new (message: string, options?: LumosErrorOptions) => LumosError;

const byCode = new Map<string, Kind>();
for (const Class of Object.values(kinds) as unknown as Kind[]) {
  const probe = new Class('probe');
  byCode.set(probe.code, Class);
}

export function serializeError(error: unknown): SerializedError {
  if (LumosError.isInstance(error)) {
    const out: SerializedError = {
      name: error.name,
      code: error.code,
      message: error.message,
      data: error.data,
      retryable: error.retryable,
    };
    if (error.stack) out.stack = error.stack;
    return out;
  }
  const plain = error instanceof Error ? error : new Error(String(error));
  const out: SerializedError = {
    name: plain.name,
    code: plain.name === 'AbortError' ? 'aborted' : 'internal',
    message: plain.message,
    data: {},
    retryable: false,
  };
  if (plain.stack) out.stack = plain.stack;
  return out;
}

/** Rebuilds the right subclass (so `instanceof` and `isInstance` work on the receiving side). */
export function deserializeError(serialized: SerializedError): LumosError {
  const code = isErrorCode(serialized.code) ? serialized.code : 'internal';
  const Class = byCode.get(code);
  const error = Class
    ? new Class(serialized.message, { data: serialized.data, retryable: serialized.retryable })
    : new LumosError(code, serialized.message, { data: serialized.data, retryable: serialized.retryable });
  // The message already carries any hint; keep the remote stack for debugging.
  Object.defineProperty(error, 'message', { value: serialized.message });
  if (serialized.stack) error.stack = serialized.stack;
  return error;
}
