/**
 * evaluate: the decision for one request over the policies that apply to the caller (spec §2.1):
 * any applicable Deny → explicitDeny; otherwise any applicable Allow → allow; otherwise
 * implicitDeny. A statement applies when its Action / NotAction matches the action, its
 * Resource / NotResource matches the resource and all its conditions hold.
 *
 * Nothing here knows about the root user, permissions boundaries or actions that need no
 * permission (sts:GetCallerIdentity): the caller decides whether to ask at all.
 *
 * Besides the decision it returns what IAM's simulator shows: the statements that decided it
 * (on explicit deny only the Deny statements, "the deny statement is the only entry included")
 * and the context keys the relevant statements needed but the request did not have.
 */
import { variableValue, type Variable } from "./variables.js";
import type { CompiledPolicy, CompiledStatement } from "./compile.js";
import type { Decision, RequestContext, Statement, TrustCaller } from "./types.js";

export interface PolicyInput {
  /** How the simulator names the policy (an inline policy's name, "PolicyInputList.1", …). */
  readonly id: string;
  /** The simulator's SourcePolicyType for it. */
  readonly type: string;
  readonly policy: CompiledPolicy;
}

export interface EvaluationRequest {
  /** "iam:GetUser"; compared case-insensitively. */
  readonly action: string;
  /** The resource ARN, or "*" for actions without a resource type. */
  readonly resource: string;
  readonly context: RequestContext;
  /**
   * Resource-based policies (a role's trust policy): who asks. With a caller, only statements
   * whose Principal names it apply; without one, only statements without a Principal do.
   */
  readonly caller?: TrustCaller;
}

export interface MatchedStatement<P extends PolicyInput = PolicyInput> {
  /** The input the statement came from, as given (callers keep their own fields on it, e.g. an ARN). */
  readonly policy: P;
  readonly policyId: string;
  readonly policyType: string;
  readonly statement: Statement;
}

export interface Evaluation<P extends PolicyInput = PolicyInput> {
  readonly decision: Decision;
  readonly matched: MatchedStatement<P>[];
  /**
   * Context keys (as written in the policy, de-duplicated case-insensitively, sorted) that
   * statements matching the action and resource refer to — in conditions or as policy variables
   * without a default — and that the request does not have: the simulator's MissingContextValues.
   * A statement whose Resource failed to match only because a variable had no value counts too.
   */
  readonly missingContextKeys: string[];
}

export function evaluate<P extends PolicyInput>(policies: readonly P[], request: EvaluationRequest): Evaluation<P> {
  const action = request.action.toLowerCase();
  const colon = action.indexOf(":");
  const service = colon < 0 ? action : action.slice(0, colon);
  const { resource, context, caller } = request;
  const allows: MatchedStatement<P>[] = [];
  const denies: MatchedStatement<P>[] = [];
  const missing = new Map<string, string>();

  for (const input of policies) {
    const { policy } = input;
    for (const index of candidates(policy, action, service)) {
      const s = policy.statements[index]!;
      if (s.actions(action) === s.notAction) continue;
      if (!appliesTo(s, caller)) continue;
      const resourceMatches = s.resources(resource, context) !== s.notResource;
      const unresolved = s.resourceVariables.length === 0 ? NO_VARIABLES : s.resourceVariables.filter((v) => variableValue(v, context) === undefined);
      if (!resourceMatches && unresolved.length === 0) continue;
      noteMissing(s, unresolved, context, missing);
      if (!resourceMatches) continue;
      if (s.conditions.every((c) => c.test(context))) {
        (s.deny ? denies : allows).push({ policy: input, policyId: input.id, policyType: input.type, statement: s.statement });
      }
    }
  }

  const missingContextKeys = [...missing.values()].sort();
  if (denies.length > 0) return { decision: "explicitDeny", matched: denies, missingContextKeys };
  if (allows.length > 0) return { decision: "allow", matched: allows, missingContextKeys };
  return { decision: "implicitDeny", matched: [], missingContextKeys };
}

/**
 * Identity statements (no Principal) apply to an evaluation without a caller; resource-policy
 * statements apply only when a caller is given and their Principal names it.
 */
function appliesTo(s: CompiledStatement, caller: TrustCaller | undefined): boolean {
  if (s.principals === undefined) return caller === undefined;
  return caller !== undefined && s.principals(caller) !== undefined;
}

const NONE: readonly number[] = [];
const NO_VARIABLES: readonly Variable[] = [];

/** Per policy, the candidate statements of the actions asked about (a few dozen per policy in practice). */
const candidateMemo = new WeakMap<CompiledPolicy, Map<string, readonly number[]>>();
const MAX_MEMO_ACTIONS = 1000;

/** Indices of the statements that may match the action, ascending, each once: worked out once per policy and action. */
function candidates(policy: CompiledPolicy, action: string, service: string): readonly number[] {
  let memo = candidateMemo.get(policy);
  if (!memo) {
    memo = new Map();
    candidateMemo.set(policy, memo);
  }
  let found = memo.get(action);
  if (found === undefined) {
    found = findCandidates(policy, action, service);
    // Actions come from requests (the simulator takes any): the memo is bounded.
    if (memo.size >= MAX_MEMO_ACTIONS) memo.clear();
    memo.set(action, found);
  }
  return found;
}

function findCandidates(policy: CompiledPolicy, action: string, service: string): readonly number[] {
  const exact = policy.byAction.get(action) ?? NONE;
  const wildcards = policy.byService.get(service);
  const byService = wildcards !== undefined && wildcards.filter(action) ? wildcards.statements : NONE;
  const always = policy.always;
  const sources = (exact.length > 0 ? 1 : 0) + (byService.length > 0 ? 1 : 0) + (always.length > 0 ? 1 : 0);
  if (sources === 0) return NONE;
  if (sources === 1) return exact.length > 0 ? exact : byService.length > 0 ? byService : always;
  return [...new Set([...exact, ...byService, ...always])].sort((a, b) => a - b);
}

function noteMissing(s: CompiledStatement, unresolved: readonly Variable[], context: RequestContext, missing: Map<string, string>): void {
  const note = (key: string, lookup: string): void => {
    if (!missing.has(lookup)) missing.set(lookup, key);
  };
  for (const v of unresolved) note(v.key, v.lookup);
  for (const c of s.conditions) {
    const value = context.get(c.lookup);
    if (value === undefined || (typeof value !== "string" && value.length === 0)) note(c.clause.key, c.lookup);
    for (const v of c.variables) if (variableValue(v, context) === undefined) note(v.key, v.lookup);
  }
}
