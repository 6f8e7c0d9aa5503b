/**
 * Managed policies attached to users, groups and roles:
 * Attach/Detach/ListAttached{User,Group,Role}Policies, one definition for the three owners. Attach and detach are authorized on the owner with the
 * policy's ARN as iam:PolicyARN (spec §2.5), and change the owner's permissions, so cached policy
 * sets are forgotten before the call answers.
 */
import { forgetPrincipals } from "../auth/principal-caches.js";
import { Errors } from "../errors.js";
import { IAM, type Operation, type OperationContext } from "../protocol/operation.js";
import { awsManagedPolicy, isAwsManagedArn } from "../aws-managed-policies.js";
import { paged, pageInput, pageOfList } from "./marker.js";
import { GROUP_OWNER, ROLE_OWNER, USER_OWNER, type OwnerKind } from "./policy-owners.js";
import { checkArn } from "./resources.js";
import * as shape from "./shapes.js";

/** "Managed policies attached to an IAM user / group / role: 10" (spec §1.4). */
export const ATTACHED_POLICIES_PER_OWNER = 10;

/** A policy ARN's path and name: `arn:aws:iam::ACCT:policy/team/Name` → "/team/", "Name". */
function pathAndName(arn: string): { path: string; name: string } {
  const resource = arn.slice(arn.indexOf(":policy/") + ":policy".length);
  const cut = resource.lastIndexOf("/") + 1;
  return { path: resource.slice(0, cut), name: resource.slice(cut) };
}

function attachmentOperations(owner: OwnerKind): Operation[] {
  const ownerMember = `${owner.noun}Name`;
  // The attach and detach calls take the model's shorter userNameType (1–64) for users.
  const attachInput = {
    [ownerMember]: { ...(owner.kind === "user" ? shape.userName : owner.nameField), required: true },
    PolicyArn: { ...shape.arn, required: true },
  };
  const accountOf = (ctx: OperationContext) => ctx.caller.principal.accountId;

  const attach: Operation = {
    service: IAM,
    action: `Attach${owner.noun}Policy`,
    input: attachInput,
    async run(ctx, input) {
      const arn = input.PolicyArn as string;
      checkArn(arn);
      const name = await owner.resolve(ctx, input[ownerMember] as string, `Attach${owner.noun}Policy`, { "iam:PolicyARN": arn });
      // AWS's own policies exist in every account; the account's own must be in this account.
      const aws = isAwsManagedArn(arn);
      if (aws ? !awsManagedPolicy(arn) : !arn.startsWith(`arn:aws:iam::${accountOf(ctx)}:policy/`)) throw Errors.policyNotAttachable(arn);
      const result = await ctx.deps.store.attachPolicy(accountOf(ctx), { kind: owner.kind, name }, arn, !aws, ATTACHED_POLICIES_PER_OWNER);
      if (result === "no-owner") throw owner.noSuchOwner(input[ownerMember] as string);
      if (result === "no-policy") throw Errors.policyNotAttachable(arn);
      if (result === "limit") throw Errors.attachedPoliciesQuota(owner.kind, ATTACHED_POLICIES_PER_OWNER);
      await forgetPrincipals(ctx.deps.store);
      return undefined;
    },
  };

  const detach: Operation = {
    service: IAM,
    action: `Detach${owner.noun}Policy`,
    input: attachInput,
    async run(ctx, input) {
      const arn = input.PolicyArn as string;
      checkArn(arn);
      const name = await owner.resolve(ctx, input[ownerMember] as string, `Detach${owner.noun}Policy`, { "iam:PolicyARN": arn });
      const result = await ctx.deps.store.detachPolicy(accountOf(ctx), { kind: owner.kind, name }, arn);
      if (result === "no-owner") throw owner.noSuchOwner(input[ownerMember] as string);
      if (result === "not-attached") throw Errors.policyNotFound(arn);
      await forgetPrincipals(ctx.deps.store);
      return undefined;
    },
  };

  const list: Operation = {
    service: IAM,
    action: `ListAttached${owner.noun}Policies`,
    input: {
      [ownerMember]: { ...(owner.kind === "user" ? shape.userName : owner.nameField), required: true },
      PathPrefix: shape.policyPath,
      Marker: shape.marker,
      MaxItems: shape.maxItems,
    },
    async run(ctx, input) {
      const name = await owner.resolve(ctx, input[ownerMember] as string, `ListAttached${owner.noun}Policies`);
      const arns = await ctx.deps.store.listAttachedPolicies(accountOf(ctx), { kind: owner.kind, name });
      if (arns === undefined) throw owner.noSuchOwner(input[ownerMember] as string);
      const pathPrefix = (input.PathPrefix as string | undefined) ?? "/";
      const shown = arns.filter((arn) => pathAndName(arn).path.startsWith(pathPrefix));
      const { after, limit } = pageInput(input, "attached");
      return paged(
        pageOfList(shown, (arn) => arn, after, limit),
        "attached",
        (arn) => ({ PolicyName: pathAndName(arn).name, PolicyArn: arn }),
        "AttachedPolicies",
      );
    },
  };

  return [attach, detach, list];
}

export const userAttachments = attachmentOperations(USER_OWNER);
export const groupAttachments = attachmentOperations(GROUP_OWNER);
export const roleAttachments = attachmentOperations(ROLE_OWNER);
