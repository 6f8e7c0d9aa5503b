/** IAM users: CreateUser, GetUser, ListUsers, UpdateUser, DeleteUser. */
import { forgetPrincipals } from "../auth/principal-caches.js";
import { principalArn, rootArn, userArn, type Caller } from "../principal.js";
import { Errors } from "../errors.js";
import { newUserId } from "../ids.js";
import { IAM, type Operation, type OperationContext } from "../protocol/operation.js";
import type { XmlObject } from "../protocol/xml.js";
import type { User } from "../store/store.js";
import { paged, pageInput } from "./marker.js";
import { authorizeIam, onArn, onListing, onUser, type ActionContext } from "./resources.js";
import * as shape from "./shapes.js";

export function userXml(user: User): XmlObject {
  return {
    Path: user.path,
    UserName: user.userName,
    UserId: user.userId,
    Arn: userArn(user.accountId, user.path, user.userName),
    CreateDate: user.createdAt,
  };
}

/**
 * The user an action is about: the named one, else the caller itself. Also the resource ARN
 * that authorization is checked against (the user's ARN, with its path when it exists).
 */
export async function targetUser(
  ctx: OperationContext,
  userName: string | undefined,
): Promise<{ user: User | undefined; name: string | null; arn: string }> {
  const { principal } = ctx.caller;
  if (userName === undefined) {
    if (principal.type === "root") return { user: undefined, name: null, arn: rootArn(principal.accountId) };
    if (principal.type === "role") throw Errors.userNameRequired();
    return { user: principal.user, name: principal.user.userName, arn: principalArn(principal) };
  }
  const user = await ctx.deps.store.getUser(principal.accountId, userName);
  return { user, name: userName, arn: user ? userArn(user.accountId, user.path, user.userName) : userArn(principal.accountId, "/", userName) };
}

/** Authorizes a per-user action on the target (the root user, only the root itself can name). */
export async function authorizeOnTarget(
  ctx: OperationContext,
  action: string,
  target: { name: string | null; arn: string },
  context?: ActionContext,
): Promise<void> {
  if (target.name !== null) await authorizeIam(ctx, onUser(action, target.arn, target.name), context);
}

/**
 * For per-user actions on a user that must exist: resolve the target, authorize the action on
 * it, then refuse an unknown user (authorization first: spec §11.10, UNCONFIRMED). Returns the
 * stored user name (null: the root user).
 */
export async function authorizedOwner(
  ctx: OperationContext,
  userName: string | undefined,
  action: string,
  context?: ActionContext,
): Promise<string | null> {
  const target = await targetUser(ctx, userName);
  await authorizeOnTarget(ctx, action, target, context);
  if (target.name === null) return null;
  if (!target.user) throw Errors.noSuchUser(target.name);
  return target.user.userName;
}

const accountOf = (caller: Caller): string => caller.principal.accountId;

export const createUser: Operation = {
  service: IAM,
  action: "CreateUser",
  input: { Path: shape.path, UserName: { ...shape.userName, required: true } },
  async run(ctx, input) {
    const name = input.UserName as string;
    const path = (input.Path as string | undefined) ?? "/";
    const accountId = accountOf(ctx.caller);
    await authorizeIam(ctx, onArn("CreateUser", userArn(accountId, path, name)));
    const user: User = {
      accountId,
      userId: newUserId(ctx.deps.random),
      userName: name,
      path,
      createdAt: new Date(ctx.deps.clock.now()),
    };
    if ((await ctx.deps.store.createUser(user)) === "exists") throw Errors.userExists(name);
    return { User: userXml(user) };
  },
};

export const getUser: Operation = {
  service: IAM,
  action: "GetUser",
  input: { UserName: shape.existingUserName },
  async run(ctx, input) {
    const target = await targetUser(ctx, input.UserName as string | undefined);
    await authorizeOnTarget(ctx, "GetUser", target);
    if (target.name === null) {
      // The root user: AWS answers with the account id as UserId and the root ARN.
      const accountId = accountOf(ctx.caller);
      const account = (await ctx.deps.store.listAccounts()).find((a) => a.id === accountId);
      return { User: { UserId: accountId, Arn: rootArn(accountId), CreateDate: account?.createdAt } };
    }
    if (!target.user) throw Errors.noSuchUser(target.name);
    return { User: userXml(target.user) };
  },
};

export const listUsers: Operation = {
  service: IAM,
  action: "ListUsers",
  input: { PathPrefix: shape.pathPrefix, Marker: shape.marker, MaxItems: shape.maxItems },
  async run(ctx, input) {
    const accountId = accountOf(ctx.caller);
    await authorizeIam(ctx, onListing("ListUsers", accountId, "user"));
    const page = await ctx.deps.store.listUsers(accountId, {
      pathPrefix: (input.PathPrefix as string | undefined) ?? "/",
      ...pageInput(input, "users"),
    });
    return paged(page, "users", userXml, "Users");
  },
};

export const updateUser: Operation = {
  service: IAM,
  action: "UpdateUser",
  input: { UserName: { ...shape.existingUserName, required: true }, NewPath: shape.path, NewUserName: shape.userName },
  async run(ctx, input) {
    const name = input.UserName as string;
    const target = await targetUser(ctx, name);
    await authorizeOnTarget(ctx, "UpdateUser", target);
    const newUserName = input.NewUserName as string | undefined;
    const newPath = input.NewPath as string | undefined;
    // "must have permission on both the source object and the target object" (IAM model,
    // UpdateUser): a rename or move may not take a user out of a Deny or into another's grants.
    if (newUserName !== undefined || newPath !== undefined) {
      const to = newUserName ?? target.user?.userName ?? name;
      await authorizeIam(ctx, onUser("UpdateUser", userArn(accountOf(ctx.caller), newPath ?? target.user?.path ?? "/", to), to));
    }
    const result = await ctx.deps.store.updateUser(accountOf(ctx.caller), name, {
      newUserName,
      newPath,
    });
    if (result === "not-found") throw Errors.noSuchUser(name);
    if (result === "exists") throw Errors.userExists(newUserName!);
    await forgetPrincipals(ctx.deps.store);
    return undefined;
  },
};

export const deleteUser: Operation = {
  service: IAM,
  action: "DeleteUser",
  input: { UserName: { ...shape.existingUserName, required: true } },
  async run(ctx, input) {
    const name = input.UserName as string;
    const target = await targetUser(ctx, name);
    await authorizeOnTarget(ctx, "DeleteUser", target);
    const result = await ctx.deps.store.deleteUser(accountOf(ctx.caller), name);
    if (result === "not-found") throw Errors.noSuchUser(name);
    if (result === "has-access-keys") throw Errors.deleteConflict("access keys");
    if (result === "has-mfa-devices") throw Errors.deleteConflict("MFA device");
    if (result === "has-inline-policies") throw Errors.mustDeletePolicies();
    if (result === "has-attached-policies") throw Errors.mustDetachPolicies();
    if (result === "in-groups") throw Errors.mustRemoveMembers();
    await forgetPrincipals(ctx.deps.store);
    return undefined;
  },
};
