/**
 * The three ways aws CLI v2 fails while producing output, each as the CLI reports it: the
 * client prints "\n" + message + "\n" on stderr and exits with `exitCode` (src/client/errors.ts).
 */
import { CliError, EXIT } from "../errors.js";

/**
 * `--query` does not parse. aws checks the expression before it sends the request
 * (awscli/customizations/globalargs.py `_resolve_query`) and exits 252 with
 * `Bad value for --query EXPR: <jmespath's message>`.
 */
export class InvalidQueryError extends CliError {
  constructor(
    readonly expression: string,
    readonly reason: string,
  ) {
    super(EXIT.parameter, `Bad value for --query ${expression}: ${reason}`);
    this.name = "InvalidQueryError";
  }
}

/**
 * The query parsed but failed on the response (unknown function, wrong arity or argument type,
 * `slice step cannot be zero`, `'<' not supported between ...`): Python's exception text, exit 255.
 */
export class QueryEvaluationError extends CliError {
  constructor(message: string) {
    super(EXIT.general, message);
    this.name = "QueryEvaluationError";
  }
}

/**
 * A formatter crashed on a shape it does not handle (the table formatter on rows of different
 * widths, the text formatter on a list mixing objects and scalars): Python's exception text,
 * exit 255. `stdout` is what the formatter had already written before the crash (the text
 * formatter writes as it goes); print it before the error to match aws byte for byte.
 */
export class FormatterError extends CliError {
  constructor(
    message: string,
    readonly stdout: string = "",
  ) {
    super(EXIT.general, message);
    this.name = "FormatterError";
  }
}
