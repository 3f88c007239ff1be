import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  OpenAIError,
} from 'openai';
import {
  AuthError,
  BadRequestError,
  ContextLengthError,
  InvalidResponseError,
  LumosError,
  NetworkError,
  RateLimitError,
  ServerError,
  TimeoutError,
} from '../errors/index.js';
import { redactString } from '../telemetry/redact.js';
import type { CallScope } from './call-scope.js';

/** Who was being called, for messages that say where to look. */
export interface CallContext {
  provider: string;
  modelId: string;
  /** True once part of a streamed answer arrived: failures then cannot be retried. */
  streaming?: boolean;
  /** Credentials of this endpoint; masked wherever a provider repeats them in an error. */
  secrets?: readonly string[];
}

const contextLengthPattern =
  /context[_ ]length|maximum context|context window|too many tokens|prompt is too long|token limit|reduce the length/i;

/**
 * Reads `retry-after-ms` (milliseconds) or `Retry-After` (seconds or an HTTP date).
 * Returns `undefined` when the server did not say.
 */
export function retryAfterMs(headers: Headers | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  const milliseconds = Number.parseFloat(headers.get('retry-after-ms') ?? '');
  if (Number.isFinite(milliseconds) && milliseconds >= 0) return milliseconds;
  const value = headers.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * Maps anything a model call throws (SDK errors, fetch failures, JSON parse errors, aborts) to
 * one of Lumos's typed errors with a message that says what to do.
 */
export function toLumosError(error: unknown, context: CallContext, scope: CallScope): LumosError {
  return scrubSecrets(mapError(error, context, scope), context.secrets ?? []);
}

/**
 * Providers sometimes echo the key in their error text ("Incorrect API key provided: sk-…").
 * Errors get logged, traced and stored, so the key is masked in the message and in the cause.
 */
function scrubSecrets(error: LumosError, secrets: readonly string[]): LumosError {
  const scrub = (text: string) => {
    let out = text;
    for (const secret of secrets) if (secret.length >= 8) out = out.split(secret).join('[REDACTED]');
    return redactString(out);
  };
  const message = scrub(error.message);
  if (message !== error.message) Object.defineProperty(error, 'message', { value: message });
  if (error.stack) error.stack = scrub(error.stack);
  const cause = error.cause;
  if (cause instanceof Error) {
    const safe = new Error(scrub(cause.message));
    safe.name = cause.name;
    Object.defineProperty(error, 'cause', { value: safe });
  }
  return error;
}

function mapError(error: unknown, context: CallContext, scope: CallScope): LumosError {
  const cancelled = scope.cancellation();
  if (cancelled) return cancelled;
  if (LumosError.isInstance(error)) return error;
  const where = `${context.provider} (model "${context.modelId}")`;
  const base = {
    cause: error,
    data: { provider: context.provider, modelId: context.modelId } as Record<string, unknown>,
  };
  if (error instanceof APIUserAbortError)
    return scope.cancellation() ?? new NetworkError(`The request to ${where} was cut off.`, base);
  if (error instanceof APIConnectionTimeoutError) {
    return new TimeoutError(`The connection to ${where} timed out.`, {
      ...base,
      hint: 'Check that the endpoint is reachable, or raise `timeoutMs`.',
    });
  }
  if (error instanceof APIConnectionError) {
    return connectionFailure(error, where, context, base);
  }
  if (error instanceof APIError) return statusError(error, where, base);
  if (error instanceof SyntaxError) {
    return new InvalidResponseError(`${where} sent a response that is not valid JSON: ${error.message}.`, {
      ...base,
      hint: 'The endpoint may not be OpenAI-compatible, or a proxy altered the response; check `baseURL`.',
    });
  }
  if (error instanceof TypeError || (error instanceof Error && error.name === 'AbortError')) {
    return connectionFailure(error, where, context, base);
  }
  if (error instanceof OpenAIError) {
    return new InvalidResponseError(`${where}: ${error.message}`, base);
  }
  return new InvalidResponseError(`${where} failed unexpectedly: ${String(error)}`, base);
}

function connectionFailure(
  error: Error,
  where: string,
  context: CallContext,
  base: { cause: unknown; data: Record<string, unknown> },
): LumosError {
  const detail = describeCause(error);
  if (context.streaming) {
    return new InvalidResponseError(`The streamed answer from ${where} was cut off mid-way (${detail}).`, {
      ...base,
      hint: 'Partial output was already delivered, so the call is not retried; call again to get a full answer.',
    });
  }
  return new NetworkError(`Could not reach ${where} (${detail}).`, {
    ...base,
    hint: 'Check `baseURL`, the network, and (in a browser) that the endpoint allows CORS from this origin.',
  });
}

function describeCause(error: Error): string {
  const cause = (error as { cause?: unknown }).cause;
  const inner = cause instanceof Error ? `: ${cause.message}` : '';
  return `${error.message}${inner}`;
}

function statusError(
  error: APIError,
  where: string,
  base: { cause: unknown; data: Record<string, unknown> },
) {
  const status = error.status;
  const body = (error.error ?? undefined) as { message?: string; code?: string; type?: string } | undefined;
  const detail = body?.message ?? error.message;
  const code = body?.code ?? body?.type;
  const waitMs = retryAfterMs(error.headers);
  const data = {
    ...base.data,
    status,
    ...(code ? { providerCode: code } : {}),
    ...(error.requestID ? { requestId: error.requestID } : {}),
    ...(waitMs !== undefined ? { retryAfterMs: waitMs } : {}),
  };
  const options = { cause: base.cause, data };
  if (status === undefined) {
    return new ServerError(`${where} reported an error in its stream: ${detail}`, {
      ...options,
      retryable: false,
    });
  }
  if (status === 401 || status === 403) {
    return new AuthError(`${where} rejected the credentials (${status}): ${detail}`, {
      ...options,
      hint: 'Check the API key (and, for Azure, the `api-key` and deployment) and that it may use this model.',
    });
  }
  if (status === 429) {
    const quota = code === 'insufficient_quota';
    return new RateLimitError(`${where} is rate limiting this client (429): ${detail}`, {
      ...options,
      ...(waitMs !== undefined ? { retryAfterMs: waitMs } : {}),
      retryable: !quota,
      hint: quota
        ? 'The account is out of quota: add credits or use another key; retrying will not help.'
        : 'Calls are retried with backoff; lower the request rate or raise `maxRetries` if this persists.',
    });
  }
  if (status === 408) {
    return new TimeoutError(`${where} timed out the request (408): ${detail}`, options);
  }
  if (status === 409 || status >= 500) {
    return new ServerError(`${where} failed with ${status}: ${detail}`, {
      ...options,
      hint: 'This is usually transient and is retried; if it persists, check the provider status.',
    });
  }
  if (contextLengthPattern.test(`${detail} ${code ?? ''}`)) {
    return new ContextLengthError(`The request is longer than ${where} accepts: ${detail}`, {
      ...options,
      hint: 'Send fewer or shorter messages (e.g. lower memory `lastMessages`), or lower `maxTokens`.',
    });
  }
  return new BadRequestError(`${where} rejected the request (${status}): ${detail}`, {
    ...options,
    hint:
      status === 404
        ? 'Check the model id and `baseURL` (it usually ends in `/v1`).'
        : 'Check the request options against what this provider supports (see its capabilities).',
  });
}
