import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors/index.js';
import { compileFilter } from './filter.js';
import type { VectorFilter } from './filter-types.js';

const docs: Record<string, unknown>[] = [
  { id: 'a', source: 'a.md', page: 1, tags: ['x', 'y'], lang: 'en', author: { name: 'Ada' } },
  { id: 'b', source: 'b.md', page: 5, tags: ['y'], lang: 'de', draft: true },
  { id: 'c', source: 'c.txt', page: 9, tags: [], lang: 'en', draft: false, score: null },
  { id: 'd', source: 'D.MD', page: '7', lang: 'fr' },
];

function matching(filter: VectorFilter): string[] {
  const predicate = compileFilter(filter);
  return docs.filter(predicate).map((doc) => doc.id as string);
}

describe('compileFilter', () => {
  it('matches implicit equality, nested fields and array membership', () => {
    expect(matching({ source: 'a.md' })).toEqual(['a']);
    expect(matching({ 'author.name': 'Ada' })).toEqual(['a']);
    expect(matching({ tags: 'y' })).toEqual(['a', 'b']);
    expect(matching({ score: null })).toEqual(['c']);
    expect(matching({})).toEqual(['a', 'b', 'c', 'd']);
  });

  it('supports comparison operators with type-strict comparisons', () => {
    expect(matching({ page: { $gt: 1 } })).toEqual(['b', 'c']);
    expect(matching({ page: { $gte: 5, $lte: 9 } })).toEqual(['b', 'c']);
    expect(matching({ page: { $lt: 5 } })).toEqual(['a']);
    expect(matching({ page: { $eq: 5 } })).toEqual(['b']);
    expect(matching({ page: { $ne: 5 } })).toEqual(['a', 'c', 'd']);
    expect(matching({ page: { $gt: '5' } })).toEqual(['d']);
    expect(matching({ source: { $lt: 'b' } })).toEqual(['a', 'd']);
  });

  it('supports $in, $nin and $exists', () => {
    expect(matching({ lang: { $in: ['en', 'fr'] } })).toEqual(['a', 'c', 'd']);
    expect(matching({ lang: { $nin: ['en', 'fr'] } })).toEqual(['b']);
    expect(matching({ tags: { $in: ['x'] } })).toEqual(['a']);
    expect(matching({ draft: { $exists: true } })).toEqual(['b', 'c']);
    expect(matching({ draft: { $exists: false } })).toEqual(['a', 'd']);
  });

  it('supports $regex with $options', () => {
    expect(matching({ source: { $regex: '\\.md$' } })).toEqual(['a', 'b']);
    expect(matching({ source: { $regex: '\\.md$', $options: 'i' } })).toEqual(['a', 'b', 'd']);
    expect(matching({ tags: { $regex: '^x' } })).toEqual(['a']);
  });

  it('supports $and, $or, $nor and $not at the top level and $not on a field', () => {
    expect(matching({ $and: [{ lang: 'en' }, { page: { $gt: 1 } }] })).toEqual(['c']);
    expect(matching({ $or: [{ lang: 'de' }, { lang: 'fr' }] })).toEqual(['b', 'd']);
    expect(matching({ $nor: [{ lang: 'de' }, { lang: 'fr' }] })).toEqual(['a', 'c']);
    expect(matching({ $not: { lang: 'en' } })).toEqual(['b', 'd']);
    expect(matching({ page: { $not: { $gt: 1 } } })).toEqual(['a', 'd']);
    expect(matching({ lang: { $not: 'en' } })).toEqual(['b', 'd']);
    expect(matching({ lang: 'en', $or: [{ page: 1 }, { page: 9 }] })).toEqual(['a', 'c']);
  });

  it.each<[string, unknown, RegExp]>([
    ['unknown field operator', { page: { $between: [1, 2] } }, /unknown operator "\$between"/],
    ['unknown top-level operator', { $xor: [{ a: 1 }] }, /unknown operator "\$xor"/],
    ['$in without an array', { lang: { $in: 'en' } }, /page|lang\.\$in: expects an array/],
    ['$in with objects', { lang: { $in: [{ a: 1 }] } }, /expects an array of scalars/],
    ['$gt with a boolean', { page: { $gt: true } }, /expects a number or a string/],
    ['$gt with NaN', { page: { $gt: Number.NaN } }, /expects a number or a string/],
    ['$exists with a string', { draft: { $exists: 'yes' } }, /expects true or false/],
    ['$regex with a number', { source: { $regex: 5 } }, /expects a pattern string/],
    ['$regex that does not compile', { source: { $regex: '(' } }, /invalid regular expression/],
    ['$options with a bad flag', { source: { $regex: 'a', $options: 'g' } }, /\$options: expects a string/],
    ['$options alone', { source: { $options: 'i' } }, /\$options without \$regex/],
    ['$and with an object', { $and: { a: 1 } }, /\$and expects a non-empty array/],
    ['$or empty', { $or: [] }, /\$or expects a non-empty array/],
    ['$eq with an object', { page: { $eq: { a: 1 } } }, /expects a string, number, boolean or null/],
    ['an array as a value', { tags: ['x'] }, /got an array/],
    ['an empty operator object', { page: {} }, /empty operator object/],
    ['a non-object filter', 'lang = en', /a filter must be an object/],
    ['a nested bad operator', { $or: [{ page: { $gtx: 1 } }] }, /\$or\[0\]\.page\.\$gtx/],
  ])('rejects %s with InvalidArgumentError', (_name, filter, message) => {
    let thrown: unknown;
    try {
      compileFilter(filter as VectorFilter);
    } catch (error) {
      thrown = error;
    }
    expect(InvalidArgumentError.isInstance(thrown)).toBe(true);
    expect((thrown as Error).message).toMatch(message);
  });
});
