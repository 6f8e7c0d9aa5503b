/**
 * evaluateTrust: a role's trust policy asked whether a caller may assume the role. It is the one
 * evaluator (evaluate.ts) with the caller given, so a statement applies only when its Principal
 * names the caller; Action, Condition, explicit-deny-wins and the missing-key report are
 * identity-policy evaluation unchanged. Statements have no Resource: any resource matches.
 *
 * On "allow" it also says what the allowing statements granted (spec §4.1, principals.ts Grant):
 * the caller itself — its own ARN ("self"), or its role's ARN or "*" ("caller"): then no identity
 * policy is needed in the same account — or only the caller's account: then the caller's identity
 * policies must allow the action too. Condition keys (aws:MultiFactorAuthPresent, sts:ExternalId, …) are whatever the
 * caller put in the request context; nothing is invented here.
 */
import { evaluate, type Evaluation, type EvaluationRequest, type PolicyInput } from "./evaluate.js";
import type { Grant } from "./principals.js";
import type { CompiledPolicy } from "./compile.js";
import type { TrustCaller } from "./types.js";

export interface TrustEvaluation extends Evaluation {
  /** Set when decision is "allow": the widest of what the allowing statements granted. */
  readonly grantedTo?: Grant;
}

/** How the simulator would name the policy; kept for MatchedStatement. */
const TRUST_INPUT = { id: "AssumeRolePolicyDocument", type: "resource" } as const;

export function evaluateTrust(policy: CompiledPolicy, caller: TrustCaller, request: EvaluationRequest): TrustEvaluation {
  const input: PolicyInput = { ...TRUST_INPUT, policy };
  const result = evaluate([input], { ...request, caller });
  if (result.decision !== "allow") return result;
  const grants = result.matched.map(({ statement }) => policy.statements.find((s) => s.statement === statement)?.principals?.(caller));
  // The widest grant counts: a statement naming the session itself frees it from its session policies.
  return { ...result, grantedTo: grants.includes("self") ? "self" : grants.includes("caller") ? "caller" : "account" };
}
