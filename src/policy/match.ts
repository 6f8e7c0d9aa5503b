/**
 * Matchers for the three kinds of pattern lists, each compiled once per policy:
 *  - actions (Action / NotAction): case-insensitive, `*` and `?` wildcards;
 *  - resources (Resource / NotResource) and StringLike values: case-sensitive, `*` spans
 *    anything including "/" and ":";
 *  - ARNs (ArnLike, ArnEquals, …): case-sensitive, wildcards kept within their ARN field.
 * Entries without wildcards or variables go into a Set, the wildcard ones into one regular
 * expression, and only entries with policy variables are built per request (from a small cache,
 * since the same user makes the same substitutions again and again).
 */
import { anchored, globSource, hasWildcard, type Piece } from "./glob.js";
import { resolve, type Template } from "./variables.js";
import type { RequestContext } from "./types.js";

/** Matches a lower-cased action name ("iam:getuser"). */
export interface ActionMatcher {
  readonly test: (lowerCaseAction: string) => boolean;
  /** The entries without wildcards, lower-cased: evaluate.ts indexes statements by them. */
  readonly exact: readonly string[];
  /** Whether some entry has a wildcard. */
  readonly wildcard: boolean;
}

/**
 * `?` in actions is UNCONFIRMED (AWS documents only `*` for actions, and `?` for resources and
 * StringLike); it is treated as the one-character wildcard it is everywhere else.
 */
export function compileActions(patterns: readonly string[]): ActionMatcher {
  const exact = new Set<string>();
  const sources: string[] = [];
  for (const pattern of patterns) {
    const lower = pattern.toLowerCase();
    if (hasWildcard(lower)) sources.push(globSource([{ text: lower, literal: false }]));
    else exact.add(lower);
  }
  const regex = sources.length > 0 ? anchored(sources) : undefined;
  return {
    test: regex === undefined ? (a) => exact.has(a) : (a) => exact.has(a) || regex.test(a),
    exact: [...exact],
    wildcard: regex !== undefined,
  };
}

/** Matches a value against a list of templates; true when any entry matches. */
export type ValueMatcher = (value: string, context: RequestContext) => boolean;

const CACHE_LIMIT = 256;

/** Resource / StringLike entries (`arn` false) or ArnLike entries (`arn` true). */
export function compilePatterns(templates: readonly Template[], arn: boolean): ValueMatcher {
  const exact = new Set<string>();
  const sources: string[] = [];
  const dynamic: Template[] = [];
  for (const t of templates) {
    if (t.variables.length > 0) {
      dynamic.push(t);
      continue;
    }
    const pieces = t.parts as readonly Piece[];
    const text = pieces.map((p) => p.text).join("");
    if (pieces.every((p) => p.literal || !hasWildcard(p.text))) exact.add(text);
    else sources.push(globSource(pieces, arn));
  }
  const regex = sources.length > 0 ? anchored(sources) : undefined;
  // "Resource": "*" is the common case: no regular expression needed.
  const matchesAll = templates.some((t) => t.parts.length === 1 && !(t.parts[0] as Piece).literal && (t.parts[0] as Piece).text === "*");
  const matchesStatic = matchesAll ? () => true : (value: string): boolean => exact.has(value) || (regex?.test(value) ?? false);
  if (dynamic.length === 0 || matchesAll) return matchesStatic;

  const cache = new Map<string, RegExp>();
  const compiled = (source: string): RegExp => {
    let r = cache.get(source);
    if (r === undefined) {
      if (cache.size >= CACHE_LIMIT) cache.clear();
      r = anchored([source]);
      cache.set(source, r);
    }
    return r;
  };
  return (value, context) => {
    if (matchesStatic(value)) return true;
    for (const t of dynamic) {
      const pieces = resolve(t, context);
      // A variable without a value: this entry matches nothing (spec §1.3).
      if (pieces !== undefined && compiled(globSource(pieces, arn)).test(value)) return true;
    }
    return false;
  };
}
