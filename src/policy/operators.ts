/**
 * Condition operator names (spec §3.2): an optional set prefix, one of the 27 base operators,
 * an optional IfExists suffix. Operator names are case-sensitive. Used by parse.ts to refuse
 * unknown operators and by conditions.ts to pick the comparison.
 */

export type OperatorFamily = "string" | "stringIgnoreCase" | "stringLike" | "numeric" | "date" | "bool" | "binary" | "ip" | "arn" | "null";
export type Comparison = "eq" | "lt" | "lte" | "gt" | "gte";

export interface BaseOperator {
  readonly family: OperatorFamily;
  /** For numeric and date operators; equality for the rest. */
  readonly comparison: Comparison;
  /** StringNotEquals, NotIpAddress, …: true when the request value matches none of the values. */
  readonly negated: boolean;
}

export interface Operator {
  readonly base: BaseOperator;
  readonly baseName: string;
  readonly set: "ForAnyValue" | "ForAllValues" | undefined;
  readonly ifExists: boolean;
}

const op = (family: OperatorFamily, negated = false, comparison: Comparison = "eq"): BaseOperator => ({ family, comparison, negated });

const BASE: ReadonlyMap<string, BaseOperator> = new Map([
  ["StringEquals", op("string")],
  ["StringNotEquals", op("string", true)],
  ["StringEqualsIgnoreCase", op("stringIgnoreCase")],
  ["StringNotEqualsIgnoreCase", op("stringIgnoreCase", true)],
  ["StringLike", op("stringLike")],
  ["StringNotLike", op("stringLike", true)],
  ["NumericEquals", op("numeric")],
  ["NumericNotEquals", op("numeric", true)],
  ["NumericLessThan", op("numeric", false, "lt")],
  ["NumericLessThanEquals", op("numeric", false, "lte")],
  ["NumericGreaterThan", op("numeric", false, "gt")],
  ["NumericGreaterThanEquals", op("numeric", false, "gte")],
  ["DateEquals", op("date")],
  ["DateNotEquals", op("date", true)],
  ["DateLessThan", op("date", false, "lt")],
  ["DateLessThanEquals", op("date", false, "lte")],
  ["DateGreaterThan", op("date", false, "gt")],
  ["DateGreaterThanEquals", op("date", false, "gte")],
  ["Bool", op("bool")],
  ["BinaryEquals", op("binary")],
  ["IpAddress", op("ip")],
  ["NotIpAddress", op("ip", true)],
  ["ArnEquals", op("arn")],
  ["ArnLike", op("arn")],
  ["ArnNotEquals", op("arn", true)],
  ["ArnNotLike", op("arn", true)],
  ["Null", op("null")],
]);

const SET_PREFIXES = ["ForAnyValue", "ForAllValues"] as const;
const IF_EXISTS = "IfExists";

/** The parts of an operator name, or undefined for a name IAM does not know. */
export function parseOperator(name: string): Operator | undefined {
  let rest = name;
  let set: Operator["set"];
  for (const prefix of SET_PREFIXES) {
    if (rest.startsWith(prefix + ":")) {
      set = prefix;
      rest = rest.slice(prefix.length + 1);
      break;
    }
  }
  let ifExists = false;
  if (rest.endsWith(IF_EXISTS) && rest.length > IF_EXISTS.length) {
    ifExists = true;
    rest = rest.slice(0, -IF_EXISTS.length);
  }
  const base = BASE.get(rest);
  // AWS: IfExists goes on "any condition operator except the Null condition".
  if (base === undefined || (ifExists && base.family === "null")) return undefined;
  return { base, baseName: rest, set, ifExists };
}

/** Operators whose values may hold policy variables (spec §1.3): String* and Arn*. */
export const takesVariables = (base: BaseOperator): boolean =>
  base.family === "string" || base.family === "stringIgnoreCase" || base.family === "stringLike" || base.family === "arn";
