/**
 * The shapes of the policy engine (DESIGN.md: `policy/` is pure — no I/O, no wire names, no clock).
 * A document is parsed and validated once (parse.ts), compiled once (compile.ts), and evaluated
 * for each request (evaluate.ts) against a request context the caller builds.
 */

export type Effect = "Allow" | "Deny";

/** Where a statement sits in its document's text, as IAM's simulator reports it (spec §7.4). */
export interface Position {
  /** 1-based */
  readonly line: number;
  readonly column: number;
}

/** One `Operator: { Key: [values] }` entry of a Condition block. */
export interface ConditionClause {
  /** As written, e.g. "ForAnyValue:StringLikeIfExists" (operators are case-sensitive). */
  readonly operator: string;
  /** As written; keys compare case-insensitively. */
  readonly key: string;
  /** JSON strings, numbers and booleans, as strings ("true", "3600"). */
  readonly values: readonly string[];
}

export interface Statement {
  readonly sid: string | undefined;
  readonly effect: Effect;
  /** Exactly one of action / notAction is set. */
  readonly action?: readonly string[];
  readonly notAction?: readonly string[];
  /** Exactly one of resource / notResource is set. */
  readonly resource?: readonly string[];
  readonly notResource?: readonly string[];
  readonly conditions: readonly ConditionClause[];
  readonly start: Position;
  readonly end: Position;
}

export interface PolicyDocument {
  /** "2012-10-17", "2008-10-17" or undefined; policy variables are substituted only under 2012-10-17. */
  readonly version: string | undefined;
  readonly statements: readonly Statement[];
}

/**
 * A request context: condition keys in lower case ("aws:multifactorauthpresent") → value(s),
 * all as strings, as IAM's own context is (booleans "true"/"false", numbers in decimal, dates in
 * ISO 8601). A key that is not in the map is absent from the request.
 */
export type ContextValue = string | readonly string[];
export type RequestContext = ReadonlyMap<string, ContextValue>;

export type Decision = "allow" | "explicitDeny" | "implicitDeny";
