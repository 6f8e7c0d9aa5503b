/**
 * The stdout of aws CLI v2 (2.9.19) for a parsed response: --query first, then the
 * --output formatter (awscli/formatter.py). Each format treats the query's result its own way:
 *
 * | result      | json        | text            | table          | yaml / yaml-stream     |
 * | ----------- | ----------- | --------------- | -------------- | ---------------------- |
 * | null        | `null`      | `None`          | nothing        | `null` / `- null`      |
 * | "x", 1, true| JSON scalar | `x` `1` `True`  | title only     | JSON scalar / `- x`    |
 * | [] / {}     | `[]` / none | nothing         | nothing        | `[]` / none            |
 */
import { formatJson } from "./json.js";
import { compileQuery, searchQuery } from "./query/search.js";
import { formatTable } from "./table/format-table.js";
import { formatText } from "./text.js";
import { formatYaml, formatYamlStream } from "./yaml/format-yaml.js";

export type OutputFormat = "json" | "text" | "table" | "yaml" | "yaml-stream";

export interface FormatOptions {
  output: OutputFormat;
  /** A JMESPath expression, applied before formatting. */
  query?: string;
  /** The operation's name (`GetSessionToken`): the title of --output table. */
  operationName: string;
  /** `--color on`, or `auto` on a terminal. Only --output table has colours in aws CLI 2.9.19. */
  color: boolean;
  /**
   * Columns of the terminal, for --output table (a table wider than this turns its single-row
   * sections on their side). aws asks the terminal; without one it uses 80, the default here.
   */
  terminalWidth?: number;
}

const compiled = new Map<string, ReturnType<typeof compileQuery>>();

/**
 * Exactly the bytes aws CLI v2 writes to stdout. `response` is the parsed response without
 * ResponseMetadata, members in model order, timestamps already as the CLI prints them.
 * Throws InvalidQueryError (exit 252) for a query that does not parse, QueryEvaluationError
 * or FormatterError (exit 255) where aws fails.
 */
export function formatOutput(response: unknown, options: FormatOptions): string {
  let data = response;
  if (options.query !== undefined) {
    let query = compiled.get(options.query);
    if (!query) {
      query = compileQuery(options.query);
      compiled.set(options.query, query);
    }
    data = searchQuery(query, response);
  }
  switch (options.output) {
    case "json":
      return formatJson(data);
    case "text":
      return formatText(data);
    case "table":
      return formatTable(options.operationName, data, { color: options.color, terminalWidth: options.terminalWidth });
    case "yaml":
      return formatYaml(data);
    case "yaml-stream":
      return formatYamlStream(data);
  }
}

/** Throws InvalidQueryError as aws does before sending the request when --query does not parse. */
export function checkQuery(expression: string): void {
  compileQuery(expression);
}
