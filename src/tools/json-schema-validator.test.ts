import { describe, expect, it } from 'vitest';
import { validateJsonSchema } from './json-schema-validator.js';

const person = {
  type: 'object',
  properties: {
    name: { type: 'string', minLength: 1 },
    age: { type: 'integer', minimum: 0 },
    tags: { type: 'array', items: { type: 'string' }, maxItems: 2 },
    unit: { enum: ['c', 'f'] },
    address: { $ref: '#/$defs/address' },
  },
  required: ['name'],
  additionalProperties: false,
  $defs: { address: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
};

describe('validateJsonSchema', () => {
  it('accepts a valid value', () => {
    expect(
      validateJsonSchema(person, {
        name: 'Ada',
        age: 36,
        tags: ['x'],
        unit: 'c',
        address: { city: 'London' },
      }),
    ).toEqual([]);
  });

  it('reports each problem with its path', () => {
    const issues = validateJsonSchema(person, {
      age: 1.5,
      tags: ['a', 2, 'c'],
      unit: 'k',
      extra: true,
      address: {},
    });
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: ['name'], message: 'Required.' },
        { path: ['age'], message: 'Expected integer, received number.' },
        { path: ['tags'], message: 'Must have at most 2 items.' },
        { path: ['tags', 1], message: 'Expected string, received integer.' },
        { path: ['unit'], message: 'Expected one of ["c","f"].' },
        { path: ['extra'], message: 'Unknown property.' },
        { path: ['address', 'city'], message: 'Required.' },
      ]),
    );
    expect(issues).toHaveLength(7);
  });

  it('handles combinators, numbers, patterns and nullable', () => {
    expect(validateJsonSchema({ anyOf: [{ type: 'string' }, { type: 'number' }] }, true)).toHaveLength(1);
    expect(validateJsonSchema({ oneOf: [{ type: 'number' }, { type: 'integer' }] }, 3)).toHaveLength(1);
    expect(validateJsonSchema({ not: { type: 'string' } }, 'x')).toHaveLength(1);
    expect(validateJsonSchema({ type: 'number', exclusiveMaximum: 3, multipleOf: 0.5 }, 2.5)).toEqual([]);
    expect(validateJsonSchema({ type: 'number', exclusiveMaximum: 3 }, 3)).toHaveLength(1);
    expect(validateJsonSchema({ type: 'string', pattern: '^[a-z]+$' }, 'ab1')).toHaveLength(1);
    expect(validateJsonSchema({ type: 'string', nullable: true }, null)).toEqual([]);
    expect(validateJsonSchema({ type: ['string', 'null'] }, null)).toEqual([]);
    expect(validateJsonSchema({ const: { a: [1] } }, { a: [1] })).toEqual([]);
  });
});
