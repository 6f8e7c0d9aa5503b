/**
 * aws CLI v2's output: --query and --output json | text | table | yaml | yaml-stream, byte for
 * byte. A port of awscli/formatter.py, text.py and table.py, of the libyaml emitter behind
 * its YAML, and of Python jmespath's parser and functions (evaluated by
 * @jmespath-community/jmespath).
 */
export { checkQuery, formatOutput, type FormatOptions, type OutputFormat } from "./format-output.js";
export { FormatterError, InvalidQueryError, QueryEvaluationError } from "./errors.js";
export { DEFAULT_TERMINAL_WIDTH } from "./table/multi-table.js";
