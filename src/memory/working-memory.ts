import { z } from 'zod';
import { ValidationError } from '../errors/index.js';
import type { WorkingMemoryOptions } from './types.js';

/** The markdown a resource's working memory starts from when no template is given (Mastra's). */
export const defaultWorkingMemoryTemplate = `# User Information
- **First Name**:
- **Last Name**:
- **Location**:
- **Occupation**:
- **Interests**:
- **Goals**:
- **Events**:
- **Facts**:
- **Projects**:
`;

/** Name of the tool through which the agent rewrites working memory. */
export const workingMemoryToolName = 'updateWorkingMemory';

/** The system text that shows the model its working memory and how to update it. */
export function workingMemorySystemText(options: WorkingMemoryOptions, current: string | undefined): string {
  const schemaMode = options.schema !== undefined;
  const shape = schemaMode
    ? `<working_memory_schema>\n${JSON.stringify(z.toJSONSchema(options.schema as z.ZodObject))}\n</working_memory_schema>`
    : `<working_memory_template>\n${options.template ?? defaultWorkingMemoryTemplate}</working_memory_template>`;
  return [
    'WORKING MEMORY: a persistent note about the user and this conversation.',
    `When you learn something worth remembering, call the ${workingMemoryToolName} tool${
      schemaMode
        ? ' with only the fields that changed (they are merged).'
        : ' with the complete updated note.'
    } Do not mention the note to the user.`,
    shape,
    `<working_memory_data>\n${current ?? (schemaMode ? '{}' : (options.template ?? defaultWorkingMemoryTemplate))}\n</working_memory_data>`,
  ].join('\n');
}

/** The zod input schema of the update tool for these options. */
export function workingMemoryInputSchema(options: WorkingMemoryOptions): z.ZodObject {
  if (options.schema) {
    return z.object({
      memory: options.schema.partial().describe('Only the fields that changed; they are merged.'),
    });
  }
  return z.object({ memory: z.string().describe('The complete updated working memory, as markdown.') });
}

/**
 * The new stored text after an update: markdown replaces the note; with a schema the fields
 * are merged into the current JSON and the result validated.
 */
export function nextWorkingMemory(
  options: WorkingMemoryOptions,
  current: string | undefined,
  update: unknown,
): string {
  if (!options.schema) {
    if (typeof update !== 'string') {
      throw new ValidationError('Working memory must be a markdown string.', {
        hint: 'Pass { memory: "..." }.',
      });
    }
    return update;
  }
  const base = current ? (JSON.parse(current) as Record<string, unknown>) : {};
  const patch = typeof update === 'string' ? (JSON.parse(update) as unknown) : update;
  const merged = { ...base, ...(patch as Record<string, unknown>) };
  const parsed = options.schema.safeParse(merged);
  if (!parsed.success) {
    throw new ValidationError('The working memory update does not match its schema.', {
      hint: 'Send only fields of the working memory schema, with the right types.',
      data: {
        issues: parsed.error.issues.map((issue) => ({
          path: issue.path.map(String),
          message: issue.message,
        })),
      },
    });
  }
  return JSON.stringify(parsed.data, null, 2);
}
