import type { ChatModel, ChatRequest, ChatResult, ChatStreamEvent } from '../../llm/types.js';
import { preciseNow } from '../ids.js';
import type { Span } from '../span.js';
import type { Tracer } from '../tracer.js';
import { type InstrumentOptions, requestParent, resolveParent } from './parent.js';

function requestAttributes(model: ChatModel, request: ChatRequest, stream: boolean) {
  return {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': model.provider,
    'gen_ai.request.model': model.modelId,
    'gen_ai.request.temperature': request.temperature,
    'gen_ai.request.top_p': request.topP,
    'gen_ai.request.max_tokens': request.maxTokens,
    'lumos.request.tools': request.tools?.map((tool) => tool.name),
    'lumos.stream': stream,
  };
}

function recordResult(span: Span, result: ChatResult, startedAt: number): void {
  span.setAttributes({
    'gen_ai.response.model': result.modelId,
    'gen_ai.response.id': result.responseId,
    'gen_ai.response.finish_reasons': [result.finishReason],
    'gen_ai.usage.input_tokens': result.usage?.promptTokens,
    'gen_ai.usage.output_tokens': result.usage?.completionTokens,
    'lumos.latency_ms': preciseNow() - startedAt,
    'lumos.response.tool_calls': result.toolCalls.length,
  });
  span.recordOutput(
    result.toolCalls.length > 0
      ? {
          text: result.text,
          toolCalls: result.toolCalls.map(({ name, arguments: args }) => ({ name, arguments: args })),
        }
      : result.text,
  );
}

/**
 * Wraps a `ChatModel` so every `generate`/`stream` call is a `model` span with the provider,
 * model, token usage, latency (and time to first token when streaming) and finish reason, using
 * OpenTelemetry GenAI attribute names. Messages are recorded as the input (subject to the
 * tracer's `recordInputs`/`redact`); request headers are never recorded.
 */
export function traceChatModel(model: ChatModel, tracer: Tracer, options: InstrumentOptions = {}): ChatModel {
  const startSpan = (request: ChatRequest, stream: boolean): Span => {
    const span = tracer.startSpan(`chat ${model.modelId}`, {
      kind: 'model',
      parent: requestParent(request.parentSpan) ?? resolveParent(options.parent),
    });
    // Built only for a span that records: a sampled-out trace pays for none of it.
    if (span.isRecording)
      span.setAttributes(requestAttributes(model, request, stream)).recordInput(request.messages);
    return span;
  };
  return {
    provider: model.provider,
    modelId: model.modelId,
    capabilities: model.capabilities,
    async generate(request) {
      const span = startSpan(request, false);
      const startedAt = preciseNow();
      try {
        const result = await model.generate(request);
        if (span.isRecording) recordResult(span, result, startedAt);
        span.setStatus('ok');
        return result;
      } catch (error) {
        span.recordError(error);
        throw error;
      } finally {
        span.end();
      }
    },
    async *stream(request): AsyncGenerator<ChatStreamEvent> {
      const span = startSpan(request, true);
      const startedAt = preciseNow();
      let firstToken = true;
      let finished = false;
      try {
        for await (const event of model.stream(request)) {
          if (firstToken && (event.type === 'text-delta' || event.type === 'tool-call-delta')) {
            firstToken = false;
            span.setAttribute('lumos.time_to_first_token_ms', preciseNow() - startedAt);
          }
          if (event.type === 'finish') {
            finished = true;
            if (span.isRecording) recordResult(span, event.result, startedAt);
            span.setStatus('ok');
          }
          yield event;
        }
      } catch (error) {
        span.recordError(error);
        throw error;
      } finally {
        // The consumer stopped iterating before `finish` (break, return, abort).
        if (!finished) span.setAttribute('lumos.stream.cancelled', true);
        span.end();
      }
    },
  };
}
