/**
 * IAM groups: CreateGroup, GetGroup (with its members), ListGroups, DeleteGroup, AddUserToGroup,
 * RemoveUserFromGroup, ListGroupsForUser. AddUserToGroup and RemoveUserFromGroup are authorized
 * on the group (spec §2.5). A membership change changes the member's policies, so cached policy
 * sets are forgotten before the call answers.
 */
import { forgetPrincipals } from "../auth/principal-caches.js";
import { Errors } from "../errors.js";
import { newGroupId } from "../ids.js";
import { IAM, type Operation, type OperationContext } from "../protocol/operation.js";
import type { XmlObject } from "../protocol/xml.js";
import type { Group } from "../store/store.js";
import { paged, pageInput } from "./marker.js";
import { authorizeIam, groupArn, onArn, onGroup, onListing, type ActionContext } from "./resources.js";
import * as shape from "./shapes.js";
import { authorizedOwner, userXml } from "./users.js";

/** "Groups an IAM user can be a member of: 10" (spec §1.4). */
export const GROUPS_PER_USER = 10;

export function groupXml(group: Group): XmlObject {
  return {
    Path: group.path,
    GroupName: group.groupName,
    GroupId: group.groupId,
    Arn: groupArn(group.accountId, group.path, group.groupName),
    CreateDate: group.createdAt,
  };
}

const accountOf = (ctx: OperationContext): string => ctx.caller.principal.accountId;

/**
 * For actions on a group that must exist: authorize on the group (its ARN with its path when it
 * exists), then refuse an unknown group. Authorization comes first, as for users (UNCONFIRMED).
 */
export async function authorizedGroup(ctx: OperationContext, groupName: string, action: string, context?: ActionContext): Promise<Group> {
  const group = await ctx.deps.store.getGroup(accountOf(ctx), groupName);
  await authorizeOnGroup(ctx, action, groupName, group, context);
  if (!group) throw Errors.noSuchGroup(groupName);
  return group;
}

/** Authorizes on the group's ARN (with its path when it exists), named as the caller named it. */
function authorizeOnGroup(ctx: OperationContext, action: string, groupName: string, group: Group | undefined, context?: ActionContext): Promise<void> {
  const arn = groupArn(accountOf(ctx), group?.path ?? "/", group?.groupName ?? groupName);
  return authorizeIam(ctx, onGroup(action, arn, groupName), context);
}

export const createGroup: Operation = {
  service: IAM,
  action: "CreateGroup",
  input: { Path: shape.path, GroupName: { ...shape.groupName, required: true } },
  async run(ctx, input) {
    const name = input.GroupName as string;
    const path = (input.Path as string | undefined) ?? "/";
    const accountId = accountOf(ctx);
    await authorizeIam(ctx, onArn("CreateGroup", groupArn(accountId, path, name)));
    const group: Group = { accountId, groupId: newGroupId(ctx.deps.random), groupName: name, path, createdAt: new Date(ctx.deps.clock.now()) };
    if ((await ctx.deps.store.createGroup(group)) === "exists") throw Errors.groupExists(name);
    return { Group: groupXml(group) };
  },
};

export const getGroup: Operation = {
  service: IAM,
  action: "GetGroup",
  input: { GroupName: { ...shape.groupName, required: true }, Marker: shape.marker, MaxItems: shape.maxItems },
  async run(ctx, input) {
    const group = await authorizedGroup(ctx, input.GroupName as string, "GetGroup");
    const page = await ctx.deps.store.listGroupMembers(accountOf(ctx), group.groupName, pageInput(input, "members"));
    if (!page) throw Errors.noSuchGroup(input.GroupName as string);
    // Element order as AWS sends it: Group, then Users (the model's order).
    return { Group: groupXml(group), ...paged(page, "members", userXml, "Users") };
  },
};

export const listGroups: Operation = {
  service: IAM,
  action: "ListGroups",
  input: { PathPrefix: shape.pathPrefix, Marker: shape.marker, MaxItems: shape.maxItems },
  async run(ctx, input) {
    const accountId = accountOf(ctx);
    await authorizeIam(ctx, onListing("ListGroups", accountId, "group"));
    const page = await ctx.deps.store.listGroups(accountId, {
      pathPrefix: (input.PathPrefix as string | undefined) ?? "/",
      ...pageInput(input, "groups"),
    });
    return paged(page, "groups", groupXml, "Groups");
  },
};

export const deleteGroup: Operation = {
  service: IAM,
  action: "DeleteGroup",
  input: { GroupName: { ...shape.groupName, required: true } },
  async run(ctx, input) {
    const group = await authorizedGroup(ctx, input.GroupName as string, "DeleteGroup");
    const result = await ctx.deps.store.deleteGroup(accountOf(ctx), group.groupName);
    if (result === "not-found") throw Errors.noSuchGroup(input.GroupName as string);
    if (result === "has-members") throw Errors.mustRemoveMembers();
    if (result === "has-inline-policies") throw Errors.mustDeletePolicies();
    if (result === "has-attached-policies") throw Errors.mustDetachPolicies();
    return undefined;
  },
};

const membershipInput = {
  GroupName: { ...shape.groupName, required: true },
  UserName: { ...shape.existingUserName, required: true },
} as const;

export const addUserToGroup: Operation = {
  service: IAM,
  action: "AddUserToGroup",
  input: membershipInput,
  async run(ctx, input) {
    const group = await authorizedGroup(ctx, input.GroupName as string, "AddUserToGroup");
    const userName = input.UserName as string;
    const result = await ctx.deps.store.addUserToGroup(accountOf(ctx), group.groupName, userName, GROUPS_PER_USER);
    if (result === "no-group") throw Errors.noSuchGroup(input.GroupName as string);
    if (result === "no-user") throw Errors.noSuchUser(userName);
    if (result === "limit") throw Errors.groupsPerUserQuota(GROUPS_PER_USER);
    await forgetPrincipals(ctx.deps.store);
    return undefined;
  },
};

export const removeUserFromGroup: Operation = {
  service: IAM,
  action: "RemoveUserFromGroup",
  input: membershipInput,
  async run(ctx, input) {
    const groupName = input.GroupName as string;
    const userName = input.UserName as string;
    const group = await ctx.deps.store.getGroup(accountOf(ctx), groupName);
    await authorizeOnGroup(ctx, "RemoveUserFromGroup", groupName, group);
    // Recorded: an unknown user is named before an unknown group.
    const result = await ctx.deps.store.removeUserFromGroup(accountOf(ctx), group?.groupName ?? groupName, userName);
    if (result === "no-user") throw Errors.noSuchUser(userName);
    if (result === "no-group") throw Errors.noSuchGroup(groupName);
    await forgetPrincipals(ctx.deps.store);
    return undefined;
  },
};

export const listGroupsForUser: Operation = {
  service: IAM,
  action: "ListGroupsForUser",
  input: { UserName: { ...shape.existingUserName, required: true }, Marker: shape.marker, MaxItems: shape.maxItems },
  async run(ctx, input) {
    const userName = input.UserName as string;
    const owner = (await authorizedOwner(ctx, userName, "ListGroupsForUser"))!;
    const page = await ctx.deps.store.listGroupsForUser(accountOf(ctx), owner, pageInput(input, "user-groups"));
    if (!page) throw Errors.noSuchUser(userName);
    return paged(page, "user-groups", groupXml, "Groups");
  },
};
