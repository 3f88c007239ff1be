export {
  type CreateToolOptions,
  createTool,
  type InferToolInput,
  isTool,
  type Tool,
  type ToolExecutionContext,
  type ToolStreamWriter,
} from './create-tool.js';
export { type SchemaIssue, validateJsonSchema } from './json-schema-validator.js';
export { MCPClient, type MCPClientOptions, type MCPServerConfig } from './mcp-client.js';
export {
  executeTool,
  type PreparedToolCall,
  prepareToolCall,
  type ToolErrorResult,
  type ToolResult,
  toolResultContent,
} from './run-tool.js';
export {
  formatIssues,
  type InferSchemaInput,
  type InferSchemaOutput,
  isStandardSchema,
  type JsonSchemaObject,
  type Schema,
  type SchemaValidation,
  toJsonSchema,
  validateSchema,
} from './schema.js';
