import type { ErrorCode } from './codes.js';
import { LumosError, type LumosErrorOptions } from './lumos-error.js';

type Options = LumosErrorOptions;

/** Builds the `isInstance` guard of a subclass: same code, any realm. */
function guard<T extends LumosError>(code: ErrorCode) {
  return (error: unknown): error is T => LumosError.isInstance(error) && error.code === code;
}

export class RateLimitError extends LumosError {
  /** Milliseconds the server asked us to wait, when it said so. */
  readonly retryAfterMs: number | undefined;
  constructor(message: string, options: Options & { retryAfterMs?: number } = {}) {
    super('rate_limited', message, { retryable: true, ...options });
    this.name = 'RateLimitError';
    this.retryAfterMs = options.retryAfterMs;
  }
  static override isInstance = guard<RateLimitError>('rate_limited');
}

export class AuthError extends LumosError {
  constructor(message: string, options: Options = {}) {
    super('auth', message, options);
    this.name = 'AuthError';
  }
  static override isInstance = guard<AuthError>('auth');
}

export class BadRequestError extends LumosError {
  constructor(message: string, options: Options = {}) {
    super('bad_request', message, options);
    this.name = 'BadRequestError';
  }
  static override isInstance = guard<BadRequestError>('bad_request');
}

export class TimeoutError extends LumosError {
  constructor(message: string, options: Options = {}) {
    super('timeout', message, { retryable: true, ...options });
    this.name = 'TimeoutError';
  }
  static override isInstance = guard<TimeoutError>('timeout');
}

/** The caller aborted (an `AbortSignal` fired). Named so it does not shadow DOM's `AbortError`. */
export class AbortedError extends LumosError {
  constructor(message = 'The operation was aborted.', options: Options = {}) {
    super('aborted', message, options);
    this.name = 'AbortedError';
  }
  static override isInstance = guard<AbortedError>('aborted');
}

export class NetworkError extends LumosError {
  constructor(message: string, options: Options = {}) {
    super('network', message, { retryable: true, ...options });
    this.name = 'NetworkError';
  }
  static override isInstance = guard<NetworkError>('network');
}

export class ServerError extends LumosError {
  constructor(message: string, options: Options = {}) {
    super('server', message, { retryable: true, ...options });
    this.name = 'ServerError';
  }
  static override isInstance = guard<ServerError>('server');
}

export class InvalidResponseError extends LumosError {
  constructor(message: string, options: Options = {}) {
    super('invalid_response', message, options);
    this.name = 'InvalidResponseError';
  }
  static override isInstance = guard<InvalidResponseError>('invalid_response');
}

export class ContextLengthError extends LumosError {
  constructor(message: string, options: Options = {}) {
    super('context_length', message, options);
    this.name = 'ContextLengthError';
  }
  static override isInstance = guard<ContextLengthError>('context_length');
}

export class InvalidArgumentError extends LumosError {
  constructor(message: string, options: Options = {}) {
    super('invalid_argument', message, options);
    this.name = 'InvalidArgumentError';
  }
  static override isInstance = guard<InvalidArgumentError>('invalid_argument');
}

/** A value failed a schema. `data.issues` lists `{ path, message }`. */
export class ValidationError extends LumosError {
  constructor(message: string, options: Options = {}) {
    super('validation', message, options);
    this.name = 'ValidationError';
  }
  static override isInstance = guard<ValidationError>('validation');
}

/** The model's structured output could not be parsed or validated. `data.text` holds the raw text. */
export class StructuredOutputError extends LumosError {
  constructor(message: string, options: Options = {}) {
    super('structured_output', message, options);
    this.name = 'StructuredOutputError';
  }
  static override isInstance = guard<StructuredOutputError>('structured_output');
}

export class NotFoundError extends LumosError {
  constructor(message: string, options: Options = {}) {
    super('not_found', message, options);
    this.name = 'NotFoundError';
  }
  static override isInstance = guard<NotFoundError>('not_found');
}

export class ConflictError extends LumosError {
  constructor(message: string, options: Options = {}) {
    super('conflict', message, options);
    this.name = 'ConflictError';
  }
  static override isInstance = guard<ConflictError>('conflict');
}

/** A model file is missing, unreachable or corrupt. `data.file` names it. */
export class ModelLoadError extends LumosError {
  constructor(message: string, options: Options = {}) {
    super('model_load', message, options);
    this.name = 'ModelLoadError';
  }
  static override isInstance = guard<ModelLoadError>('model_load');
}

export class WorkerCrashedError extends LumosError {
  constructor(message: string, options: Options = {}) {
    super('worker_crashed', message, { retryable: true, ...options });
    this.name = 'WorkerCrashedError';
  }
  static override isInstance = guard<WorkerCrashedError>('worker_crashed');
}

export class WorkerProtocolError extends LumosError {
  constructor(message: string, options: Options = {}) {
    super('worker_protocol', message, options);
    this.name = 'WorkerProtocolError';
  }
  static override isInstance = guard<WorkerProtocolError>('worker_protocol');
}

export class UnsupportedError extends LumosError {
  constructor(message: string, options: Options = {}) {
    super('unsupported', message, options);
    this.name = 'UnsupportedError';
  }
  static override isInstance = guard<UnsupportedError>('unsupported');
}

export class QuotaExceededError extends LumosError {
  constructor(message: string, options: Options = {}) {
    super('quota_exceeded', message, options);
    this.name = 'QuotaExceededError';
  }
  static override isInstance = guard<QuotaExceededError>('quota_exceeded');
}

/** A schema upgrade waits on another tab that holds an older version of the database open. */
export class StorageBlockedError extends LumosError {
  constructor(message: string, options: Options = {}) {
    super('storage_blocked', message, { retryable: true, ...options });
    this.name = 'StorageBlockedError';
  }
  static override isInstance = guard<StorageBlockedError>('storage_blocked');
}

/** The database was closed or deleted under us (another tab, the user clearing site data). */
export class StorageClosedError extends LumosError {
  constructor(message: string, options: Options = {}) {
    super('storage_closed', message, options);
    this.name = 'StorageClosedError';
  }
  static override isInstance = guard<StorageClosedError>('storage_closed');
}

export class CorruptDataError extends LumosError {
  constructor(message: string, options: Options = {}) {
    super('corrupt_data', message, options);
    this.name = 'CorruptDataError';
  }
  static override isInstance = guard<CorruptDataError>('corrupt_data');
}

export class DecryptionError extends LumosError {
  constructor(message: string, options: Options = {}) {
    super('decryption_failed', message, options);
    this.name = 'DecryptionError';
  }
  static override isInstance = guard<DecryptionError>('decryption_failed');
}

export class ToolExecutionError extends LumosError {
  constructor(message: string, options: Options = {}) {
    super('tool_execution', message, options);
    this.name = 'ToolExecutionError';
  }
  static override isInstance = guard<ToolExecutionError>('tool_execution');
}

export class ApprovalRequiredError extends LumosError {
  constructor(message: string, options: Options = {}) {
    super('approval_required', message, options);
    this.name = 'ApprovalRequiredError';
  }
  static override isInstance = guard<ApprovalRequiredError>('approval_required');
}

export class WorkflowStepError extends LumosError {
  constructor(message: string, options: Options = {}) {
    super('workflow_step', message, options);
    this.name = 'WorkflowStepError';
  }
  static override isInstance = guard<WorkflowStepError>('workflow_step');
}

export class WorkflowStateError extends LumosError {
  constructor(message: string, options: Options = {}) {
    super('workflow_state', message, options);
    this.name = 'WorkflowStateError';
  }
  static override isInstance = guard<WorkflowStateError>('workflow_state');
}

export class EvalJudgeError extends LumosError {
  constructor(message: string, options: Options = {}) {
    super('eval_judge', message, options);
    this.name = 'EvalJudgeError';
  }
  static override isInstance = guard<EvalJudgeError>('eval_judge');
}

export class InternalError extends LumosError {
  constructor(message: string, options: Options = {}) {
    super('internal', message, options);
    this.name = 'InternalError';
  }
  static override isInstance = guard<InternalError>('internal');
}
