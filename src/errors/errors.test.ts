import { describe, expect, it } from 'vitest';
import {
  deserializeError,
  errorCodes,
  LumosError,
  ModelLoadError,
  RateLimitError,
  serializeError,
  ValidationError,
} from './index.js';

describe('errors', () => {
  it('carries a stable code, hint and data', () => {
    const error = new ModelLoadError('model.onnx is missing.', {
      hint: 'Run scripts/fetch-model.',
      data: { file: 'model.onnx' },
    });
    expect(error.code).toBe('model_load');
    expect(error.message).toBe('model.onnx is missing. Run scripts/fetch-model.');
    expect(error.data.file).toBe('model.onnx');
    expect(error).toBeInstanceOf(LumosError);
    expect(ModelLoadError.isInstance(error)).toBe(true);
    expect(RateLimitError.isInstance(error)).toBe(false);
  });

  it('survives structured cloning as its own class', () => {
    const original = new RateLimitError('Too many requests.', { retryAfterMs: 1000, data: { status: 429 } });
    const copy = deserializeError(structuredClone(serializeError(original)));
    expect(copy).toBeInstanceOf(RateLimitError);
    expect(copy.code).toBe('rate_limited');
    expect(copy.message).toBe('Too many requests.');
    expect(copy.retryable).toBe(true);
    expect(copy.data).toEqual({ status: 429 });
  });

  it('maps unknown errors to internal and DOM aborts to aborted', () => {
    expect(serializeError(new TypeError('boom')).code).toBe('internal');
    expect(serializeError(new DOMException('stop', 'AbortError')).code).toBe('aborted');
    expect(
      deserializeError({ name: 'X', code: 'nonsense', message: 'm', data: {}, retryable: false }).code,
    ).toBe('internal');
  });

  it('has a class for every code', () => {
    for (const code of errorCodes) {
      const rebuilt = deserializeError({ name: '', code, message: 'x', data: {}, retryable: false });
      expect(rebuilt.code).toBe(code);
      expect(rebuilt.constructor).not.toBe(LumosError);
    }
    expect(ValidationError.isInstance(new ValidationError('bad'))).toBe(true);
  });
});
