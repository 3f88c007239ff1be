/**
 * Every stable error code Lumos throws. A code never changes meaning once released;
 * match on `error.code` (or `XError.isInstance(error)`) rather than on messages.
 */
export const errorCodes = [
  // LLM / HTTP
  'rate_limited',
  'auth',
  'bad_request',
  'timeout',
  'aborted',
  'network',
  'server',
  'invalid_response',
  'context_length',
  // input and schema validation
  'invalid_argument',
  'validation',
  'structured_output',
  'not_found',
  'conflict',
  // models and workers
  'model_load',
  'worker_crashed',
  'worker_protocol',
  'unsupported',
  // storage
  'quota_exceeded',
  'storage_blocked',
  'storage_closed',
  'corrupt_data',
  'decryption_failed',
  // orchestration
  'tool_execution',
  'approval_required',
  'workflow_step',
  'workflow_state',
  'eval_judge',
  'internal',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (errorCodes as readonly string[]).includes(value);
}
