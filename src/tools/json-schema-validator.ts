/**
 * A small JSON Schema validator for tool inputs (MCP tools, raw JSON Schema tools). It
 * interprets the schema directly instead of compiling it: ajv compiles with `new Function`,
 * which a Manifest V3 extension's CSP forbids. Covers the keywords tool schemas use in
 * practice: type, properties, required, additionalProperties, items, prefixItems, enum, const,
 * min/max (length, items, properties), minimum/maximum (exclusive too), multipleOf, pattern,
 * allOf/anyOf/oneOf/not, nullable, local `$ref` (`#/...`). Unknown keywords are ignored.
 */

/** One problem found in a value. `path` lists property names and array indexes from the root. */
export interface SchemaIssue {
  path: (string | number)[];
  message: string;
}

type JsonSchema = Record<string, unknown> | boolean;

const maxIssues = 20;

/**
 * Validates `value` against a JSON Schema and returns the issues found (empty when valid).
 * Draft-07 and 2020-12 keyword spellings are both understood.
 */
export function validateJsonSchema(schema: Record<string, unknown>, value: unknown): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  check(schema, value, [], issues, schema);
  return issues;
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function matchesType(expected: string, value: unknown): boolean {
  const actual = typeOf(value);
  return expected === actual || (expected === 'number' && actual === 'integer');
}

function resolveRef(root: Record<string, unknown>, ref: string): JsonSchema | undefined {
  if (!ref.startsWith('#')) return undefined;
  let node: unknown = root;
  for (const raw of ref.slice(1).split('/').filter(Boolean)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return typeof node === 'object' || typeof node === 'boolean' ? (node as JsonSchema) : undefined;
}

function deepEqual(left: unknown, right: unknown): boolean {
  if (left === right) return true;
  if (typeof left !== 'object' || typeof right !== 'object' || left === null || right === null) return false;
  if (Array.isArray(left) !== Array.isArray(right)) return false;
  const leftKeys = Object.keys(left);
  if (leftKeys.length !== Object.keys(right).length) return false;
  return leftKeys.every((key) =>
    deepEqual((left as Record<string, unknown>)[key], (right as Record<string, unknown>)[key]),
  );
}

function check(
  schema: JsonSchema,
  value: unknown,
  path: (string | number)[],
  issues: SchemaIssue[],
  root: Record<string, unknown>,
): void {
  if (issues.length >= maxIssues) return;
  if (schema === true) return;
  if (schema === false) {
    issues.push({ path, message: 'No value is allowed here.' });
    return;
  }
  const add = (message: string, at = path) => issues.push({ path: at, message });

  if (typeof schema.$ref === 'string') {
    const target = resolveRef(root, schema.$ref);
    if (target === undefined) add(`Cannot resolve schema reference ${schema.$ref}.`);
    else check(target, value, path, issues, root);
  }
  if (value === null && schema.nullable === true) return;

  const types = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
  if (types.length > 0 && !types.some((type) => matchesType(String(type), value))) {
    add(`Expected ${types.join(' or ')}, received ${typeOf(value)}.`);
    return;
  }
  if (Array.isArray(schema.enum) && !schema.enum.some((option) => deepEqual(option, value))) {
    add(`Expected one of ${JSON.stringify(schema.enum)}.`);
  }
  if ('const' in schema && !deepEqual(schema.const, value)) add(`Expected ${JSON.stringify(schema.const)}.`);

  if (typeof value === 'number') checkNumber(schema, value, add);
  if (typeof value === 'string') checkString(schema, value, add);
  if (Array.isArray(value)) checkArray(schema, value, path, issues, root);
  else if (typeof value === 'object' && value !== null) {
    checkObject(schema, value as Record<string, unknown>, path, issues, root);
  }
  checkCombinators(schema, value, path, issues, root);
}

function checkNumber(schema: Record<string, unknown>, value: number, add: (message: string) => void): void {
  const { minimum, maximum, exclusiveMinimum, exclusiveMaximum, multipleOf } = schema;
  if (typeof minimum === 'number' && value < minimum) add(`Must be >= ${minimum}.`);
  if (typeof maximum === 'number' && value > maximum) add(`Must be <= ${maximum}.`);
  if (typeof exclusiveMinimum === 'number' && value <= exclusiveMinimum)
    add(`Must be > ${exclusiveMinimum}.`);
  if (typeof exclusiveMaximum === 'number' && value >= exclusiveMaximum)
    add(`Must be < ${exclusiveMaximum}.`);
  if (
    typeof multipleOf === 'number' &&
    Math.abs(value / multipleOf - Math.round(value / multipleOf)) > 1e-9
  ) {
    add(`Must be a multiple of ${multipleOf}.`);
  }
}

function checkString(schema: Record<string, unknown>, value: string, add: (message: string) => void): void {
  const length = [...value].length;
  if (typeof schema.minLength === 'number' && length < schema.minLength) {
    add(`Must have at least ${schema.minLength} characters.`);
  }
  if (typeof schema.maxLength === 'number' && length > schema.maxLength) {
    add(`Must have at most ${schema.maxLength} characters.`);
  }
  if (typeof schema.pattern === 'string' && !patternOf(schema.pattern).test(value)) {
    add(`Must match the pattern ${schema.pattern}.`);
  }
}

const patterns = new Map<string, RegExp>();

/** JSON Schema patterns are ECMA-262 regexes; some valid ones are refused in unicode mode. */
function patternOf(source: string): RegExp {
  let pattern = patterns.get(source);
  if (pattern === undefined) {
    try {
      pattern = new RegExp(source, 'u');
    } catch {
      pattern = new RegExp(source);
    }
    patterns.set(source, pattern);
  }
  return pattern;
}

function checkArray(
  schema: Record<string, unknown>,
  value: unknown[],
  path: (string | number)[],
  issues: SchemaIssue[],
  root: Record<string, unknown>,
): void {
  if (typeof schema.minItems === 'number' && value.length < schema.minItems) {
    issues.push({ path, message: `Must have at least ${schema.minItems} items.` });
  }
  if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) {
    issues.push({ path, message: `Must have at most ${schema.maxItems} items.` });
  }
  const prefix = Array.isArray(schema.prefixItems)
    ? (schema.prefixItems as JsonSchema[])
    : Array.isArray(schema.items)
      ? (schema.items as JsonSchema[])
      : [];
  const rest = Array.isArray(schema.items) ? schema.additionalItems : schema.items;
  value.forEach((item, index) => {
    const itemSchema = index < prefix.length ? prefix[index] : (rest as JsonSchema | undefined);
    if (itemSchema !== undefined) check(itemSchema, item, [...path, index], issues, root);
  });
  if (
    schema.uniqueItems === true &&
    value.some((item, index) => value.findIndex((other) => deepEqual(item, other)) !== index)
  ) {
    issues.push({ path, message: 'Items must be unique.' });
  }
}

function checkObject(
  schema: Record<string, unknown>,
  value: Record<string, unknown>,
  path: (string | number)[],
  issues: SchemaIssue[],
  root: Record<string, unknown>,
): void {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  if (Array.isArray(schema.required)) {
    for (const key of schema.required as string[]) {
      if (!(key in value)) issues.push({ path: [...path, key], message: 'Required.' });
    }
  }
  const keys = Object.keys(value);
  if (typeof schema.minProperties === 'number' && keys.length < schema.minProperties) {
    issues.push({ path, message: `Must have at least ${schema.minProperties} properties.` });
  }
  if (typeof schema.maxProperties === 'number' && keys.length > schema.maxProperties) {
    issues.push({ path, message: `Must have at most ${schema.maxProperties} properties.` });
  }
  for (const key of keys) {
    if (key in properties) {
      check(properties[key]!, value[key], [...path, key], issues, root);
    } else if (schema.additionalProperties === false) {
      issues.push({ path: [...path, key], message: 'Unknown property.' });
    } else if (typeof schema.additionalProperties === 'object' && schema.additionalProperties !== null) {
      check(schema.additionalProperties as JsonSchema, value[key], [...path, key], issues, root);
    }
  }
}

function checkCombinators(
  schema: Record<string, unknown>,
  value: unknown,
  path: (string | number)[],
  issues: SchemaIssue[],
  root: Record<string, unknown>,
): void {
  const passes = (candidate: JsonSchema) => {
    const found: SchemaIssue[] = [];
    check(candidate, value, path, found, root);
    return found.length === 0;
  };
  if (Array.isArray(schema.allOf)) {
    for (const part of schema.allOf as JsonSchema[]) check(part, value, path, issues, root);
  }
  if (Array.isArray(schema.anyOf) && !(schema.anyOf as JsonSchema[]).some(passes)) {
    issues.push({ path, message: 'Must match at least one of the allowed schemas (anyOf).' });
  }
  if (Array.isArray(schema.oneOf)) {
    const matches = (schema.oneOf as JsonSchema[]).filter(passes).length;
    if (matches !== 1)
      issues.push({ path, message: `Must match exactly one schema (oneOf); matched ${matches}.` });
  }
  if (schema.not !== undefined && passes(schema.not as JsonSchema)) {
    issues.push({ path, message: 'Must not match the excluded schema (not).' });
  }
}
