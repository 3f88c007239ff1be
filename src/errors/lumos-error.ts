import type { ErrorCode } from './codes.js';

const marker = Symbol.for('lumosai.error');

export interface LumosErrorOptions {
  /** What the caller can do about it; appended to the message. */
  hint?: string;
  /** Structured, serialisable details (must survive `structuredClone`). */
  data?: Record<string, unknown>;
  cause?: unknown;
  /** Whether retrying the same call may succeed. */
  retryable?: boolean;
}

/**
 * Base class of every error Lumos throws. `code` is stable; `isInstance` works across realms
 * (workers, iframes, duplicated bundles) because it checks a global symbol, not the prototype.
 */
export class LumosError extends Error {
  readonly [marker] = true;
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly data: Record<string, unknown>;
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options: LumosErrorOptions = {}) {
    super(options.hint ? `${message} ${options.hint}` : message, { cause: options.cause });
    this.name = 'LumosError';
    this.code = code;
    this.hint = options.hint;
    this.data = options.data ?? {};
    this.retryable = options.retryable ?? false;
  }

  static isInstance(error: unknown): error is LumosError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[marker] === true;
  }
}
