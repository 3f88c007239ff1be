import type { ChatMessage, ResponseFormat } from './types.js';

/**
 * The instruction that replaces `response_format: json_schema` on endpoints without it: the
 * schema goes into a system message and the answer is parsed out of the text.
 */
export function schemaInstruction(format: Extract<ResponseFormat, { type: 'json_schema' }>): ChatMessage {
  const about = format.description ? ` (${format.description})` : '';
  return {
    role: 'system',
    content:
      `Answer with a single JSON value named "${format.name}"${about} that validates against this JSON Schema. ` +
      'Output only the JSON: no prose, no Markdown code fences.\n' +
      JSON.stringify(format.schema),
  };
}

/**
 * Finds the JSON value in a model's answer: the whole text, a fenced ```json block, or the first
 * balanced `{…}` / `[…]` that parses. Returns the JSON text, or `undefined` if there is none.
 */
export function extractJsonText(text: string): string | undefined {
  const trimmed = text.trim();
  if (parses(trimmed)) return trimmed;
  for (const match of trimmed.matchAll(/```(?:json|JSON)?\s*\n?([\s\S]*?)```/g)) {
    const inner = match[1]!.trim();
    if (parses(inner)) return inner;
  }
  for (let start = 0; start < trimmed.length; start++) {
    const open = trimmed[start];
    if (open !== '{' && open !== '[') continue;
    const end = balancedEnd(trimmed, start);
    if (end === -1) continue;
    const candidate = trimmed.slice(start, end + 1);
    if (parses(candidate)) return candidate;
  }
  return undefined;
}

function parses(text: string): boolean {
  if (text === '' || (text[0] !== '{' && text[0] !== '[')) return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Index of the bracket closing the one at `start`, skipping strings; -1 if unbalanced. */
function balancedEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let index = start; index < text.length; index++) {
    const char = text[index];
    if (inString) {
      if (char === '\\') index++;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === '{' || char === '[') depth++;
    else if (char === '}' || char === ']') {
      depth--;
      if (depth === 0) return index;
    }
  }
  return -1;
}
