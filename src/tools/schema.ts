import type { StandardJSONSchemaV1, StandardSchemaV1 } from '@standard-schema/spec';
import { InvalidArgumentError } from '../errors/index.js';
import { type SchemaIssue, validateJsonSchema } from './json-schema-validator.js';

/** A plain JSON Schema object (what MCP servers and OpenAI's `parameters` use). */
export type JsonSchemaObject = Record<string, unknown>;

/**
 * What a tool or structured output accepts as a schema: a zod 4 schema, any other Standard
 * Schema (valibot, arktype, …) that also exposes `~standard.jsonSchema`, or raw JSON Schema.
 */
export type Schema = StandardSchemaV1 | JsonSchemaObject;

/** The value a schema yields after validation: the Standard Schema output, or `unknown` for JSON Schema. */
export type InferSchemaOutput<S> = S extends StandardSchemaV1 ? StandardSchemaV1.InferOutput<S> : unknown;

/** The value a schema accepts: the Standard Schema input, or `unknown` for JSON Schema. */
export type InferSchemaInput<S> = S extends StandardSchemaV1 ? StandardSchemaV1.InferInput<S> : unknown;

export type SchemaValidation<T> = { success: true; value: T } | { success: false; issues: SchemaIssue[] };

/** True when `schema` is a Standard Schema (zod 4, valibot, arktype, …). */
export function isStandardSchema(schema: unknown): schema is StandardSchemaV1 {
  return typeof schema === 'object' && schema !== null && '~standard' in schema;
}

/**
 * The JSON Schema of `schema`, for the model's tool `parameters` or `response_format`. Standard
 * Schemas convert through `~standard.jsonSchema` (zod 4 implements it with `z.toJSONSchema`).
 */
export function toJsonSchema(schema: Schema): JsonSchemaObject {
  if (!isStandardSchema(schema)) return schema;
  const converter = (schema as unknown as Partial<StandardJSONSchemaV1>)['~standard']?.jsonSchema;
  if (converter === undefined) {
    throw new InvalidArgumentError(
      `The ${schema['~standard'].vendor} schema cannot be converted to JSON Schema.`,
      {
        hint: 'Use a zod 4 schema, a Standard Schema that implements `~standard.jsonSchema`, or raw JSON Schema.',
      },
    );
  }
  const { $schema: _ignored, ...jsonSchema } = converter.input({ target: 'draft-07' });
  return jsonSchema;
}

/** Validates `value` against `schema`; never throws for an invalid value. */
export async function validateSchema<S extends Schema>(
  schema: S,
  value: unknown,
): Promise<SchemaValidation<InferSchemaOutput<S>>> {
  return validateSchemaNow(schema, value);
}

/**
 * `validateSchema` without the promise when the schema validates synchronously (JSON Schema,
 * zod without async refinements): the agent loop validates every tool call, and each promise it
 * awaits is a trip through the microtask queue.
 */
export function validateSchemaNow<S extends Schema>(
  schema: S,
  value: unknown,
): SchemaValidation<InferSchemaOutput<S>> | Promise<SchemaValidation<InferSchemaOutput<S>>> {
  if (!isStandardSchema(schema)) {
    const issues = validateJsonSchema(schema, value);
    return issues.length === 0
      ? { success: true, value: value as InferSchemaOutput<S> }
      : { success: false, issues };
  }
  const result = schema['~standard'].validate(value);
  return result instanceof Promise ? result.then(standardValidation<S>) : standardValidation<S>(result);
}

function standardValidation<S extends Schema>(
  result: StandardSchemaV1.Result<unknown>,
): SchemaValidation<InferSchemaOutput<S>> {
  if (result.issues === undefined) return { success: true, value: result.value as InferSchemaOutput<S> };
  return {
    success: false,
    issues: result.issues.map((issue) => ({
      path: (issue.path ?? []).map((segment) => {
        const key = typeof segment === 'object' ? segment.key : segment;
        return typeof key === 'number' ? key : String(key);
      }),
      message: issue.message,
    })),
  };
}

/** Formats issues as one line per problem, e.g. `city: Required.` */
export function formatIssues(issues: SchemaIssue[]): string {
  return issues
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('\n');
}
