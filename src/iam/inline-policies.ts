/**
 * Inline policies of users, groups and roles: Put/Get/List/Delete{User,Group,Role}Policy. The
 * families differ only in their owner, so one definition serves all three. Each is authorized on the owner
 * (spec §2.5); a put or delete changes what the owner (or the group's members) may do, so
 * cached policy sets are forgotten before the call answers.
 */
import { forgetPrincipals } from "../auth/principal-caches.js";
import { Errors } from "../errors.js";
import { IAM, type Operation, type OperationContext } from "../protocol/operation.js";
import { paged, pageInput, pageOfList } from "./marker.js";
import { checkPolicyDocument, encodePolicyDocument, INLINE_POLICY_SIZE_LIMIT } from "./policy-documents.js";
import * as shape from "./shapes.js";
import { GROUP_OWNER, ROLE_OWNER, USER_OWNER, type OwnerKind } from "./policy-owners.js";

function inlinePolicyOperations(owner: OwnerKind): Operation[] {
  const ownerMember = `${owner.noun}Name`;
  const ownerInput = { [ownerMember]: { ...owner.nameField, required: true } };
  const policyNameInput = { PolicyName: { ...shape.policyName, required: true } };
  const accountOf = (ctx: OperationContext) => ctx.caller.principal.accountId;

  const put: Operation = {
    service: IAM,
    action: `Put${owner.noun}Policy`,
    input: { ...ownerInput, ...policyNameInput, PolicyDocument: { ...shape.policyDocument, required: true } },
    async run(ctx, input) {
      const name = await owner.resolve(ctx, input[ownerMember] as string, `Put${owner.noun}Policy`);
      const document = input.PolicyDocument as string;
      const size = checkPolicyDocument(document, { managed: false });
      const limit = INLINE_POLICY_SIZE_LIMIT[owner.kind];
      const result = await ctx.deps.store.putInlinePolicy(
        accountOf(ctx),
        { kind: owner.kind, name },
        input.PolicyName as string,
        document,
        size,
        limit,
      );
      if (result === "no-owner") throw owner.noSuchOwner(input[ownerMember] as string);
      if (result === "too-large") throw Errors.inlinePolicySize(owner.kind, limit, name);
      await forgetPrincipals(ctx.deps.store);
      return undefined;
    },
  };

  const get: Operation = {
    service: IAM,
    action: `Get${owner.noun}Policy`,
    input: { ...ownerInput, ...policyNameInput },
    async run(ctx, input) {
      const name = await owner.resolve(ctx, input[ownerMember] as string, `Get${owner.noun}Policy`);
      const policyName = input.PolicyName as string;
      const document = await ctx.deps.store.getInlinePolicy(accountOf(ctx), { kind: owner.kind, name }, policyName);
      if (document === "no-owner") throw owner.noSuchOwner(input[ownerMember] as string);
      if (document === "not-found") throw owner.noSuchPolicy(policyName);
      return { [ownerMember]: name, PolicyName: policyName, PolicyDocument: encodePolicyDocument(document) };
    },
  };

  const list: Operation = {
    service: IAM,
    action: `List${owner.noun}Policies`,
    input: { ...ownerInput, Marker: shape.marker, MaxItems: shape.maxItems },
    async run(ctx, input) {
      const name = await owner.resolve(ctx, input[ownerMember] as string, `List${owner.noun}Policies`);
      const names = await ctx.deps.store.listInlinePolicies(accountOf(ctx), { kind: owner.kind, name });
      if (names === undefined) throw owner.noSuchOwner(input[ownerMember] as string);
      const { after, limit } = pageInput(input, "inline");
      return paged(pageOfList(names, (n) => n, after, limit), "inline", (n) => n, "PolicyNames");
    },
  };

  const remove: Operation = {
    service: IAM,
    action: `Delete${owner.noun}Policy`,
    input: { ...ownerInput, ...policyNameInput },
    async run(ctx, input) {
      const name = await owner.resolve(ctx, input[ownerMember] as string, `Delete${owner.noun}Policy`);
      const policyName = input.PolicyName as string;
      const result = await ctx.deps.store.deleteInlinePolicy(accountOf(ctx), { kind: owner.kind, name }, policyName);
      if (result === "no-owner") throw owner.noSuchOwner(input[ownerMember] as string);
      if (result === "not-found") throw owner.noSuchPolicy(policyName);
      await forgetPrincipals(ctx.deps.store);
      return undefined;
    },
  };

  return [put, get, list, remove];
}

export const userInlinePolicies = inlinePolicyOperations(USER_OWNER);
export const groupInlinePolicies = inlinePolicyOperations(GROUP_OWNER);
export const roleInlinePolicies = inlinePolicyOperations(ROLE_OWNER);
