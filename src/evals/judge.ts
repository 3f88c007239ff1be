import { z } from 'zod';
import { EvalJudgeError } from '../errors/index.js';
import type { ChatMessage, ChatModel } from '../llm/types.js';

/** The model that judges, and how it is told to behave. */
export interface JudgeOptions {
  model: ChatModel;
  /** The judge's role and standards, sent as the system message. */
  instructions: string;
  /** Extra attempts after a malformed verdict (not JSON, or not matching the schema). @default 2 */
  maxRetries?: number;
  /** @default 0 */
  temperature?: number;
}

export interface JudgeCall<T> {
  prompt: string;
  schema: z.ZodType<T>;
  /** Names the verdict in the `json_schema` response format. @default 'verdict' */
  name?: string;
  signal?: AbortSignal;
}

/**
 * The JSON object in a judge's answer: the whole text, a fenced ```json block, or the span from
 * the first `{` to the last `}`. `undefined` when none of them parses.
 */
export function findJsonObject(text: string): unknown {
  const trimmed = text.trim();
  const fenced = /```(?:json)?\s*([\s\S]*?)```/i.exec(trimmed)?.[1];
  const braces =
    trimmed.indexOf('{') === -1
      ? undefined
      : trimmed.slice(trimmed.indexOf('{'), trimmed.lastIndexOf('}') + 1);
  for (const candidate of [trimmed, fenced, braces]) {
    if (!candidate) continue;
    try {
      return JSON.parse(candidate);
    } catch {
      // try the next candidate
    }
  }
  return undefined;
}

function issuesOf(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
}

/**
 * Asks the judge for a structured verdict: the schema goes out as `response_format: json_schema`
 * (the LLM layer falls back to instructions where unsupported), the answer is parsed and
 * validated. A malformed answer is shown back to the judge with what was wrong and retried;
 * after `maxRetries` it throws `EvalJudgeError` (never a guessed score). Model errors (network,
 * rate limits) propagate unchanged.
 */
export async function askJudge<T>(judge: JudgeOptions, call: JudgeCall<T>): Promise<T> {
  const maxRetries = judge.maxRetries ?? 2;
  const jsonSchema = z.toJSONSchema(call.schema) as Record<string, unknown>;
  const messages: ChatMessage[] = [
    {
      role: 'system',
      content: `${judge.instructions}\nAnswer only with a JSON object that matches the given schema.`,
    },
    { role: 'user', content: call.prompt },
  ];
  const problems: string[] = [];
  let lastText = '';
  for (let attempt = 0; attempt <= maxRetries; attempt++) {
    const request: Parameters<ChatModel['generate']>[0] = {
      messages,
      temperature: judge.temperature ?? 0,
      responseFormat: { type: 'json_schema', name: call.name ?? 'verdict', schema: jsonSchema },
    };
    if (call.signal) request.signal = call.signal;
    const result = await judge.model.generate(request);
    lastText = result.text;
    const json = findJsonObject(result.text);
    let problem: string;
    if (json === undefined) {
      problem = 'the answer contained no JSON object';
    } else {
      const parsed = call.schema.safeParse(json);
      if (parsed.success) return parsed.data;
      problem = `the JSON did not match the schema: ${issuesOf(parsed.error)
        .map((issue) => `${issue.path || '(root)'} ${issue.message}`)
        .join('; ')}`;
    }
    problems.push(problem);
    messages.push(
      { role: 'assistant', content: result.text },
      {
        role: 'user',
        content: `That answer is invalid: ${problem}. Reply again with only the corrected JSON object.`,
      },
    );
  }
  throw new EvalJudgeError(
    `The judge model ${judge.model.modelId} gave ${maxRetries + 1} malformed verdict(s); the item is not scored.`,
    {
      hint: 'Use a judge model that follows JSON schemas (or supports response_format json_schema), or raise maxRetries.',
      data: { attempts: maxRetries + 1, problems, lastText: lastText.slice(0, 2000) },
    },
  );
}
