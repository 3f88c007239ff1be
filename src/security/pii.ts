import type { ChatMessage, ChatModel, ChatRequest, ChatResult, ChatStreamEvent } from '../llm/types.js';

export type PiiKind = 'email' | 'phone' | 'card' | 'iban' | 'api_key' | 'ip' | (string & {});

export interface PiiPattern {
  kind: PiiKind;
  pattern: RegExp;
  /** Extra check on a match (a checksum, say); a match it rejects is left alone. */
  validate?: (match: string) => boolean;
}

export interface PiiMatch {
  kind: PiiKind;
  start: number;
  end: number;
  text: string;
}

export interface RedactionResult {
  text: string;
  /** Placeholder → original value, to restore an answer. */
  mapping: Map<string, string>;
}

const luhn = (digits: string) => {
  const numbers = digits.replace(/\D/g, '');
  if (numbers.length < 13 || numbers.length > 19) return false;
  let sum = 0;
  for (let index = 0; index < numbers.length; index++) {
    let digit = Number(numbers[numbers.length - 1 - index]);
    if (index % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
};

const ibanValid = (value: string) => {
  const iban = value.replace(/\s/g, '').toUpperCase();
  if (iban.length < 15 || iban.length > 34) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const character of rearranged) {
    const code = character >= 'A' ? String(character.charCodeAt(0) - 55) : character;
    for (const digit of code) remainder = (remainder * 10 + Number(digit)) % 97;
  }
  return remainder === 1;
};

const datePattern = /^(?:\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4})$/;

const phoneValid = (value: string) => {
  const digits = value.replace(/\D/g, '');
  return digits.length >= 8 && digits.length <= 15 && !/^(\d)\1+$/.test(digits) && !datePattern.test(value);
};

/**
 * The built-in detectors, most specific first. Cards and IBANs are checksum-validated, which is
 * what keeps order numbers and dates from being redacted.
 */
export const defaultPiiPatterns: PiiPattern[] = [
  {
    kind: 'api_key',
    pattern:
      /\b(?:sk-(?:proj-|ant-)?[A-Za-z0-9_-]{16,}|AKIA[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{30,}|xox[abpr]-[A-Za-z0-9-]{10,}|AIza[0-9A-Za-z_-]{35}|hf_[A-Za-z0-9]{30,}|glpat-[A-Za-z0-9_-]{20,})\b|\bBearer\s+[A-Za-z0-9._~+/-]{20,}=*/g,
  },
  { kind: 'email', pattern: /\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b/g },
  {
    kind: 'iban',
    pattern: /\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,4})?\b/g,
    validate: ibanValid,
  },
  { kind: 'card', pattern: /\b\d(?:[ -]?\d){12,18}\b/g, validate: luhn },
  {
    kind: 'ip',
    pattern: /\b(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\b/g,
  },
  {
    kind: 'phone',
    pattern:
      /(?<![\w.])(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,4}\)[ .-]?)?\d{1,4}(?:[ .-]\d{2,4}){1,5}\b|\+\d{8,15}\b/g,
    validate: phoneValid,
  },
];

/** Finds PII in text; overlapping matches resolve to the earliest, then longest, then first-listed kind. */
export function detectPii(text: string, patterns: PiiPattern[] = defaultPiiPatterns): PiiMatch[] {
  const found: (PiiMatch & { rank: number })[] = [];
  patterns.forEach(({ kind, pattern, validate }, rank) => {
    const global = pattern.global ? pattern : new RegExp(pattern.source, `${pattern.flags}g`);
    for (const match of text.matchAll(global)) {
      const value = match[0];
      if (!value.trim() || (validate && !validate(value))) continue;
      found.push({ kind, start: match.index, end: match.index + value.length, text: value, rank });
    }
  });
  found.sort((a, b) => a.start - b.start || a.rank - b.rank || b.end - a.end);
  const kept: PiiMatch[] = [];
  let cursor = -1;
  for (const { rank: _rank, ...match } of found) {
    if (match.start < cursor) continue;
    kept.push(match);
    cursor = match.end;
  }
  return kept;
}

export interface PiiRedactorOptions {
  /** Extra patterns (e.g. employee ids); checked before the built-ins. */
  patterns?: PiiPattern[];
  /** Replace the built-in detectors entirely. @default false */
  replaceDefaults?: boolean;
}

/**
 * Replaces PII with numbered placeholders (`[EMAIL_1]`), the same value always getting the same
 * placeholder, so the model can still refer to it; `restore` puts the originals back.
 */
export function createPiiRedactor(options: PiiRedactorOptions = {}) {
  const patterns = [...(options.patterns ?? []), ...(options.replaceDefaults ? [] : defaultPiiPatterns)];
  return {
    detect: (text: string) => detectPii(text, patterns),
    redact(text: string, mapping: Map<string, string> = new Map()): RedactionResult {
      const byValue = new Map([...mapping].map(([placeholder, value]) => [value, placeholder]));
      let output = '';
      let last = 0;
      for (const match of detectPii(text, patterns)) {
        let placeholder = byValue.get(match.text);
        if (!placeholder) {
          const prefix = `[${match.kind.toUpperCase()}_`;
          const count = [...mapping.keys()].filter((key) => key.startsWith(prefix)).length;
          placeholder = `${prefix}${count + 1}]`;
          mapping.set(placeholder, match.text);
          byValue.set(match.text, placeholder);
        }
        output += text.slice(last, match.start) + placeholder;
        last = match.end;
      }
      return { text: output + text.slice(last), mapping };
    },
    restore(text: string, mapping: Map<string, string>): string {
      return text.replace(/\[[A-Z_]+_\d+\]/g, (placeholder) => mapping.get(placeholder) ?? placeholder);
    },
  };
}

export type PiiRedactor = ReturnType<typeof createPiiRedactor>;

/**
 * Wraps a `ChatModel` so that PII never leaves the device: message text is redacted before the
 * request is sent and placeholders in the answer (text and tool-call arguments) are restored.
 * Streamed text is held back only while a placeholder may be incomplete.
 */
export function withPiiRedaction(model: ChatModel, redactor: PiiRedactor = createPiiRedactor()): ChatModel {
  const prepare = (request: ChatRequest) => {
    const mapping = new Map<string, string>();
    const messages = request.messages.map((message) => redactMessage(message, redactor, mapping));
    return { request: { ...request, messages }, mapping };
  };
  const restoreResult = (result: ChatResult, mapping: Map<string, string>): ChatResult => ({
    ...result,
    text: redactor.restore(result.text, mapping),
    toolCalls: result.toolCalls.map((call) => ({
      ...call,
      arguments: redactor.restore(call.arguments, mapping),
    })),
  });
  return {
    provider: model.provider,
    modelId: model.modelId,
    capabilities: model.capabilities,
    async generate(request) {
      const prepared = prepare(request);
      return restoreResult(await model.generate(prepared.request), prepared.mapping);
    },
    async *stream(request): AsyncIterable<ChatStreamEvent> {
      const { request: redacted, mapping } = prepare(request);
      let pending = '';
      for await (const event of model.stream(redacted)) {
        if (event.type === 'text-delta') {
          pending += event.delta;
          const open = pending.lastIndexOf('[');
          const holdFrom = open >= 0 && /^\[[A-Z_0-9]*$/.test(pending.slice(open)) ? open : pending.length;
          const ready = pending.slice(0, holdFrom);
          pending = pending.slice(holdFrom);
          if (ready) yield { type: 'text-delta', delta: redactor.restore(ready, mapping) };
        } else if (event.type === 'tool-call') {
          yield {
            type: 'tool-call',
            toolCall: { ...event.toolCall, arguments: redactor.restore(event.toolCall.arguments, mapping) },
          };
        } else if (event.type === 'finish') {
          if (pending) yield { type: 'text-delta', delta: redactor.restore(pending, mapping) };
          pending = '';
          yield { type: 'finish', result: restoreResult(event.result, mapping) };
        } else {
          yield event;
        }
      }
    },
  };
}

function redactMessage(
  message: ChatMessage,
  redactor: PiiRedactor,
  mapping: Map<string, string>,
): ChatMessage {
  const redact = (text: string) => redactor.redact(text, mapping).text;
  switch (message.role) {
    case 'user':
      return {
        ...message,
        content:
          typeof message.content === 'string'
            ? redact(message.content)
            : message.content.map((part) =>
                part.type === 'text' ? { ...part, text: redact(part.text) } : part,
              ),
      };
    case 'assistant': {
      const out: ChatMessage = { ...message, content: redact(message.content) };
      if (message.toolCalls) {
        out.toolCalls = message.toolCalls.map((call) => ({ ...call, arguments: redact(call.arguments) }));
      }
      return out;
    }
    default:
      return { ...message, content: redact(message.content) };
  }
}
