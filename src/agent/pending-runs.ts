import type { ChatMessage, ToolChoice } from '../llm/types.js';
import type { KeyValueStore } from '../storage/types.js';
import type { ToolResult } from '../tools/run-tool.js';
import type { AgentToolCall, StepResult } from './types.js';

/** A tool call of the current step that waits for (or got) a human decision. */
export interface PendingToolCall extends AgentToolCall {
  /** The validated input the tool will receive once approved. */
  input: unknown;
  decision?: 'approved' | 'declined';
  /** Why the user declined, returned to the model. */
  reason?: string;
}

/**
 * Everything needed to continue a run: plain data, so it survives `structuredClone`, IndexedDB
 * and a page reload. Functions (tools, the model) come from the agent that resumes it.
 */
export interface RunState {
  version: 1;
  agentId: string;
  runId: string;
  /** The conversation as sent to the model, system messages included. */
  messages: ChatMessage[];
  /** The caller's input messages (saved to memory with the response). */
  inputMessages: ChatMessage[];
  /** Index in `messages` where this run's own messages (assistant and tool) begin. */
  responseStart: number;
  steps: StepResult[];
  /** The step whose tool calls wait for approval. */
  suspendedStep?: {
    step: StepResult;
    toolCalls: AgentToolCall[];
    results: ToolResult[];
    pending: PendingToolCall[];
  };
  options: {
    maxSteps: number;
    toolChoice?: ToolChoice;
    activeTools?: string[];
    temperature?: number;
    maxTokens?: number;
    memory?: { threadId: string; resourceId: string };
  };
  updatedAt: number;
}

const namespace = 'lumos.agent.runs';

/** Persists suspended runs in a `KeyValueStore`, keyed by agent id and run id. */
export class PendingRunStore {
  constructor(private readonly store: KeyValueStore) {}

  /** Writes the run state, replacing an earlier one. */
  save(state: RunState): Promise<void> {
    return this.store.setValue(namespace, `${state.agentId}/${state.runId}`, state);
  }

  load(agentId: string, runId: string): Promise<RunState | undefined> {
    return this.store.getValue<RunState>(namespace, `${agentId}/${runId}`);
  }

  delete(agentId: string, runId: string): Promise<void> {
    return this.store.deleteValue(namespace, `${agentId}/${runId}`);
  }

  /** Suspended runs of one agent, oldest key first. */
  async list(agentId: string): Promise<RunState[]> {
    const entries = await this.store.listValues<RunState>(namespace, { prefix: `${agentId}/` });
    return entries.map((entry) => entry.value);
  }
}

/**
 * The default store when an agent gets no `storage`: a `Map` of structured clones, so pending
 * runs live as long as the page. Pass an IndexedDB-backed store to survive a reload.
 */
export class MapKeyValueStore implements KeyValueStore {
  private readonly entries = new Map<string, unknown>();

  private static key(namespace: string, key: string): string {
    return `${namespace}\u0000${key}`;
  }

  /** The stored value (a copy), or `undefined`. */
  async getValue<T = unknown>(namespace: string, key: string): Promise<T | undefined> {
    const value = this.entries.get(MapKeyValueStore.key(namespace, key));
    return value === undefined ? undefined : (structuredClone(value) as T);
  }

  /** Stores a copy of `value`. */
  async setValue(namespace: string, key: string, value: unknown): Promise<void> {
    this.entries.set(MapKeyValueStore.key(namespace, key), structuredClone(value));
  }

  async deleteValue(namespace: string, key: string): Promise<void> {
    this.entries.delete(MapKeyValueStore.key(namespace, key));
  }

  /** Entries of `namespace` whose key starts with `prefix`, sorted by key. */
  async listValues<T = unknown>(
    namespace: string,
    options: { prefix?: string } = {},
  ): Promise<{ key: string; value: T }[]> {
    const start = MapKeyValueStore.key(namespace, options.prefix ?? '');
    const found: { key: string; value: T }[] = [];
    for (const [fullKey, value] of this.entries) {
      if (fullKey.startsWith(start)) {
        found.push({ key: fullKey.slice(namespace.length + 1), value: structuredClone(value) as T });
      }
    }
    return found.sort((left, right) => (left.key < right.key ? -1 : left.key > right.key ? 1 : 0));
  }
}
