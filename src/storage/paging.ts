import { InvalidArgumentError } from '../errors/index.js';
import type { Page, PageOptions } from './types.js';

/** Default page size of every `list*` call. */
export const defaultPageLimit = 50;

/** Validates `PageOptions` and fills the defaults (`limit` 50, `offset` 0). */
export function resolvePage(options: PageOptions = {}): { limit: number; offset: number } {
  const limit = options.limit ?? defaultPageLimit;
  const offset = options.offset ?? 0;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new InvalidArgumentError(`Page limit must be a positive integer, got ${String(limit)}.`, {
      hint: 'Pass { limit: 50 } or leave it out.',
    });
  }
  if (!Number.isInteger(offset) || offset < 0) {
    throw new InvalidArgumentError(`Page offset must be a non-negative integer, got ${String(offset)}.`, {
      hint: 'Pass { offset: 0 } or leave it out.',
    });
  }
  return { limit, offset };
}

/** Cuts one page out of an already filtered and sorted list. */
export function pageOf<T>(sorted: readonly T[], options: PageOptions = {}): Page<T> {
  const { limit, offset } = resolvePage(options);
  const items = sorted.slice(offset, offset + limit);
  return { items, total: sorted.length, hasMore: offset + items.length < sorted.length };
}
