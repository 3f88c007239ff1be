/** Replaces secrets found in a recorded value. */
export const redactedMarker = '[REDACTED]';

// Key names whose values are credentials, compared after lower-casing and dropping `-`/`_`.
const secretKeys = new Set([
  'apikey',
  'xapikey',
  'authorization',
  'proxyauthorization',
  'cookie',
  'setcookie',
  'password',
  'secret',
  'clientsecret',
  'accesstoken',
  'refreshtoken',
  'idtoken',
  'token',
  'bearer',
  'privatekey',
  'xgoogapikey',
  'ocpapimsubscriptionkey',
]);

const secretPatterns: [RegExp, string][] = [
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/g, `$1 ${redactedMarker}`],
  // OpenAI-style keys: sk-…, sk-proj-…, sk-ant-… and friends.
  [/\bsk-[A-Za-z0-9_-]{8,}/g, `sk-${redactedMarker}`],
  [/\b(api[-_]?key|access[-_]?token|token)=([^&\s"']{4,})/gi, `$1=${redactedMarker}`],
];

// Attribute keys repeat on every span; remember the verdict instead of normalising each time.
const keyVerdicts = new Map<string, boolean>();

/** True when a key names a credential (`apiKey`, `Authorization`, `x-api-key`, `api_key`, …). */
export function isSecretKey(key: string): boolean {
  let verdict = keyVerdicts.get(key);
  if (verdict === undefined) {
    verdict = secretKeys.has(key.toLowerCase().replace(/[-_\s]/g, ''));
    if (keyVerdicts.size < 10_000) keyVerdicts.set(key, verdict);
  }
  return verdict;
}

// One cheap scan decides whether the three replacements can match at all.
const mightHoldSecret = /sk-|bearer|basic|key=|token=/i;
// Whether JSON text may hold a secret value or name a credential key, in one scan: the values
// `mightHoldSecret` flags, and any quoted key that `isSecretKey` could accept. Keys are compared
// with `-`, `_` and whitespace removed, so `pass_word` and `to-ken` are credentials too: the
// last word of every `secretKeys` entry is matched with optional separators between its letters
// (a superset of the set's spellings). Text it flags goes through the exact redacting pass, so a
// wider net only costs speed.
const separated = (word: string) => word.split('').join('[-_\\s]*');
const mightRedactJson = new RegExp(
  `sk-|bearer|basic|(?:${['key', 'token'].map(separated).join('|')})[="]|(?:${[
    'authorization',
    'cookie',
    'password',
    'secret',
    'bearer',
  ]
    .map(separated)
    .join('|')})"`,
  'i',
);

/** Masks bearer tokens, `sk-…` keys and `api_key=` query parameters inside a string. */
export function redactString(value: string): string {
  // The shortest text any pattern masks is 10 characters (`token=` and four more); most attribute
  // values (`chat`, `openai`, `stop`) are shorter and skip the scan.
  if (value.length < 10 || !mightHoldSecret.test(value)) return value;
  let out = value;
  for (const [pattern, replacement] of secretPatterns) out = out.replace(pattern, replacement);
  return out;
}

/**
 * The built-in redactor, always applied to everything a span records: values under credential
 * keys become `[REDACTED]` and secret-looking substrings are masked, at any depth. Returns a
 * copy; the input is not modified. Cycles are cut (`[Circular]`), depth is capped at 12.
 */
export function redactSecrets<T>(value: T): T {
  if (typeof value === 'string') return redactString(value) as T;
  if (typeof value !== 'object' || value === null) return value;
  return walk(value, []) as T;
}

// `ancestors` holds the objects on the current path (at most 12): cycle detection without a
// WeakSet per call, which showed up as GC pressure on the span hot path.
function walk(value: unknown, ancestors: object[]): unknown {
  if (typeof value === 'string') return redactString(value);
  if (typeof value !== 'object' || value === null) return value;
  if (ArrayBuffer.isView(value) || value instanceof Date) return value;
  if (ancestors.includes(value)) return '[Circular]';
  if (ancestors.length >= 12) return '[Truncated]';
  ancestors.push(value);
  try {
    if (Array.isArray(value)) return value.map((item) => walk(item, ancestors));
    if (value instanceof Error) return { name: value.name, message: redactString(value.message) };
    const out: Record<string, unknown> = {};
    for (const key in value) {
      if (!Object.hasOwn(value, key)) continue;
      out[key] = isSecretKey(key) ? redactedMarker : walk((value as Record<string, unknown>)[key], ancestors);
    }
    return out;
  } finally {
    ancestors.pop();
  }
}

function redactingReplacer(key: string, value: unknown): unknown {
  if (key !== '' && isSecretKey(key)) return redactedMarker;
  if (typeof value === 'string') return redactString(value);
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/**
 * A value as redacted JSON text in one pass (no intermediate copy): what spans record as their
 * input/output. Strings are kept as they are (redacted); values JSON cannot hold (cycles) go
 * through `redactSecrets` first.
 */
export function toRedactedJson(value: unknown): string {
  if (typeof value === 'string') return redactString(value);
  try {
    // Fast path: plain native stringify, kept when the text cannot contain a secret value or a
    // credential key; otherwise the exact (slower) replacer pass decides.
    const plain = JSON.stringify(value);
    if (plain === undefined) return String(value);
    if (!mightRedactJson.test(plain)) return plain;
    return JSON.stringify(value, redactingReplacer) ?? String(value);
  } catch {
    return JSON.stringify(redactSecrets(value), redactingReplacer) ?? String(value);
  }
}
