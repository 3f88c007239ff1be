import * as Comlink from 'comlink';
import { registerErrorTransfer } from './errors-transfer.js';

const messageTypes = new Set(['GET', 'SET', 'APPLY', 'CONSTRUCT', 'ENDPOINT', 'RELEASE']);

/** True for the shape of a comlink request; anything else is dropped before comlink sees it. */
export function isProtocolMessage(data: unknown): boolean {
  if (typeof data !== 'object' || data === null) return false;
  const message = data as { id?: unknown; type?: unknown; path?: unknown };
  return (
    typeof message.id === 'string' &&
    typeof message.type === 'string' &&
    messageTypes.has(message.type) &&
    (message.path === undefined || Array.isArray(message.path))
  );
}

/** An endpoint that forwards only well-formed protocol messages to its listeners. */
function guarded(endpoint: Comlink.Endpoint): Comlink.Endpoint & { start?: () => void } {
  const wrapped = new Map<EventListenerOrEventListenerObject, EventListener>();
  const port = endpoint as Comlink.Endpoint & { start?: () => void };
  return {
    postMessage: (message, transfer) => endpoint.postMessage(message, transfer),
    // A MessagePort delivers nothing until started; comlink starts the endpoint it is given.
    ...(port.start ? { start: () => port.start?.() } : {}),
    addEventListener(type, listener) {
      const filtered: EventListener = (event) => {
        if (!isProtocolMessage((event as MessageEvent).data)) return;
        if (typeof listener === 'function') listener(event);
        else listener.handleEvent(event);
      };
      wrapped.set(listener, filtered);
      endpoint.addEventListener(type, filtered);
    },
    removeEventListener(type, listener) {
      const filtered = wrapped.get(listener);
      if (filtered) endpoint.removeEventListener(type, filtered);
      wrapped.delete(listener);
    },
  };
}

/**
 * Exposes a worker-side core object. `endpoint` defaults to the worker global; tests pass one end
 * of a `MessageChannel` to run the same core on the same thread.
 */
export function exposeCore(core: object, endpoint?: Comlink.Endpoint): void {
  registerErrorTransfer();
  const target = endpoint ?? (globalThis as unknown as Comlink.Endpoint);
  Comlink.expose(core, guarded(target));
}

/** The main-thread side: a typed async proxy of a core exposed with `exposeCore`. */
export function wrapCore<T>(endpoint: Comlink.Endpoint): Comlink.Remote<T> {
  registerErrorTransfer();
  return Comlink.wrap<T>(endpoint);
}

export { Comlink };
