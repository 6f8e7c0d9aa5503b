/**
 * One condition clause (operator, key, values) compiled into a test of a request context
 * (spec §3). The block rules live here; evaluate.ts ANDs the clauses of a statement.
 *
 *  - Several values for one key: OR. Negated operators (StringNotEquals, NotIpAddress, …): the
 *    request value must match none of them.
 *  - Key absent from the request: false; negated operators: true; …IfExists: true;
 *    ForAllValues: true; ForAnyValue: false; Null: its own rule. An empty list of request
 *    values counts as absent.
 *  - ForAllValues: every request value satisfies the operator; ForAnyValue: at least one does.
 *  - A plain (single-valued) operator given several request values is treated as ForAnyValue.
 *    UNCONFIRMED: AWS only says multivalued keys "require" a set operator.
 *  - An operator the engine does not know is false (parsePolicy refuses them unless their key
 *    map is empty, in which case there is no clause at all).
 */
import { parsePolicyDate } from "./dates.js";
import { inCidr, parseCidr, parseIp, type Cidr } from "./ip.js";
import { compilePatterns } from "./match.js";
import { parseOperator, takesVariables, type BaseOperator, type Comparison } from "./operators.js";
import { parseTemplate, resolveText, type Template, type Variable } from "./variables.js";
import type { ConditionClause, RequestContext } from "./types.js";

export interface CompiledCondition {
  readonly clause: ConditionClause;
  /** The key in lower case, as request contexts hold it. */
  readonly lookup: string;
  /** Policy variables in the values, for missing-key reporting. */
  readonly variables: readonly Variable[];
  readonly test: (context: RequestContext) => boolean;
}

/** Whether some policy value matches one request value (the operator's positive sense). */
type Matcher = (requestValue: string, context: RequestContext) => boolean;

const NEVER = (): boolean => false;

/** @param substitute whether policy variables apply (Version 2012-10-17). */
export function compileCondition(clause: ConditionClause, substitute: boolean): CompiledCondition {
  const lookup = clause.key.toLowerCase();
  const operator = parseOperator(clause.operator);
  if (operator === undefined) return { clause, lookup, variables: [], test: NEVER };

  const { base, set, ifExists } = operator;
  const templates = clause.values.map((v) => parseTemplate(v, substitute && takesVariables(base)));
  const variables = templates.flatMap((t) => t.variables);

  if (base.family === "null") {
    // "true": the key must be absent; "false": present. Read like Bool values (see boolValue).
    const wants = clause.values.map(boolValue);
    return { clause, lookup, variables, test: (context) => wants.includes(requestValues(context, lookup).length === 0) };
  }

  const matches = compileMatcher(base, clause.values, templates);
  const satisfies: Matcher = base.negated ? (v, c) => !matches(v, c) : matches;
  const test = (context: RequestContext): boolean => {
    const values = requestValues(context, lookup);
    if (values.length === 0) {
      if (ifExists || set === "ForAllValues") return true;
      if (set === "ForAnyValue") return false;
      return base.negated;
    }
    if (values.length === 1) return satisfies(values[0]!, context);
    return set === "ForAllValues" ? values.every((v) => satisfies(v, context)) : values.some((v) => satisfies(v, context));
  };
  return { clause, lookup, variables, test };
}

const EMPTY: readonly string[] = [];

function requestValues(context: RequestContext, lookup: string): readonly string[] {
  const value = context.get(lookup);
  return value === undefined ? EMPTY : typeof value === "string" ? [value] : value;
}

function compileMatcher(base: BaseOperator, values: readonly string[], templates: readonly Template[]): Matcher {
  const dynamic = templates.some((t) => t.variables.length > 0);
  switch (base.family) {
    case "string":
    case "stringIgnoreCase": {
      const fold = base.family === "string" ? (s: string) => s : (s: string) => s.toLowerCase();
      if (!dynamic) {
        const set = new Set(values.map(fold));
        return (v) => set.has(fold(v));
      }
      return (v, context) => {
        const folded = fold(v);
        // A value whose variable has no value matches nothing (spec §1.3).
        return templates.some((t) => {
          const text = resolveText(t, context);
          return text !== undefined && fold(text) === folded;
        });
      };
    }
    case "stringLike":
    case "arn": {
      const match = compilePatterns(templates, base.family === "arn");
      return (v, context) => match(v, context);
    }
    case "numeric":
      return ordered(values.map(parseNumber), readNumber, base.comparison);
    case "date":
      return ordered(values.map(parsePolicyDate), readDate, base.comparison);
    case "bool": {
      const wanted = values.map(boolValue);
      return (v) => {
        const b = boolValue(v);
        return b !== undefined && wanted.includes(b);
      };
    }
    case "binary": {
      const wanted = new Set(values.map(canonicalBase64));
      return (v) => wanted.has(canonicalBase64(v));
    }
    case "ip": {
      const blocks = values.map(parseCidr).filter((c): c is Cidr => c !== undefined);
      return (v) => {
        const address = readIp(v);
        return address !== undefined && blocks.some((b) => inCidr(b, address));
      };
    }
    case "null":
      return NEVER; // handled by the caller
  }
}

/** Numeric and date comparisons: request value <op> policy value; unreadable values never match. */
function ordered(policy: readonly (number | undefined)[], read: (s: string) => number | undefined, comparison: Comparison): Matcher {
  const bounds = policy.filter((n): n is number => n !== undefined);
  const compare: (a: number, b: number) => boolean = {
    eq: (a: number, b: number) => a === b,
    lt: (a: number, b: number) => a < b,
    lte: (a: number, b: number) => a <= b,
    gt: (a: number, b: number) => a > b,
    gte: (a: number, b: number) => a >= b,
  }[comparison];
  return (v) => {
    const n = read(v);
    return n !== undefined && bounds.some((b) => compare(n, b));
  };
}

const NUMBER = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
/** "integer or decimal" (spec §3.2). */
const parseNumber = (s: string): number | undefined => (NUMBER.test(s) ? Number(s) : undefined);

/**
 * A parser that remembers its last answer. One request's context value (aws:CurrentTime,
 * aws:SourceIp) is read by every date or IP clause of every policy — 30 times for ten policies
 * with three date clauses — and parsing it each time was most of an evaluation's cost.
 */
function rememberingLast<T>(parse: (s: string) => T): (s: string) => T {
  let lastText: string | undefined;
  let lastValue: T;
  return (s) => {
    if (s !== lastText) {
      lastValue = parse(s);
      lastText = s;
    }
    return lastValue;
  };
}

const readNumber = rememberingLast(parseNumber);
const readDate = rememberingLast(parsePolicyDate);
const readIp = rememberingLast(parseIp);

/**
 * "true" / "false", compared case-insensitively. UNCONFIRMED: AWS's prose writes "True"; a
 * JSON true in the policy arrives as "true" either way. Anything else is neither.
 */
function boolValue(s: string): boolean | undefined {
  const lower = s.toLowerCase();
  return lower === "true" ? true : lower === "false" ? false : undefined;
}

/** BinaryEquals compares bytes: valid base64 is compared decoded, anything else as written. */
function canonicalBase64(s: string): string {
  return /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s) ? "b:" + Buffer.from(s, "base64").toString("hex") : "s:" + s;
}
