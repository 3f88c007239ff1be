import * as Comlink from 'comlink';
import { deserializeError, type SerializedError, serializeError } from '../errors/index.js';

let registered = false;

/**
 * Comlink clones only `name`/`message`/`stack` of a thrown error, so subclass identity and `code`
 * would be lost. This replaces its "throw" handler on both sides to carry our serialised form.
 */
export function registerErrorTransfer(): void {
  if (registered) return;
  registered = true;
  const original = Comlink.transferHandlers.get('throw');
  if (!original) return;
  Comlink.transferHandlers.set('throw', {
    canHandle: original.canHandle,
    serialize: (thrown) => [serializeError((thrown as { value: unknown }).value), []],
    deserialize: (serialized) => {
      throw deserializeError(serialized as SerializedError);
    },
  });
}
