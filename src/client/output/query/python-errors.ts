/**
 * Errors raised while a query runs, with the text Python's would have: jmespath's own
 * (`Unknown function: foo()`, arity, `In function abs(), invalid type ...`) and the builtin
 * TypeError / ValueError its interpreter lets through.
 */
import { pyRepr, pyStr } from "../python/values.js";
import { Expref } from "./expref.js";

export class PythonRuntimeError extends Error {}

/** jmespath.exceptions.JMESPathTypeError. */
export function typeError(functionName: string, currentValue: unknown, actualType: string, expectedTypes: readonly string[]): PythonRuntimeError {
  return new PythonRuntimeError(
    `In function ${functionName}(), invalid type for value: ${currentValue instanceof Expref ? String(currentValue) : pyStr(currentValue)}, ` +
      `expected one of: ${pyRepr(expectedTypes)}, received: "${actualType}"`,
  );
}

/** jmespath.exceptions.ArityError / VariadictArityError. */
export function arityError(expected: number, actual: number, name: string, variadic: boolean): PythonRuntimeError {
  const word = expected === 1 ? "argument" : "arguments";
  return new PythonRuntimeError(`Expected ${variadic ? "at least " : ""}${expected} ${word} for function ${name}(), received ${actual}`);
}
