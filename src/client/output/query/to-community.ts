/**
 * Translates jmespath 1.0.1's AST into @jmespath-community/jmespath's, so the community
 * evaluator computes what Python's TreeInterpreter would. Where their semantics differ, the
 * node becomes a call to one of our internal functions (names start with "\0", which no
 * expression can spell):
 *
 * - comparators: Python orders strings too and raises on str vs number;
 * - slices: Python returns null for anything but a list (community slices strings) and raises
 *   on a zero step;
 * - multi-select list/hash: Python returns null on null input (community builds [null, ...]);
 * - subexpressions and index expressions: Python applies each part in turn with no null
 *   short-circuit (`Nope.length(@)` is an error in aws), which is the community `Pipe`.
 */
import type { compile } from "@jmespath-community/jmespath";
import { isObject } from "../python/values.js";
import { Expref } from "./expref.js";
import type { PyNode } from "./parser.js";

/** The library's AST node type (not exported by name). */
export type ExpressionNode = ReturnType<typeof compile>;

export const INTERNAL = {
  compare: "\0compare",
  slice: "\0slice",
  notNull: "\0not_null",
  dict: "\0dict",
} as const;

const fn = (name: string, children: ExpressionNode[]): ExpressionNode => ({ type: "Function", name, children });
const literal = (value: unknown): ExpressionNode => ({ type: "Literal", value: value as never });
const current: ExpressionNode = { type: "Current" };

export function toCommunity(node: PyNode): ExpressionNode {
  const c = node.children;
  const child = (i: number) => toCommunity(c[i] as PyNode);
  switch (node.type) {
    case "field":
      return { type: "Field", name: node.value as string };
    case "literal":
      return literal(nullPrototype(node.value));
    case "current":
      return { type: "Current" };
    case "identity":
      return { type: "Identity" };
    case "index":
      return { type: "Index", value: node.value as number };
    case "slice": {
      const [start, stop, step] = node.slice ?? [null, null, null];
      return fn(INTERNAL.slice, [current, literal(start), literal(stop), literal(step)]);
    }
    case "subexpression":
    case "index_expression":
    case "pipe":
      return c.map(toCommunity).reduce((left, right) => ({ type: "Pipe", left, right }));
    case "projection":
      return { type: "Projection", left: child(0), right: child(1) };
    case "value_projection":
      return { type: "ValueProjection", left: child(0), right: child(1) };
    case "filter_projection":
      return { type: "FilterProjection", left: child(0), right: child(1), condition: child(2) };
    case "flatten":
      return { type: "Flatten", child: child(0) };
    case "comparator":
      return fn(INTERNAL.compare, [literal(node.value), child(0), child(1)]);
    case "or_expression":
      return { type: "OrExpression", left: child(0), right: child(1) };
    case "and_expression":
      return { type: "AndExpression", left: child(0), right: child(1) };
    case "not_expression":
      return { type: "NotExpression", child: child(0) };
    case "multi_select_list":
      return unlessNull({ type: "MultiSelectList", children: c.map(toCommunity) });
    case "multi_select_dict":
      return unlessNull(fn(INTERNAL.dict, [literal(c.map((pair) => pair.value)), ...c.map((pair) => toCommunity(pair.children[0] as PyNode))]));
    case "function_expression":
      return fn(node.value as string, c.map(toCommunity));
    case "expref":
      return literal(new Expref(child(0)));
    default:
      throw new Error(`jmespath: unknown node ${node.type}`);
  }
}

/** `null` when the current value is null, else the expression (Python's multi-select). */
function unlessNull(expression: ExpressionNode): ExpressionNode {
  return { type: "Ternary", condition: fn(INTERNAL.notNull, [current]), trueExpr: expression, falseExpr: literal(null) };
}

/**
 * Objects without a prototype, so a field named `constructor` or `toString` reads as missing,
 * as it does in Python, instead of finding Object.prototype's.
 */
export function nullPrototype(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(nullPrototype);
  if (isObject(value)) {
    const out: { [key: string]: unknown } = Object.create(null);
    for (const [k, v] of Object.entries(value)) out[k] = nullPrototype(v);
    return out;
  }
  return value;
}
