const hexCodes = Array.from({ length: 16 }, (_, digit) => '0123456789abcdef'.charCodeAt(digit));

// Ids come from a pool refilled 4 KiB at a time: one getRandomValues call per ~340 spans instead
// of two per span (in Node each call costs microseconds of validation; measured in bench/telemetry).
const pool = new Uint8Array(4096);
let poolOffset = pool.length;

/** Char-code arrays by id size, reused: an id is one flat string from one `fromCharCode` call. */
const codeArrays: number[][] = [];

/** Random lowercase hex of `bytes` bytes from WebCrypto (read lazily: present in browsers, workers, Node ≥ 19). */
export function randomHex(bytes: number): string {
  if (poolOffset + bytes > pool.length) {
    globalThis.crypto.getRandomValues(pool);
    poolOffset = 0;
  }
  // Not `out += hex` per byte: that builds a chain of rope nodes the span keeps until something
  // flattens it (the exporter, a Map lookup), twice the memory of the flat string.
  let codes = codeArrays[bytes];
  if (codes === undefined) {
    codes = new Array<number>(bytes * 2).fill(0);
    codeArrays[bytes] = codes;
  }
  let any = 0;
  for (let index = 0; index < bytes; index++) {
    const byte = pool[poolOffset + index]!;
    any |= byte;
    codes[2 * index] = hexCodes[byte >> 4]!;
    codes[2 * index + 1] = hexCodes[byte & 15]!;
  }
  poolOffset += bytes;
  // An all-zero id is invalid in OTLP/W3C; the odds are 2^-64 but the fix costs nothing.
  if (any === 0 && bytes > 0) return randomHex(bytes);
  return String.fromCharCode.apply(null, codes);
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
