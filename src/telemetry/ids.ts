const hex = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

// Ids come from a pool refilled 4 KiB at a time: one getRandomValues call per ~340 spans instead
// of two per span (in Node each call costs microseconds of validation; measured in bench/telemetry).
const pool = new Uint8Array(4096);
let poolOffset = pool.length;

/** Random lowercase hex of `bytes` bytes from WebCrypto (read lazily: present in browsers, workers, Node ≥ 19). */
export function randomHex(bytes: number): string {
  if (poolOffset + bytes > pool.length) {
    globalThis.crypto.getRandomValues(pool);
    poolOffset = 0;
  }
  let out = '';
  let any = 0;
  const end = poolOffset + bytes;
  for (let index = poolOffset; index < end; index++) {
    const byte = pool[index]!;
    any |= byte;
    out += hex[byte];
  }
  poolOffset = end;
  // An all-zero id is invalid in OTLP/W3C; the odds are 2^-64 but the fix costs nothing.
  return any === 0 && bytes > 0 ? randomHex(bytes) : out;
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
