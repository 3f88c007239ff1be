import type {
  ChatCompletionCreateParamsBase,
  ChatCompletionMessageParam,
} from 'openai/resources/chat/completions';
import { BadRequestError, UnsupportedError } from '../errors/index.js';
import { schemaInstruction } from './structured.js';
import type { ChatMessage, ChatRequest, ModelCapabilities } from './types.js';

/** What the body builder needs to know about the model. */
export interface BodySettings {
  provider: string;
  modelId: string;
  capabilities: ModelCapabilities;
  /** OpenAI's own API wants `max_completion_tokens`; most compatible servers want `max_tokens`. */
  maxTokensField: 'max_tokens' | 'max_completion_tokens';
}

/** A request body plus whether the JSON-schema fallback is in use (the answer then needs extracting). */
export interface PreparedBody {
  body: ChatCompletionCreateParamsBase;
  extractJson: boolean;
}

export function toWireMessage(message: ChatMessage): ChatCompletionMessageParam {
  switch (message.role) {
    case 'system':
      return { role: 'system', content: message.content };
    case 'user':
      return {
        role: 'user',
        content:
          typeof message.content === 'string'
            ? message.content
            : message.content.map((part) =>
                part.type === 'text'
                  ? { type: 'text' as const, text: part.text }
                  : { type: 'image_url' as const, image_url: { url: part.url } },
              ),
      };
    case 'assistant':
      if (message.toolCalls && message.toolCalls.length > 0) {
        return {
          role: 'assistant',
          // Several compatible servers reject an empty string next to tool calls.
          content: message.content === '' ? null : message.content,
          tool_calls: message.toolCalls.map((call) => ({
            id: call.id,
            type: 'function' as const,
            function: { name: call.name, arguments: call.arguments },
          })),
        };
      }
      return { role: 'assistant', content: message.content };
    case 'tool':
      return { role: 'tool', tool_call_id: message.toolCallId, content: message.content };
  }
}

/**
 * True when an endpoint refused `response_format: json_schema` it was thought to support: the call
 * is then repeated once with the fallback (schema in a system message).
 */
export function refusedJsonSchema(error: unknown, prepared: PreparedBody): boolean {
  return (
    BadRequestError.isInstance(error) &&
    prepared.body.response_format?.type === 'json_schema' &&
    /response_format|json_schema|structured output/i.test(error.message)
  );
}

/** Translates a Lumos `ChatRequest` into an OpenAI chat completion body for this model. */
export function prepareBody(
  request: ChatRequest,
  settings: BodySettings,
  stream: boolean,
  /** Use the JSON-schema fallback even if the capabilities claim support (the endpoint refused it). */
  forceSchemaFallback = false,
): PreparedBody {
  const { capabilities } = settings;
  const format = request.responseFormat;
  const fallback = format?.type === 'json_schema' && (!capabilities.jsonSchema || forceSchemaFallback);
  const messages = request.messages.map(toWireMessage);
  if (fallback) messages.unshift(toWireMessage(schemaInstruction(format)));
  const body: ChatCompletionCreateParamsBase = { model: settings.modelId, messages, stream };
  if (request.tools && request.tools.length > 0) {
    if (!capabilities.tools) {
      throw new UnsupportedError(
        `${settings.provider} model "${settings.modelId}" does not support tool calls.`,
        {
          hint: 'Use a model with tool support, or set `capabilities: { tools: true }` if it does support them.',
        },
      );
    }
    body.tools = request.tools.map((tool) => ({
      type: 'function' as const,
      function: {
        name: tool.name,
        ...(tool.description === undefined ? {} : { description: tool.description }),
        parameters: tool.parameters,
        ...(tool.strict === undefined ? {} : { strict: tool.strict }),
      },
    }));
    if (request.toolChoice !== undefined) {
      body.tool_choice =
        typeof request.toolChoice === 'string'
          ? request.toolChoice
          : { type: 'function', function: { name: request.toolChoice.name } };
    }
    if (request.parallelToolCalls !== undefined && capabilities.parallelToolCalls) {
      body.parallel_tool_calls = request.parallelToolCalls;
    }
  }
  if (format) {
    if (format.type === 'json_schema' && !fallback) {
      body.response_format = {
        type: 'json_schema',
        json_schema: {
          name: format.name,
          schema: format.schema,
          ...(format.strict === undefined ? {} : { strict: format.strict }),
          ...(format.description === undefined ? {} : { description: format.description }),
        },
      };
    } else if (format.type === 'json_object' || (fallback && capabilities.jsonObject !== false)) {
      body.response_format = { type: 'json_object' };
    } else if (format.type === 'text') {
      body.response_format = { type: 'text' };
    }
  }
  if (stream && capabilities.streamUsage) body.stream_options = { include_usage: true };
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.maxTokens !== undefined) body[settings.maxTokensField] = request.maxTokens;
  if (request.stop !== undefined) body.stop = request.stop;
  if (request.seed !== undefined) body.seed = request.seed;
  if (request.providerOptions) Object.assign(body, request.providerOptions);
  return { body, extractJson: fallback };
}
