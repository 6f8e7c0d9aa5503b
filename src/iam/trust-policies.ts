/**
 * A role's trust policy at IAM's edge (CreateRole's AssumeRolePolicyDocument,
 * UpdateAssumeRolePolicy's PolicyDocument): the policy engine's trust grammar with AWS's
 * MalformedPolicyDocument texts, IAM's size quota, then what only the store can say — that every
 * user and role the policy names exists (assume-role spec §4.2, §7.3).
 */
import { Errors } from "../errors.js";
import { parseTrustPolicy, PolicyParseError, policySize, trustPolicyPrincipals, type PolicyDocument } from "../policy/index.js";
import type { OperationContext } from "../protocol/operation.js";

/** "Role trust policy length: 2,048 characters" (spec §7.3 quotas); white space is not counted, as for every policy. */
export const TRUST_POLICY_SIZE_LIMIT = 2048;

/** A user or role ARN as trust policies name them: account, kind, path (with its slashes) and name. */
const USER_OR_ROLE = /^arn:aws:iam::(\d{12}):(user|role)(\/(?:.*\/)?)([^/]+)$/;

function parsed(text: string): PolicyDocument {
  try {
    return parseTrustPolicy(text);
  } catch (e) {
    if (e instanceof PolicyParseError) throw Errors.malformedPolicyDocument(e.message);
    throw e;
  }
}

/**
 * Whether the user or role an ARN names exists, in whichever account it is. The name and path
 * must be as stored: IAM's lookup ignores case, but a principal's name is case-sensitive (spec
 * §4.2), and a principal spelt otherwise would never match the caller's ARN when evaluated.
 */
async function exists(ctx: OperationContext, arn: string): Promise<boolean> {
  const named = USER_OR_ROLE.exec(arn);
  if (!named) return true;
  const [, accountId, kind, path, name] = named as unknown as [string, string, "user" | "role", string, string];
  const { store } = ctx.deps;
  const entity =
    kind === "user"
      ? await store.getUser(accountId, name).then((u) => u && { name: u.userName, path: u.path })
      : await store.getRole(accountId, name).then((r) => r && { name: r.roleName, path: r.path });
  return entity !== undefined && entity.name === name && entity.path === path;
}

/**
 * Throws what IAM answers for a trust policy it would refuse: the grammar's texts, the size quota,
 * then `Invalid principal in policy: "AWS":"<arn>"` for the first user or role (in document
 * order) that does not exist. Account ids, root ARNs and session ARNs are taken as written.
 */
export async function checkTrustPolicy(ctx: OperationContext, text: string): Promise<void> {
  const document = parsed(text);
  if (policySize(text) > TRUST_POLICY_SIZE_LIMIT) throw Errors.trustPolicySize(TRUST_POLICY_SIZE_LIMIT);
  for (const arn of trustPolicyPrincipals(document).aws) {
    if (!(await exists(ctx, arn))) throw Errors.invalidTrustPrincipal(arn);
  }
}
