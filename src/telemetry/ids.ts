const hex = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

/** Random lowercase hex of `bytes` bytes from WebCrypto (read lazily: present in browsers, workers, Node ≥ 19). */
export function randomHex(bytes: number): string {
  const buffer = new Uint8Array(bytes);
  globalThis.crypto.getRandomValues(buffer);
  let out = '';
  for (const byte of buffer) out += hex[byte];
  // An all-zero id is invalid in OTLP/W3C; the odds are 2^-64 but the fix costs nothing.
  return /^0+$/.test(out) ? randomHex(bytes) : out;
}

/** A W3C/OTLP trace id: 16 random bytes as 32 hex characters. */
export function newTraceId(): string {
  return randomHex(16);
}

/** A W3C/OTLP span id: 8 random bytes as 16 hex characters. */
export function newSpanId(): string {
  return randomHex(8);
}

/**
 * Epoch milliseconds with sub-millisecond precision where the platform has it
 * (`performance.timeOrigin + performance.now()`), `Date.now()` otherwise.
 */
export function preciseNow(): number {
  const perf = globalThis.performance;
  return perf && typeof perf.timeOrigin === 'number' ? perf.timeOrigin + perf.now() : Date.now();
}
