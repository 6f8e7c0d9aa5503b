/**
 * Managed policies: the account's own (CreatePolicy, GetPolicy, ListPolicies, DeletePolicy and
 * their versions) and AWS's, which exist in every account and are read from the catalogue in
 * aws-managed-policies.ts; ListEntitiesForPolicy. Changing the default version changes what the
 * policy grants, so cached policy sets are forgotten before that call answers.
 */
import { forgetPrincipals } from "../auth/principal-caches.js";
import { Errors } from "../errors.js";
import { newPolicyId } from "../ids.js";
import { IAM, type Operation, type OperationContext } from "../protocol/operation.js";
import { XmlList, type XmlObject } from "../protocol/xml.js";
import type { ManagedPolicy, PolicyVersion } from "../store/store.js";
import { awsManagedPolicy, AWS_MANAGED_POLICIES, isAwsManagedArn, type AwsManagedPolicy } from "../aws-managed-policies.js";
import { paged, pageEnd, pageInput, pageOfList } from "./marker.js";
import { checkPolicyDocument, encodePolicyDocument, MANAGED_POLICY_SIZE_LIMIT } from "./policy-documents.js";
import { authorizeIam, checkArn, onListing, onPolicy, policyArn } from "./resources.js";
import * as shape from "./shapes.js";
import { tagContext, tagsOf, tagsXml } from "./tags.js";

/** "Versions of a managed policy: 5" (spec §1.4). */
export const POLICY_VERSIONS = 5;

const accountOf = (ctx: OperationContext): string => ctx.caller.principal.accountId;

/** What GetPolicy, ListPolicies and CreatePolicy say of a policy, customer or AWS managed, in model order. */
interface PolicyView {
  policyName: string;
  policyId: string;
  arn: string;
  path: string;
  defaultVersionId: string;
  attachmentCount: number;
  description: string | null;
  createdAt: Date;
  updatedAt: Date;
  tags: ManagedPolicy["tags"];
}

const fromAws = (p: AwsManagedPolicy, attachmentCount: number): PolicyView => ({
  policyName: p.policyName,
  policyId: p.policyId,
  arn: p.arn,
  path: p.path,
  defaultVersionId: p.defaultVersionId,
  attachmentCount,
  description: p.description,
  createdAt: p.createDate,
  updatedAt: p.updateDate,
  tags: [],
});

/**
 * The policy element. `detail` (GetPolicy) adds Description and Tags (an empty list when there
 * are none); CreatePolicy shows Tags only when some were given; listings show neither (spec §7.2).
 */
function policyXml(p: PolicyView, detail: "get" | "create" | "list"): XmlObject {
  return {
    PolicyName: p.policyName,
    PolicyId: p.policyId,
    Arn: p.arn,
    Path: p.path,
    DefaultVersionId: p.defaultVersionId,
    AttachmentCount: p.attachmentCount,
    PermissionsBoundaryUsageCount: 0,
    IsAttachable: true,
    Description: detail === "get" ? (p.description ?? undefined) : undefined,
    CreateDate: p.createdAt,
    UpdateDate: p.updatedAt,
    Tags: detail === "get" ? new XmlList(p.tags.map((t) => ({ Key: t.key, Value: t.value }))) : detail === "create" ? tagsXml(p.tags) : undefined,
  };
}

const versionXml = (v: PolicyVersion, withDocument: boolean): XmlObject => ({
  Document: withDocument ? encodePolicyDocument(v.document) : undefined,
  VersionId: v.versionId,
  IsDefaultVersion: v.isDefault,
  CreateDate: v.createdAt,
});

/** The account's policy or AWS's, as a view; undefined when neither has that ARN. */
async function findPolicy(ctx: OperationContext, arn: string): Promise<PolicyView | undefined> {
  const aws = awsManagedPolicy(arn);
  if (aws) return fromAws(aws, await ctx.deps.store.countAttachments(accountOf(ctx), arn));
  return ctx.deps.store.getPolicy(accountOf(ctx), arn);
}

export const createPolicy: Operation = {
  service: IAM,
  action: "CreatePolicy",
  input: {
    PolicyName: { ...shape.policyName, required: true },
    Path: shape.policyPath,
    PolicyDocument: { ...shape.policyDocument, required: true },
    Description: shape.policyDescription,
    Tags: shape.tags,
  },
  async run(ctx, input) {
    const accountId = accountOf(ctx);
    const name = input.PolicyName as string;
    const path = (input.Path as string | undefined) ?? "/";
    const arn = policyArn(accountId, path, name);
    const tags = tagsOf(input);
    await authorizeIam(ctx, onPolicy("CreatePolicy", arn), tagContext(tags));
    const document = input.PolicyDocument as string;
    if (checkPolicyDocument(document, { managed: true }) > MANAGED_POLICY_SIZE_LIMIT) throw Errors.managedPolicySize(MANAGED_POLICY_SIZE_LIMIT);
    const now = new Date(ctx.deps.clock.now());
    const policy: ManagedPolicy = {
      accountId,
      policyId: newPolicyId(ctx.deps.random),
      policyName: name,
      path,
      arn,
      description: (input.Description as string | undefined) ?? null,
      defaultVersionId: "v1",
      tags,
      createdAt: now,
      updatedAt: now,
      attachmentCount: 0,
    };
    if ((await ctx.deps.store.createPolicy(policy, document)) === "exists") throw Errors.policyExists(name);
    return { Policy: policyXml(policy, "create") };
  },
};

export const getPolicy: Operation = {
  service: IAM,
  action: "GetPolicy",
  input: { PolicyArn: { ...shape.arn, required: true } },
  async run(ctx, input) {
    const arn = input.PolicyArn as string;
    checkArn(arn);
    await authorizeIam(ctx, onPolicy("GetPolicy", arn));
    const policy = await findPolicy(ctx, arn);
    if (!policy) throw Errors.policyNotFound(arn);
    return { Policy: policyXml(policy, "get") };
  },
};

export const listPolicies: Operation = {
  service: IAM,
  action: "ListPolicies",
  input: {
    Scope: shape.policyScope,
    OnlyAttached: shape.boolean,
    PathPrefix: shape.policyPath,
    PolicyUsageFilter: shape.policyUsage,
    Marker: shape.marker,
    MaxItems: shape.maxItems,
  },
  async run(ctx, input) {
    const accountId = accountOf(ctx);
    await authorizeIam(ctx, onListing("ListPolicies", accountId, "policy"));
    const scope = (input.Scope as string | undefined) ?? "All";
    const onlyAttached = input.OnlyAttached === true;
    const pathPrefix = (input.PathPrefix as string | undefined) ?? "/";
    let views: PolicyView[] = [];
    if (scope !== "Local") {
      for (const p of AWS_MANAGED_POLICIES) views.push(fromAws(p, await ctx.deps.store.countAttachments(accountId, p.arn)));
    }
    if (scope !== "AWS") views.push(...(await ctx.deps.store.listPolicies(accountId)));
    // No policy here is a permissions boundary: that filter leaves nothing (boundaries are not supported).
    if (input.PolicyUsageFilter === "PermissionsBoundary") views = [];
    views = views
      .filter((p) => p.path.startsWith(pathPrefix) && (!onlyAttached || p.attachmentCount > 0))
      .sort((a, b) => (a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0));
    const { after, limit } = pageInput(input, "policies");
    return paged(pageOfList(views, (p) => p.arn, after, limit), "policies", (p) => policyXml(p, "list"), "Policies");
  },
};

/** Refuses changes to AWS managed policies with AWS's recorded texts. */
function refuseAws(arn: string, error: () => ReturnType<typeof Errors.awsPolicyUpdate>): void {
  if (isAwsManagedArn(arn)) throw error();
}

export const deletePolicy: Operation = {
  service: IAM,
  action: "DeletePolicy",
  input: { PolicyArn: { ...shape.arn, required: true } },
  async run(ctx, input) {
    const arn = input.PolicyArn as string;
    checkArn(arn);
    await authorizeIam(ctx, onPolicy("DeletePolicy", arn));
    refuseAws(arn, Errors.awsPolicyDelete);
    const result = await ctx.deps.store.deletePolicy(accountOf(ctx), arn);
    if (result === "not-found") throw Errors.policyNotFound(arn);
    if (result === "attached") throw Errors.policyAttached();
    if (result === "has-versions") throw Errors.policyHasVersions();
    return undefined;
  },
};

export const createPolicyVersion: Operation = {
  service: IAM,
  action: "CreatePolicyVersion",
  input: {
    PolicyArn: { ...shape.arn, required: true },
    PolicyDocument: { ...shape.policyDocument, required: true },
    SetAsDefault: shape.boolean,
  },
  async run(ctx, input) {
    const arn = input.PolicyArn as string;
    checkArn(arn);
    await authorizeIam(ctx, onPolicy("CreatePolicyVersion", arn));
    refuseAws(arn, Errors.awsPolicyUpdate);
    const document = input.PolicyDocument as string;
    if (checkPolicyDocument(document, { managed: true }) > MANAGED_POLICY_SIZE_LIMIT) throw Errors.managedPolicySize(MANAGED_POLICY_SIZE_LIMIT);
    const setAsDefault = input.SetAsDefault === true;
    const createdAt = new Date(ctx.deps.clock.now());
    const result = await ctx.deps.store.createPolicyVersion(accountOf(ctx), arn, document, setAsDefault, createdAt, POLICY_VERSIONS);
    if (result === "not-found") throw Errors.policyNotFound(arn);
    if (result === "limit") throw Errors.policyVersionLimit();
    if (setAsDefault) await forgetPrincipals(ctx.deps.store);
    return { PolicyVersion: versionXml({ versionId: result.versionId, document, isDefault: setAsDefault, createdAt }, false) };
  },
};

/** AWS managed policies have one version here: their current default. */
function awsVersion(p: AwsManagedPolicy): PolicyVersion {
  return { versionId: p.defaultVersionId, document: p.document, isDefault: true, createdAt: p.updateDate };
}

export const getPolicyVersion: Operation = {
  service: IAM,
  action: "GetPolicyVersion",
  input: { PolicyArn: { ...shape.arn, required: true }, VersionId: { ...shape.policyVersionId, required: true } },
  async run(ctx, input) {
    const arn = input.PolicyArn as string;
    const versionId = input.VersionId as string;
    checkArn(arn);
    await authorizeIam(ctx, onPolicy("GetPolicyVersion", arn));
    const aws = awsManagedPolicy(arn);
    const version = aws
      ? aws.defaultVersionId === versionId
        ? awsVersion(aws)
        : undefined
      : await ctx.deps.store.getPolicyVersion(accountOf(ctx), arn, versionId);
    if (!version) throw Errors.noSuchPolicyVersion(arn, versionId);
    return { PolicyVersion: versionXml(version, true) };
  },
};

export const listPolicyVersions: Operation = {
  service: IAM,
  action: "ListPolicyVersions",
  input: { PolicyArn: { ...shape.arn, required: true }, Marker: shape.marker, MaxItems: shape.maxItems },
  async run(ctx, input) {
    const arn = input.PolicyArn as string;
    checkArn(arn);
    await authorizeIam(ctx, onPolicy("ListPolicyVersions", arn));
    const aws = awsManagedPolicy(arn);
    const versions = aws ? [awsVersion(aws)] : await ctx.deps.store.listPolicyVersions(accountOf(ctx), arn);
    if (!versions) throw Errors.policyNotFound(arn);
    const { after, limit } = pageInput(input, "versions");
    // Newest first: the marker is the position after the last version shown.
    const numbered = versions.map((v, i) => ({ v, key: String(i).padStart(4, "0") }));
    return paged(pageOfList(numbered, (n) => n.key, after, limit), "versions", (n) => versionXml(n.v, false), "Versions");
  },
};

export const deletePolicyVersion: Operation = {
  service: IAM,
  action: "DeletePolicyVersion",
  input: { PolicyArn: { ...shape.arn, required: true }, VersionId: { ...shape.policyVersionId, required: true } },
  async run(ctx, input) {
    const arn = input.PolicyArn as string;
    const versionId = input.VersionId as string;
    checkArn(arn);
    await authorizeIam(ctx, onPolicy("DeletePolicyVersion", arn));
    refuseAws(arn, Errors.awsPolicyVersionDelete);
    const result = await ctx.deps.store.deletePolicyVersion(accountOf(ctx), arn, versionId);
    if (result === "not-found") throw Errors.noSuchPolicyVersion(arn, versionId);
    if (result === "default") throw Errors.deleteDefaultVersion();
    return undefined;
  },
};

export const setDefaultPolicyVersion: Operation = {
  service: IAM,
  action: "SetDefaultPolicyVersion",
  input: { PolicyArn: { ...shape.arn, required: true }, VersionId: { ...shape.policyVersionId, required: true } },
  async run(ctx, input) {
    const arn = input.PolicyArn as string;
    const versionId = input.VersionId as string;
    checkArn(arn);
    await authorizeIam(ctx, onPolicy("SetDefaultPolicyVersion", arn));
    refuseAws(arn, Errors.awsPolicyUpdate);
    const result = await ctx.deps.store.setDefaultPolicyVersion(accountOf(ctx), arn, versionId, new Date(ctx.deps.clock.now()));
    if (result === "not-found") throw Errors.noSuchPolicyVersion(arn, versionId);
    await forgetPrincipals(ctx.deps.store);
    return undefined;
  },
};

export const listEntitiesForPolicy: Operation = {
  service: IAM,
  action: "ListEntitiesForPolicy",
  input: {
    PolicyArn: { ...shape.arn, required: true },
    EntityFilter: shape.entityType,
    PathPrefix: shape.path,
    PolicyUsageFilter: shape.policyUsage,
    Marker: shape.marker,
    MaxItems: shape.maxItems,
  },
  async run(ctx, input) {
    const arn = input.PolicyArn as string;
    checkArn(arn);
    await authorizeIam(ctx, onPolicy("ListEntitiesForPolicy", arn));
    if (!(await findPolicy(ctx, arn))) throw Errors.policyNotAttachable(arn);
    const filter = input.EntityFilter as string | undefined;
    const pathPrefix = (input.PathPrefix as string | undefined) ?? "/";
    const boundary = input.PolicyUsageFilter === "PermissionsBoundary";
    const { users, groups, roles } = await ctx.deps.store.listEntitiesForPolicy(accountOf(ctx), arn);
    // One list in the model's order (groups, users, roles), paged as a whole.
    const entities = [
      ...(filter === undefined || filter === "Group" ? groups.map((g) => ({ kind: "group" as const, path: g.path, xml: { GroupName: g.groupName, GroupId: g.groupId } })) : []),
      ...(filter === undefined || filter === "User" ? users.map((u) => ({ kind: "user" as const, path: u.path, xml: { UserName: u.userName, UserId: u.userId } })) : []),
      ...(filter === undefined || filter === "Role" ? roles.map((r) => ({ kind: "role" as const, path: r.path, xml: { RoleName: r.roleName, RoleId: r.roleId } })) : []),
    ].filter((e) => !boundary && e.path.startsWith(pathPrefix));
    const numbered = entities.map((e, i) => ({ ...e, key: String(i).padStart(6, "0") }));
    const { after, limit } = pageInput(input, "entities");
    const page = pageOfList(numbered, (e) => e.key, after, limit);
    return {
      PolicyGroups: new XmlList(page.items.filter((e) => e.kind === "group").map((e) => e.xml)),
      PolicyUsers: new XmlList(page.items.filter((e) => e.kind === "user").map((e) => e.xml)),
      PolicyRoles: new XmlList(page.items.filter((e) => e.kind === "role").map((e) => e.xml)),
      ...pageEnd(page, "entities"),
    };
  },
};
