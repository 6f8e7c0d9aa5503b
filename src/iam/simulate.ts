/**
 * The policy simulator: SimulatePrincipalPolicy (a user's, a group's or a role's policies, plus any given)
 * and SimulateCustomPolicy (only the given ones), so a user can ask "would this be allowed with
 * MFA?" by passing aws:MultiFactorAuthPresent in ContextEntries. Same engine as authorization
 * (DESIGN.md decision 8); the context is only what the caller supplies, plus — for a user — the
 * user's own identity keys (aws:username, aws:userid, aws:PrincipalArn, …) unless supplied
 * (UNCONFIRMED: AWS's simulator fills some principal keys itself; which ones is not documented).
 * Keys the policies test that nobody supplied are listed in MissingContextValues (spec §7.4).
 * Not simulated: resource policies, permissions boundaries (not supported by this server).
 */
import { IAM_POLICY, namedPolicies, rolePolicies, userPolicies, type NamedPolicy } from "../auth/user-policies.js";
import { Errors } from "../errors.js";
import { compilePolicy, evaluate, type ContextValue } from "../policy/index.js";
import { IAM, type Operation, type OperationContext } from "../protocol/operation.js";
import type { Input, StructInput } from "../protocol/shapes.js";
import { XmlList, type XmlObject } from "../protocol/xml.js";
import type { EffectivePolicy, Group, Role, User } from "../store/store.js";
import { isAwsManagedArn } from "../aws-managed-policies.js";
import { pageEnd, pageInput } from "./marker.js";
import { parsedPolicyDocument } from "./policy-documents.js";
import { authorizeIam, onArn, onNothing, userArn } from "./resources.js";
import * as shape from "./shapes.js";

const accountOf = (ctx: OperationContext): string => ctx.caller.principal.accountId;

/** PolicyInputList.N: the given documents, numbered from 1 as AWS names them. */
function inputPolicies(documents: readonly string[] | undefined): NamedPolicy[] {
  return (documents ?? []).map((text, i) => ({
    id: `PolicyInputList.${i + 1}`,
    type: IAM_POLICY,
    arn: null,
    policy: compilePolicy(parsedPolicyDocument(text, { managed: false })),
  }));
}

/**
 * ContextEntries as a request context: key names in lower case, list types keep every value.
 * An entry without values supplies nothing (the key stays missing, as for Null and IfExists).
 */
function contextOf(entries: readonly StructInput[] | undefined): Map<string, ContextValue> {
  const context = new Map<string, ContextValue>();
  for (const entry of entries ?? []) {
    const name = entry.ContextKeyName as string | undefined;
    const values = (entry.ContextKeyValues as readonly string[] | undefined) ?? [];
    if (name === undefined || values.length === 0) continue;
    const type = (entry.ContextKeyType as string | undefined) ?? "string";
    context.set(name.toLowerCase(), type.endsWith("List") ? values : values[0]!);
  }
  return context;
}

/** A user's identity keys, where the caller did not supply them. */
function withUserKeys(context: Map<string, ContextValue>, user: User): Map<string, ContextValue> {
  const keys: [string, string][] = [
    ["aws:username", user.userName],
    ["aws:userid", user.userId],
    ["aws:principalarn", userArn(user.accountId, user.path, user.userName)],
    ["aws:principalaccount", user.accountId],
    ["aws:principaltype", "User"],
  ];
  for (const [key, value] of keys) if (!context.has(key)) context.set(key, value);
  return context;
}

/**
 * A role's identity keys, where the caller did not supply them: those a session of the role
 * would have whatever its name (aws:PrincipalArn is the role's ARN; UNCONFIRMED which ones AWS fills).
 */
function withRoleKeys(context: Map<string, ContextValue>, role: Role): Map<string, ContextValue> {
  const keys: [string, string][] = [
    ["aws:principalarn", role.arn],
    ["aws:principalaccount", role.accountId],
    ["aws:principaltype", "AssumedRole"],
  ];
  for (const [key, value] of keys) if (!context.has(key)) context.set(key, value);
  return context;
}

/** The stored entity a PolicySourceArn names (by its case-insensitive name), with its name and path as stored. */
async function policySource(
  ctx: OperationContext,
  kind: "user" | "group" | "role",
  name: string,
): Promise<{ entity: User | Group | Role; name: string; path: string } | undefined> {
  const { store } = ctx.deps;
  if (kind === "user") return store.getUser(accountOf(ctx), name).then((u) => u && { entity: u, name: u.userName, path: u.path });
  if (kind === "group") return store.getGroup(accountOf(ctx), name).then((g) => g && { entity: g, name: g.groupName, path: g.path });
  return store.getRole(accountOf(ctx), name).then((r) => r && { entity: r, name: r.roleName, path: r.path });
}

const noSuchSource = { user: Errors.noSuchUser, group: Errors.noSuchGroup, role: Errors.noSuchRole } as const;

/** A group's own inline and attached policies (groups are never principals, but can be simulated). */
async function groupPolicies(ctx: OperationContext, group: Group): Promise<NamedPolicy[]> {
  const { store } = ctx.deps;
  const owner = { kind: "group" as const, name: group.groupName };
  const effective: EffectivePolicy[] = [];
  for (const name of (await store.listInlinePolicies(group.accountId, owner)) ?? []) {
    const document = await store.getInlinePolicy(group.accountId, owner, name);
    if (document !== "no-owner" && document !== "not-found") effective.push({ via: owner, kind: "inline", name, arn: null, versionId: null, document });
  }
  for (const arn of (await store.listAttachedPolicies(group.accountId, owner)) ?? []) {
    const name = arn.slice(arn.lastIndexOf("/") + 1);
    if (isAwsManagedArn(arn)) {
      effective.push({ via: owner, kind: "managed", name, arn, versionId: null, document: null });
      continue;
    }
    const policy = await store.getPolicy(group.accountId, arn);
    const version = policy && (await store.getPolicyVersion(group.accountId, arn, policy.defaultVersionId));
    if (version) effective.push({ via: owner, kind: "managed", name, arn, versionId: version.versionId, document: version.document });
  }
  return namedPolicies(effective);
}

const statementXml = (m: { policy: NamedPolicy; statement: { start: { line: number; column: number }; end: { line: number; column: number } } }) => ({
  SourcePolicyId: m.policy.id,
  SourcePolicyType: m.policy.type,
  StartPosition: { Line: m.statement.start.line, Column: m.statement.start.column },
  EndPosition: { Line: m.statement.end.line, Column: m.statement.end.column },
});

/**
 * EvaluationResults for action × resource, action by action (spec §7.4), one page of them: only
 * the results on the page are evaluated, so a long list of actions and resources costs no more
 * than MaxItems evaluations per call. The marker is the position of the next result.
 */
function simulate(policies: readonly NamedPolicy[], input: Input, context: Map<string, ContextValue>): XmlObject {
  const actions = input.ActionNames as readonly string[];
  const resources = input.ResourceArns as readonly string[] | undefined;
  const perAction = resources?.length ?? 1;
  const total = actions.length * perAction;
  const { after, limit } = pageInput(input, "simulation");
  const start = after === undefined ? 0 : Number(after);
  if (!Number.isSafeInteger(start) || start < 0 || start > total) throw Errors.invalidMarker();
  const end = Math.min(total, start + limit);
  const results: XmlObject[] = [];
  for (let i = start; i < end; i++) {
    const action = actions[Math.floor(i / perAction)]!;
    const resource = resources?.[i % perAction] ?? "*";
    const result = evaluate(policies, { action, resource, context });
    const decision = result.decision === "allow" ? "allowed" : result.decision;
    const matched = new XmlList(result.matched.map(statementXml));
    const missing = new XmlList(result.missingContextKeys);
    results.push({
      EvalActionName: action,
      EvalResourceName: resource,
      EvalDecision: decision,
      MatchedStatements: matched,
      MissingContextValues: missing,
      OrganizationsDecisionDetail: { AllowedByOrganizations: true },
      // Recorded: with ResourceArns, an empty EvalDecisionDetails and one result per resource.
      EvalDecisionDetails: resources ? new XmlList([]) : undefined,
      ResourceSpecificResults: resources
        ? new XmlList([{ EvalResourceName: resource, EvalResourceDecision: decision, MatchedStatements: matched, MissingContextValues: missing }])
        : undefined,
    });
  }
  return {
    EvaluationResults: new XmlList(results),
    ...pageEnd(end < total ? { items: [], next: String(end) } : { items: [] }, "simulation"),
  };
}

const simulationInput = {
  PolicyInputList: shape.policyDocuments,
  ActionNames: { ...shape.actionNames, required: true },
  ResourceArns: shape.resourceNames,
  ContextEntries: shape.contextEntries,
  MaxItems: shape.maxItems,
  Marker: shape.marker,
} as const;

export const simulatePrincipalPolicy: Operation = {
  service: IAM,
  action: "SimulatePrincipalPolicy",
  input: { PolicySourceArn: { ...shape.arn, required: true }, ...simulationInput },
  async run(ctx, input) {
    const source = input.PolicySourceArn as string;
    const match = /^arn:aws:iam::(\d{12}):(user|group|role)((?:\/.*)?\/)([^/]+)$/.exec(source);
    if (!match || match[1] !== accountOf(ctx)) throw Errors.invalidPolicySource(source);
    const [, , kind, path, name] = match as unknown as [string, string, "user" | "group" | "role", string, string];
    // The entity first, then authorization on its own ARN (its stored name and path), so that a
    // differently spelt ARN cannot pass a policy scoped to another path or name.
    const found = await policySource(ctx, kind, name);
    const entityArn = `arn:aws:iam::${accountOf(ctx)}:${kind}${found?.path ?? path}${found?.name ?? name}`;
    await authorizeIam(ctx, onArn("SimulatePrincipalPolicy", entityArn));
    if (!found || entityArn !== source) throw noSuchSource[kind](name);
    const given = inputPolicies(input.PolicyInputList as readonly string[] | undefined);
    const context = contextOf(input.ContextEntries as readonly StructInput[] | undefined);
    const { entity } = found;
    const now = ctx.deps.clock.now();
    if ("userId" in entity) {
      const own = (await userPolicies(ctx.deps.store, entity.accountId, entity.userId, now))?.policies ?? [];
      return simulate([...own, ...given], input, withUserKeys(context, entity));
    }
    if ("roleId" in entity) {
      const own = (await rolePolicies(ctx.deps.store, entity.accountId, entity.roleId, now))?.policies ?? [];
      return simulate([...own, ...given], input, withRoleKeys(context, entity));
    }
    return simulate([...(await groupPolicies(ctx, entity)), ...given], input, context);
  },
};

export const simulateCustomPolicy: Operation = {
  service: IAM,
  action: "SimulateCustomPolicy",
  input: { ...simulationInput, PolicyInputList: { ...shape.policyDocuments, required: true } },
  async run(ctx, input) {
    await authorizeIam(ctx, onNothing("SimulateCustomPolicy"));
    const given = inputPolicies(input.PolicyInputList as readonly string[]);
    return simulate(given, input, contextOf(input.ContextEntries as readonly StructInput[] | undefined));
  },
};
