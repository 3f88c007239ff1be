import type { AttributeValue, Span, SpanContext, SpanParent, Tracer } from '../telemetry/index.js';
import type { WorkflowEvent } from './types.js';

/** Where a run's spans go: the tracer, and optionally the span the run itself runs inside. */
export interface WorkflowTracing {
  tracer: Tracer;
  /** E.g. an agent step or a tool call that started the run. @default none (the run starts a trace) */
  parent?: SpanParent | undefined;
}

/** One execution's tracing: the event listener, and the span context of a running step. */
export interface RunTrace {
  onEvent(event: WorkflowEvent): void;
  /** The context of the span of the step running at `path` (handed to the step as `traceContext`). */
  contextOf(path: string): SpanContext | undefined;
}

/** The path of the step that contains `path` (`outer/inner#2` → `outer`), or `undefined` at the top. */
function containerPath(path: string): string | undefined {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? undefined : path.slice(0, slash);
}

/**
 * Turns one execution's events into spans: a `workflow` span for the execution (a resume is a new
 * execution with `workflow.resumed: true`) and a `workflow-step` span per step execution, nested
 * under the step that contains it (nested workflows, loops and foreach items by their paths).
 * Retries are `retry` events on the step's span; suspension and sleeping end the span with a
 * `suspended`/`waiting` event; failures are recorded as errors.
 */
export function traceWorkflowEvents(tracing: WorkflowTracing, resourceId: string | undefined): RunTrace {
  const { tracer } = tracing;
  let run: Span | undefined;
  const open = new Map<string, Span>();

  const endOpenSteps = (finish: Extract<WorkflowEvent, { type: 'workflow-finish' }>): void => {
    // Steps still open contain a suspended or failed step (nested workflows), or were canceled.
    for (const [path, span] of [...open].reverse()) {
      span.setAttribute('workflow.step.status', finish.status);
      if (finish.status === 'failed' && finish.error) span.recordError(finish.error);
      span.end();
      open.delete(path);
    }
  };

  const startStep = (path: string, stepId: string, attempt: number | undefined): Span => {
    const container = containerPath(path);
    const span = tracer.startSpan(`step ${stepId}`, {
      kind: 'workflow-step',
      parent: (container === undefined ? undefined : open.get(container)) ?? run,
      attributes: {
        'workflow.step.id': stepId,
        'workflow.step.path': path,
        'workflow.step.attempt': attempt,
      },
    });
    open.set(path, span);
    return span;
  };

  const onEvent = (event: WorkflowEvent): void => {
    switch (event.type) {
      case 'workflow-start': {
        run = tracer.startSpan(`workflow ${event.workflowId}`, {
          kind: 'workflow',
          parent: tracing.parent,
          attributes: {
            'workflow.id': event.workflowId,
            'workflow.run_id': event.runId,
            'workflow.resumed': event.resumed,
          },
          ...(resourceId === undefined ? {} : { resourceId }),
        });
        if (run.isRecording) run.recordInput(event.input);
        return;
      }
      case 'step-start': {
        const existing = open.get(event.path);
        if (existing) {
          existing.setAttribute('workflow.step.attempt', event.attempt);
          return;
        }
        const span = startStep(event.path, event.stepId, event.attempt);
        if (span.isRecording) span.recordInput(event.input);
        return;
      }
      case 'step-retry':
        open.get(event.path)?.addEvent('retry', {
          attempt: event.attempt,
          delayMs: event.delayMs,
          'exception.type': event.error.name,
          'exception.message': event.error.message,
        });
        return;
      case 'step-result': {
        const span = open.get(event.path);
        if (!span) return;
        open.delete(event.path);
        span.setAttribute('workflow.step.status', event.status);
        if (event.status === 'success') {
          if (span.isRecording) span.recordOutput(event.output);
          span.setStatus('ok');
        } else span.recordError(event.error);
        span.end();
        return;
      }
      case 'step-suspended': {
        const span = open.get(event.path);
        if (!span) return;
        open.delete(event.path);
        span.setAttribute('workflow.step.status', 'suspended');
        span.addEvent('suspended', { payload: event.suspendPayload as AttributeValue });
        span.end();
        return;
      }
      case 'step-waiting': {
        // A sleep has no step-start: its span covers the wait and ends with its step-result.
        const span = open.get(event.path) ?? startStep(event.path, event.stepId, undefined);
        span.addEvent('waiting', { wakeAt: event.wakeAt });
        return;
      }
      case 'workflow-finish': {
        endOpenSteps(event);
        if (!run) return;
        run.setAttribute('workflow.status', event.status);
        if (event.status === 'failed' && event.error) run.recordError(event.error);
        else if (event.status === 'success') {
          if (run.isRecording) run.recordOutput(event.result);
          run.setStatus('ok');
        } else run.addEvent(event.status);
        run.end();
        return;
      }
      case 'step-output':
        return;
    }
  };
  return { onEvent, contextOf: (path) => open.get(path)?.context() };
}
