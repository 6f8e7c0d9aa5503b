/**
 * Matchers for the three kinds of pattern lists, each compiled once per policy:
 *  - actions (Action / NotAction): case-insensitive, `*` and `?` wildcards;
 *  - resources (Resource / NotResource) and StringLike values: case-sensitive, `*` spans
 *    anything including "/" and ":";
 *  - ARNs (ArnLike, ArnEquals, …): case-sensitive, wildcards kept within their ARN field.
 * Entries without wildcards or variables go into a Set, the wildcard ones are compiled once, and
 * only entries with policy variables are built per request (from a small cache, since the same
 * user makes the same substitutions again and again).
 */
import { anyOf, compileGlob, hasWildcard, type Glob, type Piece } from "./glob.js";
import { resolve, variableValue, type Template } from "./variables.js";
import type { RequestContext } from "./types.js";

/** Matches a lower-cased action name ("iam:getuser"). */
export type ActionMatcher = (lowerCaseAction: string) => boolean;

/**
 * `?` in actions is UNCONFIRMED (AWS documents only `*` for actions, and `?` for resources and
 * StringLike); it is treated as the one-character wildcard it is everywhere else.
 */
export function compileActions(patterns: readonly string[]): ActionMatcher {
  const exact = new Set<string>();
  const globs: Glob[] = [];
  for (const pattern of patterns) {
    const lower = pattern.toLowerCase();
    if (hasWildcard(lower)) globs.push(compileGlob([{ text: lower, literal: false }]));
    else exact.add(lower);
  }
  if (globs.length === 0) return (action) => exact.has(action);
  const wildcard = anyOf(globs);
  return (action) => exact.has(action) || wildcard(action);
}

/** Matches a value against a list of templates; true when any entry matches. */
export type ValueMatcher = (value: string, context: RequestContext) => boolean;

const CACHE_LIMIT = 256;

/** Resource / StringLike entries (`arn` false) or ArnLike entries (`arn` true). */
export function compilePatterns(templates: readonly Template[], arn: boolean): ValueMatcher {
  const exact = new Set<string>();
  const globs: Glob[] = [];
  const dynamic: Template[] = [];
  for (const t of templates) {
    if (t.variables.length > 0) {
      dynamic.push(t);
      continue;
    }
    const pieces = t.parts as readonly Piece[];
    const text = pieces.map((p) => p.text).join("");
    if (pieces.every((p) => p.literal || !hasWildcard(p.text))) exact.add(text);
    else globs.push(compileGlob(pieces, arn));
  }
  const wildcard = globs.length > 0 ? anyOf(globs) : undefined;
  // "Resource": "*" is the common case: no regular expression needed.
  const matchesAll = templates.some((t) => t.parts.length === 1 && !(t.parts[0] as Piece).literal && (t.parts[0] as Piece).text === "*");
  const matchesStatic = matchesAll ? () => true : (value: string): boolean => exact.has(value) || (wildcard?.(value) ?? false);
  if (dynamic.length === 0 || matchesAll) return matchesStatic;

  const entries = dynamic.map((t) => dynamicEntry(t, arn));
  return (value, context) => matchesStatic(value) || entries.some((entry) => entry(value, context));
}

/**
 * An entry with policy variables. Its matcher depends only on the variables' values, so it is
 * built once per distinct set of values (one user's requests all share one) and kept in a small
 * cache: a request then costs a lookup and a test, not a compilation.
 */
function dynamicEntry(template: Template, arn: boolean): ValueMatcher {
  const cache = new Map<string, Glob>();
  return (value, context) => {
    const values: string[] = [];
    for (const v of template.variables) {
      const text = variableValue(v, context);
      // A variable without a value: this entry matches nothing (spec §1.3).
      if (text === undefined) return false;
      values.push(text);
    }
    const key = values.join("\u0000");
    let glob = cache.get(key);
    if (glob === undefined) {
      if (cache.size >= CACHE_LIMIT) cache.clear();
      glob = compileGlob(resolve(template, context)!, arn);
      cache.set(key, glob);
    }
    return glob(value);
  };
}
