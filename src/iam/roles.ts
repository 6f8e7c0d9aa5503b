/**
 * IAM roles (assume-role spec §7): CreateRole, GetRole, ListRoles, UpdateRole,
 * UpdateRoleDescription, UpdateAssumeRolePolicy, DeleteRole. Their inline policies and attached
 * policies are the user and group operations with the owner kind "role" (policy-owners.ts);
 * their tags are in role-tags.ts.
 *
 * Each call returns the Role members AWS was recorded returning for it (spec §7.1): CreateRole and
 * UpdateRoleDescription without MaxSessionDuration and RoleLastUsed, GetRole with both (RoleLastUsed
 * empty: this server does not record role use), ListRoles with MaxSessionDuration but without Tags
 * and RoleLastUsed. The trust policy is URL-encoded on the way out like every policy document.
 *
 * Permissions boundaries are refused (InvalidInput, our own text): this server would not enforce
 * one, and a role that silently ignored its boundary would be allowed more than its owner meant.
 */
import { forgetPrincipals } from "../auth/principal-caches.js";
import { Errors } from "../errors.js";
import { newRoleId } from "../ids.js";
import { IAM, type Operation, type OperationContext } from "../protocol/operation.js";
import { XmlList, type XmlObject } from "../protocol/xml.js";
import type { Role, Tag } from "../store/store.js";
import { paged, pageInput } from "./marker.js";
import { encodePolicyDocument } from "./policy-documents.js";
import { authorizeIam, onArn, onListing, onRole, roleArn, type ActionContext } from "./resources.js";
import * as shape from "./shapes.js";
import { tagContext, tagsOf, tagsXml } from "./tags.js";
import { checkTrustPolicy } from "./trust-policies.js";

/** A role's MaxSessionDuration when none is given (spec §5). */
export const DEFAULT_MAX_SESSION_DURATION = 3600;

/** An element without children, written `<RoleLastUsed/>` as AWS writes an empty structure (an empty list is written so). */
const EMPTY_ELEMENT = new XmlList([]);

/** Which members a call returns (spec §7.1). */
type RoleView = "create" | "get" | "list";

export function roleXml(role: Role, view: RoleView): XmlObject {
  return {
    Path: role.path,
    RoleName: role.roleName,
    RoleId: role.roleId,
    Arn: role.arn,
    CreateDate: new Date(role.createdAt),
    AssumeRolePolicyDocument: encodePolicyDocument(role.assumeRolePolicyDocument),
    Description: role.description,
    MaxSessionDuration: view === "create" ? undefined : role.maxSessionDuration,
    Tags: view === "list" ? undefined : tagsXml(role.tags),
    // Never used, as far as this server records: the empty element AWS sends for such a role.
    RoleLastUsed: view === "get" ? EMPTY_ELEMENT : undefined,
  };
}

const accountOf = (ctx: OperationContext): string => ctx.caller.principal.accountId;

/** The condition keys of an existing resource's tags (aws:ResourceTag/KEY, and IAM's own iam:ResourceTag/KEY). */
function resourceTagContext(tags: readonly Tag[]): Record<string, string> {
  const context: Record<string, string> = {};
  for (const t of tags) {
    context[`aws:ResourceTag/${t.key}`] = t.value;
    context[`iam:ResourceTag/${t.key}`] = t.value;
  }
  return context;
}

/**
 * For actions on a role that must exist: authorize on the role (its ARN with its path when it
 * exists, with its tags as aws:ResourceTag), then refuse an unknown role. Authorization comes
 * first, as for users and groups (UNCONFIRMED).
 */
export async function authorizedRole(ctx: OperationContext, roleName: string, action: string, context?: ActionContext): Promise<Role> {
  const role = await ctx.deps.store.getRole(accountOf(ctx), roleName);
  const arn = role?.arn ?? roleArn(accountOf(ctx), "/", roleName);
  await authorizeIam(ctx, onRole(action, arn, roleName), { ...resourceTagContext(role?.tags ?? []), ...context });
  if (!role) throw Errors.noSuchRole(roleName);
  return role;
}

export const createRole: Operation = {
  service: IAM,
  action: "CreateRole",
  input: {
    Path: shape.path,
    RoleName: { ...shape.roleName, required: true },
    AssumeRolePolicyDocument: { ...shape.policyDocument, required: true },
    Description: shape.roleDescription,
    MaxSessionDuration: shape.maxSessionDuration,
    PermissionsBoundary: shape.arn,
    Tags: shape.tags,
  },
  async run(ctx, input) {
    const accountId = accountOf(ctx);
    const name = input.RoleName as string;
    const path = (input.Path as string | undefined) ?? "/";
    const arn = roleArn(accountId, path, name);
    const tags = tagsOf(input, "role");
    await authorizeIam(ctx, onArn("CreateRole", arn), tagContext(tags));
    if (input.PermissionsBoundary !== undefined) throw Errors.permissionsBoundaryUnsupported();
    const document = input.AssumeRolePolicyDocument as string;
    await checkTrustPolicy(ctx, document);
    const role: Role = {
      accountId,
      roleName: name,
      roleId: newRoleId(ctx.deps.random),
      path,
      arn,
      createdAt: ctx.deps.clock.now(),
      assumeRolePolicyDocument: document,
      description: input.Description as string | undefined,
      maxSessionDuration: (input.MaxSessionDuration as number | undefined) ?? DEFAULT_MAX_SESSION_DURATION,
      tags,
    };
    if ((await ctx.deps.store.createRole(role)) === "exists") throw Errors.roleExists(name);
    return { Role: roleXml(role, "create") };
  },
};

export const getRole: Operation = {
  service: IAM,
  action: "GetRole",
  input: { RoleName: { ...shape.roleName, required: true } },
  async run(ctx, input) {
    const role = await authorizedRole(ctx, input.RoleName as string, "GetRole");
    return { Role: roleXml(role, "get") };
  },
};

export const listRoles: Operation = {
  service: IAM,
  action: "ListRoles",
  input: { PathPrefix: shape.pathPrefix, Marker: shape.marker, MaxItems: shape.maxItems },
  async run(ctx, input) {
    const accountId = accountOf(ctx);
    await authorizeIam(ctx, onListing("ListRoles", accountId, "role"));
    const page = await ctx.deps.store.listRoles(accountId, {
      pathPrefix: (input.PathPrefix as string | undefined) ?? "/",
      ...pageInput(input, "roles"),
    });
    return paged(page, "roles", (role) => roleXml(role, "list"), "Roles");
  },
};

export const updateRole: Operation = {
  service: IAM,
  action: "UpdateRole",
  input: {
    RoleName: { ...shape.roleName, required: true },
    Description: shape.roleDescription,
    MaxSessionDuration: shape.maxSessionDuration,
  },
  async run(ctx, input) {
    const name = input.RoleName as string;
    await authorizedRole(ctx, name, "UpdateRole");
    const changes = { description: input.Description as string | undefined, maxSessionDuration: input.MaxSessionDuration as number | undefined };
    if (!(await ctx.deps.store.updateRole(accountOf(ctx), name, changes))) throw Errors.noSuchRole(name);
    // Role sessions hold the role as read (principal.ts): let them see it as it is now.
    await forgetPrincipals(ctx.deps.store);
    // The model's output is an empty structure, and botocore requires its UpdateRoleResult element.
    return {};
  },
};

export const updateRoleDescription: Operation = {
  service: IAM,
  action: "UpdateRoleDescription",
  input: { RoleName: { ...shape.roleName, required: true }, Description: { ...shape.roleDescription, required: true } },
  async run(ctx, input) {
    const name = input.RoleName as string;
    await authorizedRole(ctx, name, "UpdateRoleDescription");
    const role = await ctx.deps.store.updateRole(accountOf(ctx), name, { description: input.Description as string });
    if (!role) throw Errors.noSuchRole(name);
    await forgetPrincipals(ctx.deps.store);
    return { Role: roleXml(role, "create") };
  },
};

export const updateAssumeRolePolicy: Operation = {
  service: IAM,
  action: "UpdateAssumeRolePolicy",
  input: { RoleName: { ...shape.roleName, required: true }, PolicyDocument: { ...shape.policyDocument, required: true } },
  async run(ctx, input) {
    const name = input.RoleName as string;
    await authorizedRole(ctx, name, "UpdateAssumeRolePolicy");
    const document = input.PolicyDocument as string;
    await checkTrustPolicy(ctx, document);
    if (!(await ctx.deps.store.updateRole(accountOf(ctx), name, { assumeRolePolicyDocument: document }))) throw Errors.noSuchRole(name);
    await forgetPrincipals(ctx.deps.store);
    return undefined;
  },
};

export const deleteRole: Operation = {
  service: IAM,
  action: "DeleteRole",
  input: { RoleName: { ...shape.roleName, required: true } },
  async run(ctx, input) {
    const name = input.RoleName as string;
    await authorizedRole(ctx, name, "DeleteRole");
    const result = await ctx.deps.store.deleteRole(accountOf(ctx), name);
    if (result === "not-found") throw Errors.noSuchRole(name);
    // Which conflict AWS names first is UNCONFIRMED (spec §7.3); moto checks managed, then inline.
    if (result === "has-attached-policies") throw Errors.mustDetachPolicies();
    if (result === "has-inline-policies") throw Errors.mustDeletePolicies();
    // The role's sessions stop with it (auth/session-users.ts reads the role on each request).
    await forgetPrincipals(ctx.deps.store);
    return undefined;
  },
};
