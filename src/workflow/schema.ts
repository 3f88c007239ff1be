import type { StandardSchemaV1 } from '@standard-schema/spec';
import { ValidationError } from '../errors/index.js';

/** Any Standard Schema (zod 4, valibot, arktype, …). */
export type AnySchema = StandardSchemaV1;

/** The type a schema produces after validation. */
export type SchemaOutput<TSchema> = TSchema extends StandardSchemaV1
  ? StandardSchemaV1.InferOutput<TSchema>
  : unknown;

/** The type a schema accepts. */
export type SchemaInput<TSchema> = TSchema extends StandardSchemaV1
  ? StandardSchemaV1.InferInput<TSchema>
  : unknown;

/** A schema that accepts every value unchanged: used for tools that declare no output schema. */
export function passthroughSchema<T = unknown>(): StandardSchemaV1<T, T> {
  return { '~standard': { version: 1, vendor: 'lumosai', validate: (value) => ({ value: value as T }) } };
}

/** True when `value` implements Standard Schema. */
export function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { '~standard'?: { validate?: unknown } })['~standard']?.validate === 'function'
  );
}

/** Where a value crosses a boundary that a schema guards; named in validation errors. */
export interface Boundary {
  /** e.g. `input of step "fetch-user"`. */
  what: string;
  /** Fields copied into `error.data` (step id, path, workflow id). */
  data: Record<string, unknown>;
  hint: string;
}

/**
 * Validates `value` and returns the schema's output (so defaults and transforms apply).
 * Throws a `ValidationError` that names the boundary and lists `{ path, message }` issues.
 */
export async function validate<T>(
  schema: StandardSchemaV1<unknown, T>,
  value: unknown,
  boundary: Boundary,
): Promise<T> {
  let result = schema['~standard'].validate(value);
  if (result instanceof Promise) result = await result;
  if (!result.issues) return result.value;
  const issues = result.issues.map((issue) => ({
    path: (issue.path ?? [])
      .map((segment) => (typeof segment === 'object' ? segment.key : segment))
      .join('.'),
    message: issue.message,
  }));
  const summary = issues
    .map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message))
    .join('; ');
  throw new ValidationError(`The ${boundary.what} does not match its schema (${summary}).`, {
    hint: boundary.hint,
    data: { ...boundary.data, issues },
  });
}
