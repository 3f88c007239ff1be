/** A JSON value's place in the pretty-printed text: its path and character span. */
export interface JsonNode {
  /** JSONPath-like location, e.g. `$.items[2].name`. */
  path: string;
  /** Span of the member (`"key": value`) or array element, as printed. */
  start: number;
  end: number;
  children: JsonNode[];
}

/** The canonical text of a JSON document and the span of every value in it. */
export interface JsonText {
  text: string;
  root: JsonNode;
}

const identifier = /^[A-Za-z_$][\w$]*$/;

/**
 * Pretty-prints a JSON value (two-space indent, like `JSON.stringify(value, null, 2)`) while
 * recording where every member and element lands, so JSON chunks are exact spans of the text.
 */
export function jsonToText(value: unknown): JsonText {
  const parts: string[] = [];
  let length = 0;
  const write = (text: string) => {
    parts.push(text);
    length += text.length;
  };
  const visit = (node: unknown, path: string, indent: string, start: number): JsonNode => {
    const children: JsonNode[] = [];
    const inner = `${indent}  `;
    if (Array.isArray(node)) {
      if (node.length === 0) write('[]');
      else {
        write('[\n');
        node.forEach((item, index) => {
          write(inner);
          children.push(visit(item, `${path}[${index}]`, inner, length));
          if (index < node.length - 1) write(',');
          write('\n');
        });
        write(`${indent}]`);
      }
    } else if (node !== null && typeof node === 'object') {
      const entries = Object.entries(node).filter(
        ([, item]) => item !== undefined && typeof item !== 'function',
      );
      if (entries.length === 0) write('{}');
      else {
        write('{\n');
        entries.forEach(([key, item], index) => {
          write(inner);
          const memberStart = length;
          write(`${JSON.stringify(key)}: `);
          const childPath = identifier.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
          const child = visit(item, childPath, inner, memberStart);
          children.push(child);
          if (index < entries.length - 1) write(',');
          write('\n');
        });
        write(`${indent}}`);
      }
    } else {
      write(JSON.stringify(node) ?? 'null');
    }
    return { path, start, end: length, children };
  };
  const root = visit(value, '$', '', 0);
  return { text: parts.join(''), root };
}
