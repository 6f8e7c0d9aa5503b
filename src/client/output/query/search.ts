/**
 * --query: compile with the port of Python jmespath's parser (same grammar, same messages),
 * evaluate with @jmespath-community/jmespath's tree interpreter on the translated AST, with
 * Python's functions. The interpreter is a private instance, so the function table installed
 * here is not seen by any other user of the library in the process.
 */
import { createRequire } from "node:module";
import type { JSONValue } from "@jmespath-community/jmespath";
import { InvalidQueryError, QueryEvaluationError } from "../errors.js";
import { compareCodePoints, pyEquals, pyLen, pyStr, pyTypeName, type Value } from "../python/values.js";
import { Expref } from "./expref.js";
import { callFunction, pyLess } from "./functions.js";
import { EmptyExpressionError, LexerError } from "./lexer.js";
import { IncompleteExpressionError, parse, ParseError, PythonIndexError } from "./parser.js";
import { PythonRuntimeError } from "./python-errors.js";
import { INTERNAL, nullPrototype, toCommunity, type ExpressionNode } from "./to-community.js";

export interface CompiledQuery {
  readonly expression: string;
  readonly ast: ExpressionNode;
}

/** Parses a --query expression; throws InvalidQueryError with aws's message (exit 252). */
export function compileQuery(expression: string): CompiledQuery {
  try {
    return { expression, ast: toCommunity(parse(expression)) };
  } catch (e) {
    throw new InvalidQueryError(expression, parseErrorText(e, expression));
  }
}

/** What `str()` of jmespath's exception says (jmespath/exceptions.py). */
function parseErrorText(e: unknown, expression: string): string {
  const caret = (n: number) => " ".repeat(n) + "^";
  if (e instanceof EmptyExpressionError) return e.message;
  if (e instanceof LexerError) return `Bad jmespath expression: ${e.reason}:\n${expression}\n${caret(e.lexerPosition)}`;
  if (e instanceof IncompleteExpressionError) {
    const position = pyLen(expression);
    return `Invalid jmespath expression: Incomplete expression:\n"${expression}"\n${caret(position + 1)}`;
  }
  if (e instanceof ParseError) {
    return (
      `${e.reason}: Parse error at column ${e.lexPosition}, token "${pyStr(e.tokenValue)}" ` +
      `(${e.tokenType.toUpperCase()}), for expression:\n"${expression}"\n${caret(e.lexPosition + 1)}`
    );
  }
  if (e instanceof PythonIndexError) return e.message;
  throw e;
}

type Jmespath = typeof import("@jmespath-community/jmespath");
type Interpreter = Jmespath["TreeInterpreter"];
let interpreter: Interpreter | undefined;

// The package is loaded on the first search, not with this module: every served drop-in call
// formats its output, few ask for --query, and the drop-ins' start-up counts (issue 15).
const requireHere = createRequire(import.meta.url);

function privateInterpreter(): Interpreter {
  if (interpreter) return interpreter;
  const { TreeInterpreter, TYPE_ANY } = requireHere("@jmespath-community/jmespath") as Jmespath;
  const Ctor = TreeInterpreter.constructor as new () => Interpreter;
  const own = new Ctor();
  const evaluate = (expref: Expref, value: Value) => own.visit(expref.node as ExpressionNode, value as JSONValue) as Value;
  // Every name resolves through callFunction: Python's builtins plus the internal helpers;
  // anything else is Python's "Unknown function: name()".
  const anyArgs = [{ types: [TYPE_ANY], variadic: true, optional: true }];
  own.runtime._functionTable = new Proxy(
    {},
    {
      get: (_target, name) =>
        typeof name === "string"
          ? { _signature: anyArgs, _func: (args: (Value | Expref)[]) => dispatch(name, args, evaluate) }
          : undefined,
    },
  );
  interpreter = own;
  return own;
}

function dispatch(name: string, args: (Value | Expref)[], evaluate: (e: Expref, v: Value) => Value): Value {
  switch (name) {
    case INTERNAL.compare:
      return compare(args[0] as string, args[1] as Value, args[2] as Value);
    case INTERNAL.slice:
      return slice(args[0] as Value, args[1] as number | null, args[2] as number | null, args[3] as number | null);
    case INTERNAL.notNull:
      return args[0] !== null;
    case INTERNAL.dict: {
      const keys = args[0] as string[];
      const out: { [key: string]: Value } = Object.create(null);
      keys.forEach((key, i) => (out[key] = args[i + 1] as Value));
      return out;
    }
    default:
      return callFunction(name, args, evaluate);
  }
}

/** Evaluates a compiled query on a response; Python's runtime errors become QueryEvaluationError (exit 255). */
export function searchQuery(query: CompiledQuery, data: unknown): unknown {
  try {
    return withoutExprefs(privateInterpreter().search(query.ast, nullPrototype(data) as JSONValue));
  } catch (e) {
    if (e instanceof PythonRuntimeError) throw new QueryEvaluationError(e.message);
    throw e;
  }
}

/**
 * An `&expr` that ends up in the result prints as Python's object repr, which carries a memory
 * address; the address is left out.
 */
function withoutExprefs(value: unknown): unknown {
  if (value instanceof Expref) return String(value);
  // In place: a copy would lose which objects are shared, which --output yaml shows as aliases.
  if (typeof value === "object" && value !== null) {
    const container = value as { [key: string]: unknown };
    for (const key of Object.keys(container)) {
      const member = container[key];
      if (typeof member === "object" && member !== null) container[key] = withoutExprefs(member);
    }
  }
  return value;
}

// --- Python TreeInterpreter semantics the community one lacks ---

const SYMBOLS: { [op: string]: string } = { lt: "<", gt: ">", lte: "<=", gte: ">=" };

function compare(op: string, left: Value, right: Value): Value {
  if (op === "eq") return pyJmespathEquals(left, right);
  if (op === "ne") return !pyJmespathEquals(left, right);
  // Ordering is defined on numbers (not booleans) and strings; anything else is null.
  const comparable = (x: Value) => typeof x === "number" || typeof x === "string";
  if (!comparable(left) || !comparable(right)) return null;
  const symbol = SYMBOLS[op] as string;
  if (typeof left !== typeof right) {
    throw new PythonRuntimeError(`'${symbol}' not supported between instances of '${pyTypeName(left)}' and '${pyTypeName(right)}'`);
  }
  const less = pyLess(left, right, symbol);
  const equal = typeof left === "string" ? compareCodePoints(left, right as string) === 0 : left === right;
  if (op === "lt") return less;
  if (op === "lte") return less || equal;
  if (op === "gt") return !less && !equal;
  return !less;
}

/** visitor.py `_equals`: 0 and 1 are never equal to false and true, despite Python's ==. */
function pyJmespathEquals(x: Value, y: Value): boolean {
  const isNumber = (v: Value) => typeof v === "number";
  if (isNumber(x) && (x === 0 || x === 1)) {
    if (typeof y === "boolean") return false;
  } else if (isNumber(y) && (y === 0 || y === 1)) {
    if (typeof x === "boolean") return false;
  }
  return pyEquals(x, y);
}

/** Python list slicing (slice.indices), null for anything that is not a list. */
function slice(value: Value, start: number | null, stop: number | null, step: number | null): Value {
  if (!Array.isArray(value)) return null;
  const s = step ?? 1;
  if (s === 0) throw new PythonRuntimeError("slice step cannot be zero");
  const length = value.length;
  const [lower, upper] = s < 0 ? [-1, length - 1] : [0, length];
  const clamp = (v: number | null, fallback: number) => {
    if (v === null) return fallback;
    const x = v < 0 ? v + length : v;
    return x < lower ? lower : x > upper ? upper : x;
  };
  const from = clamp(start, s < 0 ? upper : lower);
  const to = clamp(stop, s < 0 ? lower : upper);
  const out: Value[] = [];
  if (s > 0) for (let i = from; i < to; i += s) out.push(value[i] as Value);
  else for (let i = from; i > to; i += s) out.push(value[i] as Value);
  return out;
}

