/**
 * Authorization by identity-based policies (DESIGN.md decision 8): every service names its
 * action, the resource ARN it is evaluated on and how a denial shows that resource; this module
 * builds the request context, evaluates the caller's policies with the one engine, and turns a
 * deny into AWS's AccessDenied sentence (spec §6.2).
 *
 * The root user is never denied by identity policies (spec §2.1). A GetSessionToken session
 * has its user's permissions, read on every request, so a policy change applies to existing
 * sessions at once (within the bound of user-policies.ts for other processes).
 */
import { Errors } from "../errors.js";
import type { ContextValue, Decision } from "../policy/index.js";
import type { Store } from "../store/store.js";
import { requestContext } from "./context.js";
import { principalArn, type Caller } from "../principal.js";
import { userPolicies } from "./user-policies.js";

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

/** What the caller's identity policies decide, and the managed policy of the deciding deny (if any). */
export async function decide(
  caller: Caller,
  store: Store,
  request: Authorization,
): Promise<{ decision: Decision; denyingPolicyArn: string | null }> {
  const { principal } = caller;
  if (principal.type === "root") return { decision: "allow", denyingPolicyArn: null };
  const policies = await userPolicies(store, principal.accountId, principal.user.userId, caller.origin.at);
  // The user was deleted between authentication and now: nothing is allowed any more.
  if (policies === undefined) return { decision: "implicitDeny", denyingPolicyArn: null };
  const result = policies.evaluate({
    action: request.action,
    resource: request.resource,
    context: requestContext(caller, request.context),
  });
  const denying = result.decision === "explicitDeny" ? result.matched[0]?.policy.arn ?? null : null;
  return { decision: result.decision, denyingPolicyArn: denying };
}

/** Returns when allowed; otherwise throws the service's AccessDenied (`deny`, or IAM/STS's sentence). */
export async function authorize(
  caller: Caller,
  store: Store,
  request: Authorization,
  deny: (decision: Exclude<Decision, "allow">, denyingPolicyArn: string | null) => Error = (decision, arn) =>
    Errors.accessDenied(principalArn(caller.principal), request.action, request.shown, decision, arn),
): Promise<void> {
  const { decision, denyingPolicyArn } = await decide(caller, store, request);
  if (decision !== "allow") throw deny(decision, denyingPolicyArn);
}
