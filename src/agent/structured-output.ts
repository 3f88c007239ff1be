import { StructuredOutputError } from '../errors/index.js';
import type { ChatModel, ResponseFormat } from '../llm/types.js';
import { formatIssues, type Schema, toJsonSchema, validateSchema } from '../tools/schema.js';
import type { StructuredOutputOptions } from './types.js';

/** How a run asks for structured output: the endpoint's JSON-schema mode, or instructions. */
export interface StructuredOutputPlan {
  responseFormat: ResponseFormat | undefined;
  instruction: string | undefined;
}

/** Chooses JSON-schema mode when the model supports it (or `mode` forces it), else instructions. */
export function planStructuredOutput(
  options: StructuredOutputOptions,
  model: ChatModel,
): StructuredOutputPlan {
  const jsonSchema = toJsonSchema(options.schema);
  const mode = options.mode ?? 'auto';
  if (mode === 'json-schema' || (mode === 'auto' && model.capabilities.jsonSchema)) {
    return {
      responseFormat: { type: 'json_schema', name: options.name ?? 'response', schema: jsonSchema },
      instruction: undefined,
    };
  }
  return {
    responseFormat: undefined,
    instruction:
      'When you give your final answer, reply with only a JSON value that matches this JSON Schema, ' +
      `with no prose and no code fences:\n${JSON.stringify(jsonSchema)}`,
  };
}

function tryParse(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** The first balanced `{…}` or `[…]` in `text`, skipping brackets inside strings. */
function balancedJson(text: string): string | undefined {
  const start = text.search(/[{[]/);
  if (start < 0) return undefined;
  const stack: string[] = [];
  let inString = false;
  for (let index = start; index < text.length; index++) {
    const char = text[index]!;
    if (inString) {
      if (char === '\\') index++;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === '{' || char === '[') stack.push(char === '{' ? '}' : ']');
    else if (char === '}' || char === ']') {
      if (stack.pop() !== char) return undefined;
      if (stack.length === 0) return text.slice(start, index + 1);
    }
  }
  return undefined;
}

/**
 * Extracts a JSON value from model text: tolerates code fences, prose around the value and
 * trailing commas. Returns `undefined` when nothing parses.
 */
export function extractJson(text: string): { value: unknown } | undefined {
  const fenced = /```(?:json|JSON)?\s*\n?([\s\S]*?)```/.exec(text)?.[1];
  const candidates = [text.trim(), fenced?.trim(), balancedJson(fenced ?? text), balancedJson(text)];
  for (const candidate of candidates) {
    if (candidate === undefined || candidate === '') continue;
    const direct = tryParse(candidate);
    if (direct.ok) return { value: direct.value };
    const repaired = tryParse(candidate.replace(/,\s*([}\]])/g, '$1'));
    if (repaired.ok) return { value: repaired.value };
  }
  return undefined;
}

/** Parses and validates the final text; throws `StructuredOutputError` carrying the raw text. */
export async function parseStructuredOutput<S extends Schema>(text: string, schema: S): Promise<unknown> {
  const extracted = extractJson(text);
  if (extracted === undefined) {
    throw new StructuredOutputError('The model did not answer with JSON.', {
      hint: 'Check `error.data.text`; a model with JSON-schema support (`capabilities.jsonSchema`) is more reliable.',
      data: { text },
    });
  }
  const validation = await validateSchema(schema, extracted.value);
  if (!validation.success) {
    throw new StructuredOutputError(
      `The model's JSON does not match the schema:\n${formatIssues(validation.issues)}`,
      {
        hint: 'Check `error.data.text`; loosen the schema or describe the fields better.',
        data: { text, issues: validation.issues },
      },
    );
  }
  return validation.value;
}
