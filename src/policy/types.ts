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

/**
 * A resource-based policy's Principal element (only trust policies have one here), values as
 * written: `"AWS": "123456789012"` → aws ["123456789012"]. A bare `"Principal": "*"` is refused
 * by parseTrustPolicy (see trust.ts), so everyone is written `{"AWS": "*"}`.
 */
export interface Principals {
  readonly aws: readonly string[];
  readonly service: readonly string[];
  readonly federated: readonly string[];
  readonly canonicalUser: readonly string[];
}

/**
 * Who asks, for matching a Principal element: an IAM user, a role session or the root user.
 * Services and federated identities never call with these credentials, so Service / Federated
 * principals never match one.
 */
export interface TrustCaller {
  readonly accountId: string;
  /** The caller's principal ARNs, most specific last: an IAM user: [userArn]; a role session:
   *  [roleArn, "arn:aws:sts::ACCT:assumed-role/ROLE/SESSION"]; root: ["arn:aws:iam::ACCT:root"]. */
  readonly arns: readonly string[];
}

export interface Statement {
  readonly sid: string | undefined;
  readonly effect: Effect;
  /** Trust policies only; identity policies never have one (parsePolicy refuses it). */
  readonly principal?: Principals;
  /** Exactly one of action / notAction is set. */
  readonly action?: readonly string[];
  readonly notAction?: readonly string[];
  /**
   * Identity policies: exactly one of resource / notResource is set. Trust policies: neither
   * (the resource is the role itself), and the statement applies to any resource.
   */
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
