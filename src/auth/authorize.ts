/**
 * Authorization by identity-based policies (DESIGN.md decision 8): every service names its
 * action, the resource ARN it is evaluated on and how a denial shows that resource; this module
 * builds the request context, evaluates the caller's policies with the one engine, and turns a
 * deny into AWS's AccessDenied sentence (spec §6.2).
 *
 * The root user is never denied by identity policies (spec §2.1). A GetSessionToken session
 * has its user's permissions, read on every request, so a policy change applies to existing
 * sessions at once (within the bound of user-policies.ts for other processes). A role session has
 * its role's permissions, narrowed by its session policies when AssumeRole was given some
 * (assume-role spec §6: role policies ∩ session policies; an explicit deny in either wins).
 */
import { Errors } from "../errors.js";
import type { ContextValue, Decision } from "../policy/index.js";
import type { Store } from "../store/store.js";
import { requestContext } from "./context.js";
import { principalArn, type Caller } from "../principal.js";
import { rolePolicies, sessionPolicies, userPolicies, type PolicySet } from "./user-policies.js";

export interface Authorization {
  /** Service prefix and operation, e.g. "iam:GetUser". */
  readonly action: string;
  /** The ARN policies are matched against; "*" for actions without a resource type. */
  readonly resource: string;
  /** How a denial names the resource (spec §6.3: `user alice`, `policy path /`, an ARN); null: not at all. */
  readonly shown: string | null;
  /** Condition keys the action adds to the request context (iam:PolicyARN, …). */
  readonly context?: Readonly<Record<string, ContextValue>>;
}

export interface AuthorizationDecision {
  decision: Decision;
  /** The managed policy of the deciding explicit deny, if any. */
  denyingPolicyArn: string | null;
  /** Which kind of policy decided a denial (AWS names one). */
  policyType: "identity" | "session";
}

const ALLOW: AuthorizationDecision = { decision: "allow", denyingPolicyArn: null, policyType: "identity" };

/** What the caller's identity policies (and a role session's session policies) decide. */
export async function decide(caller: Caller, store: Store, request: Authorization): Promise<AuthorizationDecision> {
  const { principal, session } = caller;
  if (principal.type === "root") return ALLOW;
  const now = caller.origin.at;
  const identity =
    principal.type === "user"
      ? await userPolicies(store, principal.accountId, principal.user.userId, now)
      : await rolePolicies(store, principal.accountId, principal.role.roleId, now);
  // The user or role was deleted between authentication and now: nothing is allowed any more.
  if (identity === undefined) return { decision: "implicitDeny", denyingPolicyArn: null, policyType: "identity" };
  const evaluation = { action: request.action, resource: request.resource, context: requestContext(caller, request.context) };
  const byIdentity = judge(identity, evaluation, "identity");
  const sessionSet = session?.role ? await sessionPolicies(store, principal.accountId, session.role, now) : undefined;
  if (sessionSet === undefined || byIdentity.decision === "explicitDeny") return byIdentity;
  const bySession = judge(sessionSet, evaluation, "session");
  // An explicit deny anywhere wins; then the identity policies must allow, then the session's.
  if (bySession.decision === "explicitDeny" || byIdentity.decision === "implicitDeny") {
    return bySession.decision === "explicitDeny" ? bySession : byIdentity;
  }
  return bySession;
}

/**
 * Whether a role session's session policies alone allow the request (true when it has none). For
 * what a trust policy grants a role session through its role's ARN: no identity policy is needed,
 * but "an implicit deny in a … session policy" still limits it (assume-role spec §4.1).
 */
export async function sessionPoliciesAllow(caller: Caller, store: Store, request: Omit<Authorization, "shown">): Promise<boolean> {
  const role = caller.session?.role;
  if (!role) return true;
  const set = await sessionPolicies(store, caller.principal.accountId, role, caller.origin.at);
  if (set === undefined) return true;
  return set.evaluate({ action: request.action, resource: request.resource, context: requestContext(caller, request.context) }).decision === "allow";
}

function judge(set: PolicySet, request: Parameters<PolicySet["evaluate"]>[0], policyType: "identity" | "session"): AuthorizationDecision {
  const result = set.evaluate(request);
  const denying = result.decision === "explicitDeny" ? result.matched[0]?.policy.arn ?? null : null;
  return { decision: result.decision, denyingPolicyArn: denying, policyType };
}

/** Returns when allowed; otherwise throws the service's AccessDenied (`deny`, or IAM/STS's sentence). */
export async function authorize(
  caller: Caller,
  store: Store,
  request: Authorization,
  deny: (decision: Exclude<Decision, "allow">, denyingPolicyArn: string | null, policyType: "identity" | "session") => Error = (decision, arn, type) =>
    Errors.accessDenied(principalArn(caller.principal), request.action, request.shown, decision, arn, type),
): Promise<void> {
  const { decision, denyingPolicyArn, policyType } = await decide(caller, store, request);
  if (decision !== "allow") throw deny(decision, denyingPolicyArn, policyType);
}
