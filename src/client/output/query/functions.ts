/**
 * The 26 built-in functions of jmespath 1.0.1 (`jmespath/functions.py`), with its signature
 * checks and messages. The community evaluator has more functions (items, zip, group_by, ...)
 * and other texts; aws CLI knows only these, so these are the only ones the evaluator gets.
 */
import { pyJsonDumps } from "../python/json.js";
import { compareCodePoints, isObject, pyEquals, pyLen, pyTypeName, type Value } from "../python/values.js";
import { Expref } from "./expref.js";
import { arityError, PythonRuntimeError, typeError } from "./python-errors.js";

type Arg = Value | Expref;
export type Evaluate = (expref: Expref, value: Value) => Value;

interface Signature {
  types: string[];
  variadic?: boolean;
}

interface PyFunction {
  signature: Signature[];
  call: (args: Arg[], evaluate: Evaluate) => Value;
}

// Python type name -> JMESPath type name (functions.py TYPES_MAP).
const TYPES_MAP: { [py: string]: string } = {
  bool: "boolean",
  list: "array",
  dict: "object",
  NoneType: "null",
  str: "string",
  float: "number",
  int: "number",
  _Expression: "expref",
};
// JMESPath type name -> Python type names (REVERSE_TYPES_MAP).
const REVERSE_TYPES_MAP: { [jp: string]: string[] } = {
  boolean: ["bool"],
  array: ["list"],
  object: ["dict"],
  null: ["NoneType"],
  string: ["str"],
  number: ["float", "int"],
  expref: ["_Expression"],
};

const typeName = (value: Arg): string => (value instanceof Expref ? "_Expression" : pyTypeName(value));
const jmespathType = (pyName: string): string => TYPES_MAP[pyName] ?? "unknown";

export function callFunction(name: string, args: Arg[], evaluate: Evaluate): Value {
  const fn = Object.hasOwn(FUNCTIONS, name) ? FUNCTIONS[name] : undefined;
  if (!fn) throw new PythonRuntimeError(`Unknown function: ${name}()`);
  validateArguments(args, fn.signature, name);
  return fn.call(args, evaluate);
}

function validateArguments(args: Arg[], signature: Signature[], name: string): void {
  const variadic = signature[signature.length - 1]?.variadic ?? false;
  if (variadic ? args.length < signature.length : args.length !== signature.length) {
    throw arityError(signature.length, args.length, name, variadic);
  }
  // Only as many arguments as the signature lists are checked (merge checks its first only).
  signature.forEach((spec, i) => {
    if (spec.types.length > 0) typeCheckSingle(args[i] as Arg, spec.types, name);
  });
}

function typeCheckSingle(current: Arg, types: string[], name: string): void {
  const allowedTypes: string[] = [];
  const allowedSubtypes: string[][] = [];
  for (const t of types) {
    const [type, subtype] = t.split("-", 2) as [string, string | undefined];
    if (subtype !== undefined) allowedSubtypes.push(REVERSE_TYPES_MAP[subtype] ?? []);
    allowedTypes.push(...(REVERSE_TYPES_MAP[type] ?? []));
  }
  const actual = typeName(current);
  if (!allowedTypes.includes(actual)) throw typeError(name, current, jmespathType(actual), types);
  if (allowedSubtypes.length > 0) subtypeCheck(current as Value[], allowedSubtypes, types, name);
}

function subtypeCheck(current: Value[], allowedSubtypes: string[][], types: string[], name: string): void {
  let allowed: string[];
  if (allowedSubtypes.length === 1) {
    allowed = allowedSubtypes[0] as string[];
  } else {
    if (current.length === 0) return;
    // Dynamic: the first element's type picks which list type this must be.
    const first = typeName(current[0] as Value);
    const match = allowedSubtypes.find((subtypes) => subtypes.includes(first));
    if (!match) throw typeError(name, current[0], first, types);
    allowed = match;
  }
  for (const element of current) {
    const actual = typeName(element);
    if (!allowed.includes(actual)) throw typeError(name, element, actual, types);
  }
}

/** Python's `<` / `>` between two keys, with its TypeError for str vs number. */
export function pyLess(a: Value, b: Value, symbol: string): boolean {
  if (typeof a === "string" && typeof b === "string") return compareCodePoints(a, b) < 0;
  if (typeof a === "number" && typeof b === "number") return a < b;
  throw new PythonRuntimeError(`'${symbol}' not supported between instances of '${pyTypeName(a)}' and '${pyTypeName(b)}'`);
}

/** max()/min() with an optional key: the first extreme element wins, as in Python. */
function extreme(items: Value[], key: (x: Value) => Value, max: boolean): Value {
  let best = items[0] as Value;
  let bestKey = key(best);
  for (const item of items.slice(1)) {
    const k = key(item);
    // Python compares item_key > max_key (max) or item_key < min_key (min).
    if (max ? pyLess(bestKey, k, ">") : pyLess(k, bestKey, "<")) {
      best = item;
      bestKey = k;
    }
  }
  return best;
}

function sortValues(items: Value[], key: (x: Value) => Value): Value[] {
  const keyed = items.map((item) => ({ item, k: key(item) }));
  keyed.sort((x, y) => (pyLess(y.k, x.k, "<") ? 1 : pyLess(x.k, y.k, "<") ? -1 : 0));
  return keyed.map((e) => e.item);
}

function createKeyFunc(expref: Expref, evaluate: Evaluate, allowedTypes: string[], name: string): (x: Value) => Value {
  return (x) => {
    const result = evaluate(expref, x);
    const type = jmespathType(typeName(result));
    if (!allowedTypes.includes(type)) throw typeError(name, result, type, allowedTypes);
    return result;
  };
}

function toNumber(arg: Value): Value {
  if (arg === null || typeof arg === "boolean" || Array.isArray(arg) || isObject(arg)) return null;
  if (typeof arg === "number") return arg;
  // int() then float(), as Python parses them (underscores between digits, surrounding blanks).
  const text = arg.trim();
  const digitpart = "\\d(?:_?\\d)*";
  const pointfloat = `(?:(?:${digitpart})?\\.${digitpart}|${digitpart}\\.)`;
  if (new RegExp(`^[+-]?${digitpart}$`).test(text)) return Number(text.replaceAll("_", ""));
  if (new RegExp(`^[+-]?(?:${pointfloat}|${digitpart})(?:[eE][+-]?${digitpart})?$`).test(text)) return Number(text.replaceAll("_", ""));
  const special = /^([+-]?)(inf|infinity|nan)$/i.exec(text);
  if (special) return special[2]?.toLowerCase() === "nan" ? NaN : special[1] === "-" ? -Infinity : Infinity;
  return null;
}

function toInteger(n: number): number {
  if (Number.isNaN(n)) throw new PythonRuntimeError("cannot convert float NaN to integer");
  if (!Number.isFinite(n)) throw new PythonRuntimeError("cannot convert float infinity to integer");
  return n;
}

/** dict.update() with a non-dict argument, as far as JSON values go. */
function dictUpdate(target: { [key: string]: Value }, arg: Value | Expref): void {
  if (arg instanceof Expref) throw new PythonRuntimeError("'_Expression' object is not iterable");
  if (isObject(arg)) {
    Object.assign(target, arg);
    return;
  }
  if (arg === null || typeof arg === "number" || typeof arg === "boolean") {
    throw new PythonRuntimeError(`'${pyTypeName(arg)}' object is not iterable`);
  }
  const elements: Value[] = typeof arg === "string" ? Array.from(arg) : arg;
  elements.forEach((element, i) => {
    const pair: Value[] | undefined =
      typeof element === "string" ? Array.from(element) : Array.isArray(element) ? element : isObject(element) ? Object.keys(element) : undefined;
    if (!pair) throw new PythonRuntimeError(`cannot convert dictionary update sequence element #${i} to a sequence`);
    if (pair.length !== 2) throw new PythonRuntimeError(`dictionary update sequence element #${i} has length ${pair.length}; 2 is required`);
    const [key, value] = pair as [Value, Value];
    if (typeof key !== "string") throw new PythonRuntimeError(`unhashable type: '${pyTypeName(key)}'`);
    target[key] = value;
  });
}

const sum = (items: number[]) => items.reduce((a, b) => a + b, 0);
const one = (...types: string[]): Signature => ({ types });

const FUNCTIONS: { [name: string]: PyFunction } = {
  abs: { signature: [one("number")], call: ([n]) => Math.abs(n as number) },
  avg: {
    signature: [one("array-number")],
    call: ([list]) => ((list as number[]).length ? sum(list as number[]) / (list as number[]).length : null),
  },
  not_null: {
    signature: [{ types: [], variadic: true }],
    call: (args) => (args.find((a) => a !== null) as Value | undefined) ?? null,
  },
  to_array: { signature: [one()], call: ([arg]) => (Array.isArray(arg) ? arg : [arg as Value]) },
  to_string: {
    signature: [one()],
    call: ([arg]) => (typeof arg === "string" ? arg : pyJsonDumps(arg, { separators: [",", ":"], ensureAscii: true })),
  },
  to_number: { signature: [one()], call: ([arg]) => toNumber(arg as Value) },
  contains: {
    signature: [one("array", "string"), one()],
    call: ([subject, search]) => {
      if (typeof subject === "string") {
        if (typeof search !== "string") {
          throw new PythonRuntimeError(`'in <string>' requires string as left operand, not ${typeName(search as Value)}`);
        }
        return subject.includes(search);
      }
      return (subject as Value[]).some((el) => pyEquals(el, search));
    },
  },
  length: {
    signature: [one("string", "array", "object")],
    call: ([arg]) => (typeof arg === "string" ? pyLen(arg) : Array.isArray(arg) ? arg.length : Object.keys(arg as object).length),
  },
  ends_with: { signature: [one("string"), one("string")], call: ([s, suffix]) => (s as string).endsWith(suffix as string) },
  starts_with: { signature: [one("string"), one("string")], call: ([s, prefix]) => (s as string).startsWith(prefix as string) },
  reverse: {
    signature: [one("array", "string")],
    call: ([arg]) => (typeof arg === "string" ? Array.from(arg).reverse().join("") : [...(arg as Value[])].reverse()),
  },
  ceil: { signature: [one("number")], call: ([n]) => Math.ceil(toInteger(n as number)) },
  floor: { signature: [one("number")], call: ([n]) => Math.floor(toInteger(n as number)) },
  join: { signature: [one("string"), one("array-string")], call: ([sep, list]) => (list as string[]).join(sep as string) },
  map: {
    signature: [one("expref"), one("array")],
    call: ([expref, list], evaluate) => (list as Value[]).map((el) => evaluate(expref as Expref, el)),
  },
  max: {
    signature: [one("array-number", "array-string")],
    call: ([list]) => ((list as Value[]).length ? extreme(list as Value[], (x) => x, true) : null),
  },
  merge: {
    signature: [{ types: ["object"], variadic: true }],
    call: (args) => {
      const merged: { [key: string]: Value } = Object.create(null);
      for (const arg of args) dictUpdate(merged, arg);
      return merged;
    },
  },
  min: {
    signature: [one("array-number", "array-string")],
    call: ([list]) => ((list as Value[]).length ? extreme(list as Value[], (x) => x, false) : null),
  },
  sort: { signature: [one("array-string", "array-number")], call: ([list]) => sortValues(list as Value[], (x) => x) },
  sum: { signature: [one("array-number")], call: ([list]) => sum(list as number[]) },
  keys: { signature: [one("object")], call: ([obj]) => Object.keys(obj as object) },
  values: { signature: [one("object")], call: ([obj]) => Object.values(obj as { [key: string]: Value }) },
  // An &expression has no JMESPath type: functions.py's chain of isinstance checks returns None.
  type: { signature: [one()], call: ([arg]) => (arg instanceof Expref ? null : jmespathType(typeName(arg as Arg))) },
  sort_by: {
    signature: [one("array"), one("expref")],
    call: ([list, expref], evaluate) => {
      const array = list as Value[];
      if (array.length === 0) return array;
      // The first element's key decides whether all keys must be numbers or strings.
      const requiredType = jmespathType(typeName(evaluate(expref as Expref, array[0] as Value)));
      if (requiredType !== "number" && requiredType !== "string") throw typeError("sort_by", array[0], requiredType, ["string", "number"]);
      return sortValues(array, createKeyFunc(expref as Expref, evaluate, [requiredType], "sort_by"));
    },
  },
  min_by: {
    signature: [one("array"), one("expref")],
    call: ([list, expref], evaluate) => {
      const key = createKeyFunc(expref as Expref, evaluate, ["number", "string"], "min_by");
      return (list as Value[]).length ? extreme(list as Value[], key, false) : null;
    },
  },
  max_by: {
    signature: [one("array"), one("expref")],
    call: ([list, expref], evaluate) => {
      const key = createKeyFunc(expref as Expref, evaluate, ["number", "string"], "max_by");
      return (list as Value[]).length ? extreme(list as Value[], key, true) : null;
    },
  },
};
