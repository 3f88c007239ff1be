import { NotFoundError, StorageClosedError } from '../errors/index.js';

/** The error every call on a closed storage throws. */
export function closedError(name: string): StorageClosedError {
  return new StorageClosedError(`Storage "${name}" is closed.`, {
    hint: 'Create a new storage instance (or call reopen()) before using it again.',
  });
}

/**
 * The one error for "no such thread for this resource". The message is the same whether the
 * thread does not exist or belongs to another resource, so callers cannot probe other owners.
 */
export function threadNotFound(threadId: string, resourceId: string): NotFoundError {
  return new NotFoundError(`Thread "${threadId}" was not found for resource "${resourceId}".`, {
    hint: 'Create the thread first (memory.createThread) and pass the resourceId that owns it.',
    data: { threadId, resourceId },
  });
}
