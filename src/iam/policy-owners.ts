/**
 * Users, groups and roles as owners of inline policies and managed-policy attachments: the
 * operations of the three families are one definition each, given the owner kind.
 */
import { AwsError, Errors } from "../errors.js";
import type { OperationContext } from "../protocol/operation.js";
import type { StringField } from "../protocol/shapes.js";
import type { PolicyOwner } from "../store/store.js";
import { authorizedGroup } from "./groups.js";
import type { ActionContext } from "./resources.js";
import { authorizedRole } from "./roles.js";
import * as shape from "./shapes.js";
import { authorizedOwner } from "./users.js";

export interface OwnerKind {
  kind: PolicyOwner["kind"];
  /** "User", "Group" or "Role": in operation and member names. */
  noun: "User" | "Group" | "Role";
  nameField: StringField;
  /**
   * Authorizes `action` on the named owner (with the action's own condition keys, if any) and
   * returns its stored name; throws NoSuchEntity for an unknown one.
   */
  resolve(ctx: OperationContext, name: string, action: string, context?: ActionContext): Promise<string>;
  noSuchPolicy(policyName: string): AwsError;
  noSuchOwner(name: string): AwsError;
}

export const USER_OWNER: OwnerKind = {
  kind: "user",
  noun: "User",
  nameField: shape.existingUserName,
  resolve: async (ctx, name, action, context) => (await authorizedOwner(ctx, name, action, context))!,
  noSuchPolicy: Errors.noSuchUserPolicy,
  noSuchOwner: Errors.noSuchUser,
};

export const GROUP_OWNER: OwnerKind = {
  kind: "group",
  noun: "Group",
  nameField: shape.groupName,
  resolve: async (ctx, name, action, context) => (await authorizedGroup(ctx, name, action, context)).groupName,
  noSuchPolicy: Errors.noSuchGroupPolicy,
  noSuchOwner: Errors.noSuchGroup,
};

export const ROLE_OWNER: OwnerKind = {
  kind: "role",
  noun: "Role",
  nameField: shape.roleName,
  resolve: async (ctx, name, action, context) => (await authorizedRole(ctx, name, action, context)).roleName,
  noSuchPolicy: Errors.noSuchRolePolicy,
  noSuchOwner: Errors.noSuchRole,
};

