/**
 * IAM's resources as authorization sees them (iam-policy-spec §2.5, §6.3): the ARN policies are
 * matched against, and how AWS's AccessDenied names it — `user alice` rather than the ARN for
 * actions on an existing user, `policy path /` for ListPolicies. Renderings AWS was seen to use
 * are marked as such; the rest follow them by analogy (UNCONFIRMED, spec §11.6).
 */
import { authorize, type Authorization } from "../auth/authorize.js";
import { Errors } from "../errors.js";
import type { ContextValue } from "../policy/index.js";
import type { OperationContext } from "../protocol/operation.js";

export { roleArn, userArn } from "../principal.js";
export const groupArn = (accountId: string, path: string, groupName: string): string =>
  `arn:aws:iam::${accountId}:group${path}${groupName}`;
export const policyArn = (accountId: string, path: string, policyName: string): string =>
  `arn:aws:iam::${accountId}:policy${path}${policyName}`;

/** An action on an existing user (seen: GetUser, GetUserPolicy, AttachUserPolicy, ListMFADevices …). */
export const onUser = (action: string, arn: string, userName: string): Authorization => ({
  action: `iam:${action}`,
  resource: arn,
  shown: `user ${userName}`,
});

/** An action on an existing group: `group NAME`, by analogy with users and roles. */
export const onGroup = (action: string, arn: string, groupName: string): Authorization => ({
  action: `iam:${action}`,
  resource: arn,
  shown: `group ${groupName}`,
});

/** An action on an existing role: `role NAME` (seen: GetRole, UpdateAssumeRolePolicy). */
export const onRole = (action: string, arn: string, roleName: string): Authorization => ({
  action: `iam:${action}`,
  resource: arn,
  shown: `role ${roleName}`,
});

/** An action on a managed policy: `policy NAME` (seen for CreatePolicy). */
export const onPolicy = (action: string, arn: string): Authorization => ({
  action: `iam:${action}`,
  resource: arn,
  shown: `policy ${arn.slice(arn.lastIndexOf("/") + 1)}`,
});

/** Creating something, or an action whose resource AWS names by its ARN (seen: CreateRole, CreateVirtualMFADevice). */
export const onArn = (action: string, arn: string): Authorization => ({ action: `iam:${action}`, resource: arn, shown: arn });

/**
 * A listing without a resource type. AWS names the listed kind's ARN prefix (seen:
 * `arn:aws:iam::ACCT:user/` for ListUsers) and policies are matched against that prefix, so a
 * statement on `arn:aws:iam::*:user/*` allows ListUsers (UNCONFIRMED, spec §11.4); `Resource: "*"` always does.
 */
export const onListing = (action: string, accountId: string, kind: "user" | "group" | "role" | "mfa" | "policy"): Authorization => ({
  action: `iam:${action}`,
  resource: `arn:aws:iam::${accountId}:${kind}/`,
  // Seen: ListPolicies says "policy path /".
  shown: kind === "policy" ? "policy path /" : `arn:aws:iam::${accountId}:${kind}/`,
});

/** An action without a resource type that AWS names nowhere in its denial (the simulators). */
export const onNothing = (action: string): Authorization => ({ action: `iam:${action}`, resource: "*", shown: null });

/** Condition keys an action adds to the request context (e.g. iam:PolicyARN). */
export type ActionContext = Readonly<Record<string, ContextValue>>;

/** Authorizes the IAM request; adds the action's own condition keys when given. */
export function authorizeIam(ctx: OperationContext, request: Authorization, context?: ActionContext): Promise<void> {
  return authorize(ctx.caller, ctx.deps.store, context === undefined ? request : { ...request, context });
}

/** An ARN at all (the recorded "ARN x is not valid." for anything else); policies are then looked up by it. */
export function checkArn(arn: string): void {
  if (!/^arn:[^:]+:[^:]*:[^:]*:[^:]*:.+$/.test(arn)) throw Errors.invalidArn(arn);
}
