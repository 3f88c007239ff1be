import { InvalidArgumentError } from '../errors/index.js';
import type { VectorFilter } from './filter-types.js';

/** A compiled filter: true when a vector's metadata matches. */
export type MetadataPredicate = (metadata: Record<string, unknown>) => boolean;

const logicalOperators = new Set(['$and', '$or', '$nor', '$not']);
const fieldOperators = new Set([
  '$eq',
  '$ne',
  '$gt',
  '$gte',
  '$lt',
  '$lte',
  '$in',
  '$nin',
  '$exists',
  '$regex',
  '$options',
  '$not',
]);

function fail(path: string, message: string, hint: string): never {
  throw new InvalidArgumentError(`Invalid vector filter at ${path}: ${message}.`, { hint, data: { path } });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof RegExp);
}

function isScalar(value: unknown): value is string | number | boolean | null {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

/** Reads `a.b.c` from nested metadata. */
function lookup(metadata: Record<string, unknown>, field: string): unknown {
  if (field in metadata) return metadata[field];
  let value: unknown = metadata;
  for (const part of field.split('.')) {
    if (!isPlainObject(value)) return undefined;
    value = value[part];
  }
  return value;
}

function equals(actual: unknown, expected: unknown): boolean {
  if (Array.isArray(actual)) return actual.some((item) => item === expected);
  return actual === expected;
}

function compare(actual: unknown, expected: number | string, test: (order: number) => boolean): boolean {
  const check = (value: unknown) =>
    typeof value === typeof expected &&
    test((value as number | string) < expected ? -1 : value === expected ? 0 : 1);
  return Array.isArray(actual) ? actual.some(check) : check(actual);
}

function compileField(field: string, condition: unknown, path: string): MetadataPredicate {
  if (isScalar(condition)) return (metadata) => equals(lookup(metadata, field), condition);
  if (!isPlainObject(condition)) {
    fail(
      path,
      `expected a value or an operator object, got ${Array.isArray(condition) ? 'an array' : typeof condition}`,
      'Use { field: value } or { field: { $in: [...] } }.',
    );
  }
  const keys = Object.keys(condition);
  if (keys.length === 0) fail(path, 'empty operator object', 'Give at least one operator such as $eq.');
  const tests: MetadataPredicate[] = [];
  for (const operator of keys) {
    const operand = condition[operator];
    const at = `${path}.${operator}`;
    if (!fieldOperators.has(operator)) {
      fail(at, `unknown operator "${operator}"`, `Use one of ${[...fieldOperators].join(' ')}.`);
    }
    tests.push(compileOperator(field, operator, operand, condition, at));
  }
  return (metadata) => tests.every((test) => test(metadata));
}

function compileOperator(
  field: string,
  operator: string,
  operand: unknown,
  condition: Record<string, unknown>,
  at: string,
): MetadataPredicate {
  const get = (metadata: Record<string, unknown>) => lookup(metadata, field);
  switch (operator) {
    case '$eq':
    case '$ne': {
      if (!isScalar(operand))
        fail(at, 'expects a string, number, boolean or null', 'Compare with a scalar value.');
      return operator === '$eq' ? (m) => equals(get(m), operand) : (m) => !equals(get(m), operand);
    }
    case '$gt':
    case '$gte':
    case '$lt':
    case '$lte': {
      if (!(typeof operand === 'string' || (typeof operand === 'number' && !Number.isNaN(operand)))) {
        fail(
          at,
          'expects a number or a string',
          'Range operators compare numbers with numbers and strings with strings.',
        );
      }
      const test =
        operator === '$gt'
          ? (o: number) => o > 0
          : operator === '$gte'
            ? (o: number) => o >= 0
            : operator === '$lt'
              ? (o: number) => o < 0
              : (o: number) => o <= 0;
      return (m) => compare(get(m), operand, test);
    }
    case '$in':
    case '$nin': {
      if (!Array.isArray(operand) || !operand.every(isScalar)) {
        fail(at, 'expects an array of scalars', 'Pass a list like ["a", "b"].');
      }
      const values = operand as unknown[];
      const inside = (m: Record<string, unknown>) => values.some((value) => equals(get(m), value));
      return operator === '$in' ? inside : (m) => !inside(m);
    }
    case '$exists': {
      if (typeof operand !== 'boolean') fail(at, 'expects true or false', 'Use { $exists: true }.');
      return (m) => (get(m) !== undefined) === operand;
    }
    case '$regex': {
      if (typeof operand !== 'string') fail(at, 'expects a pattern string', 'Pass the pattern as a string.');
      const flags = condition.$options;
      if (flags !== undefined && (typeof flags !== 'string' || !/^[imsu]*$/.test(flags))) {
        fail(
          `${at.slice(0, -'$regex'.length)}$options`,
          'expects a string of i, m, s, u flags',
          'Use e.g. $options: "i".',
        );
      }
      let pattern: RegExp;
      try {
        pattern = new RegExp(operand, (flags as string | undefined) ?? '');
      } catch (error) {
        fail(at, `invalid regular expression (${(error as Error).message})`, 'Fix the pattern.');
      }
      const test = (value: unknown) => typeof value === 'string' && pattern.test(value);
      return (m) => {
        const value = get(m);
        return Array.isArray(value) ? value.some(test) : test(value);
      };
    }
    case '$options': {
      if (!('$regex' in condition)) fail(at, '$options without $regex', 'Use $options next to $regex.');
      return () => true;
    }
    default: {
      // $not: negates a value or an operator object on the same field.
      const inner = compileField(field, operand, at);
      return (m) => !inner(m);
    }
  }
}

function compileList(operator: string, operand: unknown, path: string): MetadataPredicate[] {
  if (!Array.isArray(operand) || operand.length === 0) {
    fail(
      path,
      `${operator} expects a non-empty array of filters`,
      `Use { ${operator}: [{ a: 1 }, { b: 2 }] }.`,
    );
  }
  return operand.map((item, index) => compileNode(item, `${path}[${index}]`));
}

function compileNode(filter: unknown, path: string): MetadataPredicate {
  if (!isPlainObject(filter)) fail(path, 'a filter must be an object', 'Pass e.g. { source: "a.md" }.');
  const tests: MetadataPredicate[] = [];
  for (const [key, value] of Object.entries(filter)) {
    if (value === undefined) continue;
    const at = path === '' ? key : `${path}.${key}`;
    if (key.startsWith('$')) {
      if (!logicalOperators.has(key)) {
        fail(
          at,
          `unknown operator "${key}" at the top level of a filter`,
          'Use $and, $or, $nor or $not here, or put field operators under a field name.',
        );
      }
      if (key === '$not') {
        const inner = compileNode(value, at);
        tests.push((m) => !inner(m));
        continue;
      }
      const parts = compileList(key, value, at);
      if (key === '$and') tests.push((m) => parts.every((part) => part(m)));
      else if (key === '$or') tests.push((m) => parts.some((part) => part(m)));
      else tests.push((m) => !parts.some((part) => part(m)));
      continue;
    }
    tests.push(compileField(key, value, at));
  }
  return (metadata) => tests.every((test) => test(metadata));
}

/**
 * Validates a Mongo-style metadata filter and compiles it into a predicate. Throws
 * `InvalidArgumentError` naming the path of an unknown operator or a wrongly typed operand.
 * Field names may use dots for nested metadata; array-valued fields match when any item does.
 */
export function compileFilter(filter: VectorFilter): MetadataPredicate {
  return compileNode(filter, '');
}
