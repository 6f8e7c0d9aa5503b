/**
 * Groups, inline and managed policies, attachments, the simulator and policy authorization
 * (issue 12) through boto3, one python process per test, each operation once: botocore decodes
 * IAM's URL-encoded policy documents back into the JSON object that was sent, and errors arrive
 * as AWS's (status, code, message). Then `aws iam get-user-policy` and
 * `aws iam list-attached-group-policies` with aws CLI v1 (on PATH) and v2 (/usr/bin/aws).
 *
 * Expected values as in iam-policies-sdk.test.ts: AWS's, from the recordings in ../shared/vectors
 * and reference/iam-policy-spec.md.
 */
import { AttachGroupPolicyCommand, CreateGroupCommand, CreatePolicyCommand, CreateUserCommand, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AWS_CLIS, awsCli, boto3, sdkClients } from "./helpers/clients.js";
import { createUserWithKey } from "./helpers/mfa.js";
import { startTestServer, type Credentials, type TestServer } from "./helpers/server.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server?.close());

const ACCOUNT = "123456789012";
let names = 0;
const uniqueName = (base: string): string => `${base}-${++names}`;
const root = () => sdkClients(server.url, server.root);
const userArnOf = (name: string): string => `arn:aws:iam::${ACCOUNT}:user/${name}`;
const policyArnOf = (name: string, path = "/"): string => `arn:aws:iam::${ACCOUNT}:policy${path}${name}`;
const AWS_POLICY = (name: string): string => `arn:aws:iam::aws:policy/${name}`;

/** Python helpers run after the boto3 helper's prelude. */
const PY_HELPERS = [
  "def out(r):",
  "    r.pop('ResponseMetadata', None)",
  "    return r",
  "def iso(o):",
  "    return o.isoformat()",
  "def iam_as(c):",
  "    c2 = botocore.config.Config(retries={'max_attempts': 1})",
  "    return boto3.session.Session(aws_access_key_id=c['AccessKeyId'], aws_secret_access_key=c['SecretAccessKey'], region_name='us-east-1').client('iam', endpoint_url=iam.meta.endpoint_url, config=c2)",
  "r = {}",
  "",
].join("\n");

/** Runs `script` with root's boto3 clients; it fills `r`, which comes back parsed. */
async function py(script: string[], creds: Credentials = server.root): Promise<Record<string, any>> {
  const res = await boto3(server.url, creds, `${PY_HELPERS}${script.join("\n")}\nprint(json.dumps(r, default=iso))`);
  expect(res.stderr).toBe("");
  expect(res.code).toBe(0);
  return JSON.parse(res.stdout) as Record<string, any>;
}

/** A TypeScript string as a Python string literal. */
const lit = (s: string): string => JSON.stringify(s);
const pyCreds = (c: Credentials): string => `{'AccessKeyId': ${lit(c.accessKeyId)}, 'SecretAccessKey': ${lit(c.secretAccessKey)}}`;

const policy = (...statements: object[]): object => ({ Version: "2012-10-17", Statement: statements });
const allow = (action: string | string[], resource: string | string[] = "*", extra: object = {}) => ({ Effect: "Allow", Action: action, Resource: resource, ...extra });

const DATE = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);

describe("boto3", () => {
  it("groups: CreateGroup, GetGroup with members, ListGroups, AddUserToGroup twice, ListGroupsForUser, RemoveUserFromGroup of a non-member, DeleteGroup", async () => {
    const group = uniqueName("py-group");
    const user = uniqueName("py-member");
    const out = await py([
      `g = ${lit(group)}; u = ${lit(user)}`,
      "r['create'] = out(iam.create_group(GroupName=g, Path='/py/'))",
      "r['user'] = out(iam.create_user(UserName=u))['User']",
      "iam.add_user_to_group(GroupName=g, UserName=u)",
      "iam.add_user_to_group(GroupName=g, UserName=u)",
      "r['get'] = out(iam.get_group(GroupName=g))",
      "r['list'] = out(iam.list_groups(PathPrefix='/py/'))",
      "r['forUser'] = out(iam.list_groups_for_user(UserName=u))",
      "iam.remove_user_from_group(GroupName=g, UserName=u)",
      "r['removeAgain'] = iam.remove_user_from_group(GroupName=g, UserName=u)['ResponseMetadata']['HTTPStatusCode']",
      "r['afterRemove'] = out(iam.list_groups_for_user(UserName=u))",
      "r['delete'] = iam.delete_group(GroupName=g)['ResponseMetadata']['HTTPStatusCode']",
    ]);
    const groupShape = {
      Path: "/py/",
      GroupName: group,
      GroupId: expect.stringMatching(/^AGPA[A-Z2-7]{17}$/),
      Arn: `arn:aws:iam::${ACCOUNT}:group/py/${group}`,
      CreateDate: DATE,
    };
    expect(out).toEqual({
      create: { Group: groupShape },
      user: { Path: "/", UserName: user, UserId: expect.stringMatching(/^AIDA/), Arn: userArnOf(user), CreateDate: DATE },
      get: { Group: out.create.Group, Users: [out.user], IsTruncated: false },
      list: { Groups: [out.create.Group], IsTruncated: false },
      forUser: { Groups: [out.create.Group], IsTruncated: false },
      removeAgain: 200,
      afterRemove: { Groups: [], IsTruncated: false },
      delete: 200,
    });
  });

  it("inline policies: botocore decodes the URL-encoded documents back to the JSON object sent", async () => {
    const user = uniqueName("py-inline-user");
    const group = uniqueName("py-inline-group");
    const userDocument = policy(allow(["s3:GetObject", "iam:List*"], ["arn:aws:s3:::bucket/a%3Ab/*", "*"]));
    // Sent with white space and a Statement object, as the recorded group test does.
    const groupDocument = { Version: "2012-10-17", Statement: { Effect: "Allow", Action: "s3:ListBucket", Resource: ["arn:aws:s3:::example_bucket"] } };
    const out = await py([
      `u = ${lit(user)}; g = ${lit(group)}`,
      "iam.create_user(UserName=u)",
      "iam.create_group(GroupName=g)",
      `iam.put_user_policy(UserName=u, PolicyName='read-things', PolicyDocument=${lit(JSON.stringify(userDocument, null, 2))})`,
      "r['getUser'] = out(iam.get_user_policy(UserName=u, PolicyName='read-things'))",
      "r['listUser'] = out(iam.list_user_policies(UserName=u))",
      "iam.delete_user_policy(UserName=u, PolicyName='read-things')",
      "r['listUserAfter'] = out(iam.list_user_policies(UserName=u))",
      `iam.put_group_policy(GroupName=g, PolicyName='bucket-list', PolicyDocument=${lit(JSON.stringify(groupDocument))})`,
      "r['getGroup'] = out(iam.get_group_policy(GroupName=g, PolicyName='bucket-list'))",
      "r['listGroup'] = out(iam.list_group_policies(GroupName=g))",
      "iam.delete_group_policy(GroupName=g, PolicyName='bucket-list')",
      "r['listGroupAfter'] = out(iam.list_group_policies(GroupName=g))",
    ]);
    expect(out).toEqual({
      getUser: { UserName: user, PolicyName: "read-things", PolicyDocument: userDocument },
      listUser: { PolicyNames: ["read-things"], IsTruncated: false },
      listUserAfter: { PolicyNames: [], IsTruncated: false },
      getGroup: { GroupName: group, PolicyName: "bucket-list", PolicyDocument: groupDocument },
      listGroup: { PolicyNames: ["bucket-list"], IsTruncated: false },
      listGroupAfter: { PolicyNames: [], IsTruncated: false },
    });
  });

  it("managed policies, versions, attachments and ListEntitiesForPolicy; AWS managed policies", async () => {
    const name = uniqueName("py-policy");
    const user = uniqueName("py-attached-user");
    const group = uniqueName("py-attached-group");
    const v1 = policy(allow("iam:ListUsers"));
    const v2 = { Version: "2012-10-17", Statement: [{ Sid: "Statement1", Effect: "Allow", Action: ["s3:ListBucket"], Resource: "*" }] };
    const arn = policyArnOf(name, "/py/");
    const out = await py([
      `n = ${lit(name)}; a = ${lit(arn)}; u = ${lit(user)}; g = ${lit(group)}`,
      "r['userId'] = iam.create_user(UserName=u)['User']['UserId']",
      "r['groupId'] = iam.create_group(GroupName=g)['Group']['GroupId']",
      `r['create'] = out(iam.create_policy(PolicyName=n, Path='/py/', PolicyDocument=${lit(JSON.stringify(v1))}, Description='from boto3'))`,
      "r['get'] = out(iam.get_policy(PolicyArn=a))",
      "r['list'] = out(iam.list_policies(Scope='Local', PathPrefix='/py/'))",
      `r['v2'] = out(iam.create_policy_version(PolicyArn=a, PolicyDocument=${lit(JSON.stringify(v2))}, SetAsDefault=True))`,
      "r['getV2'] = out(iam.get_policy_version(PolicyArn=a, VersionId='v2'))",
      "r['versions'] = out(iam.list_policy_versions(PolicyArn=a))",
      "iam.set_default_policy_version(PolicyArn=a, VersionId='v1')",
      "iam.delete_policy_version(PolicyArn=a, VersionId='v2')",
      "r['versionsAfter'] = [(v['VersionId'], v['IsDefaultVersion']) for v in iam.list_policy_versions(PolicyArn=a)['Versions']]",
      "iam.attach_user_policy(UserName=u, PolicyArn=a)",
      "iam.attach_group_policy(GroupName=g, PolicyArn=a)",
      "iam.attach_group_policy(GroupName=g, PolicyArn='arn:aws:iam::aws:policy/IAMReadOnlyAccess')",
      "r['attachedUser'] = out(iam.list_attached_user_policies(UserName=u))",
      "r['attachedGroup'] = out(iam.list_attached_group_policies(GroupName=g))",
      "r['entities'] = out(iam.list_entities_for_policy(PolicyArn=a))",
      "iam.detach_user_policy(UserName=u, PolicyArn=a)",
      "iam.detach_group_policy(GroupName=g, PolicyArn=a)",
      "r['delete'] = iam.delete_policy(PolicyArn=a)['ResponseMetadata']['HTTPStatusCode']",
      "r['aws'] = out(iam.get_policy(PolicyArn='arn:aws:iam::aws:policy/IAMUserChangePassword'))",
      "r['awsAdmin'] = out(iam.get_policy_version(PolicyArn='arn:aws:iam::aws:policy/AdministratorAccess', VersionId='v1'))",
    ]);
    const shape = {
      PolicyName: name,
      PolicyId: expect.stringMatching(/^ANPA[A-Z2-7]{17}$/),
      Arn: arn,
      Path: "/py/",
      DefaultVersionId: "v1",
      AttachmentCount: 0,
      PermissionsBoundaryUsageCount: 0,
      IsAttachable: true,
      CreateDate: DATE,
      UpdateDate: DATE,
    };
    expect(out).toEqual({
      userId: expect.stringMatching(/^AIDA/),
      groupId: expect.stringMatching(/^AGPA/),
      create: { Policy: shape },
      get: { Policy: { ...shape, PolicyId: out.create.Policy.PolicyId, Description: "from boto3", Tags: [] } },
      list: { Policies: [{ ...shape, PolicyId: out.create.Policy.PolicyId }], IsTruncated: false },
      v2: { PolicyVersion: { VersionId: "v2", IsDefaultVersion: true, CreateDate: DATE } },
      getV2: { PolicyVersion: { Document: v2, VersionId: "v2", IsDefaultVersion: true, CreateDate: DATE } },
      versions: {
        Versions: [
          { VersionId: "v2", IsDefaultVersion: true, CreateDate: DATE },
          { VersionId: "v1", IsDefaultVersion: false, CreateDate: DATE },
        ],
        IsTruncated: false,
      },
      versionsAfter: [["v1", true]],
      attachedUser: { AttachedPolicies: [{ PolicyName: name, PolicyArn: arn }], IsTruncated: false },
      attachedGroup: {
        AttachedPolicies: expect.arrayContaining([
          { PolicyName: name, PolicyArn: arn },
          { PolicyName: "IAMReadOnlyAccess", PolicyArn: AWS_POLICY("IAMReadOnlyAccess") },
        ]),
        IsTruncated: false,
      },
      entities: {
        PolicyGroups: [{ GroupName: group, GroupId: out.groupId }],
        PolicyUsers: [{ UserName: user, UserId: out.userId }],
        PolicyRoles: [],
        IsTruncated: false,
      },
      delete: 200,
      aws: {
        Policy: {
          PolicyName: "IAMUserChangePassword",
          PolicyId: expect.stringMatching(/^ANPA/),
          Arn: AWS_POLICY("IAMUserChangePassword"),
          Path: "/",
          DefaultVersionId: "v5",
          AttachmentCount: 0,
          PermissionsBoundaryUsageCount: 0,
          IsAttachable: true,
          Description: "Provides the ability for an IAM user to change their own password.",
          CreateDate: DATE,
          UpdateDate: DATE,
          Tags: [],
        },
      },
      awsAdmin: {
        PolicyVersion: {
          Document: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] },
          VersionId: "v1",
          IsDefaultVersion: true,
          CreateDate: DATE,
        },
      },
    });
    expect(out.attachedGroup.AttachedPolicies).toHaveLength(2);
  });

  it("errors as (status, code, message)", async () => {
    const user = uniqueName("py-errors");
    const group = uniqueName("py-errors-group");
    const name = uniqueName("py-errors-policy");
    const arn = policyArnOf(name);
    const out = await py([
      `u = ${lit(user)}; g = ${lit(group)}; n = ${lit(name)}; a = ${lit(arn)}`,
      "iam.create_user(UserName=u)",
      "iam.create_group(GroupName=g)",
      `doc = ${lit(JSON.stringify(policy(allow("iam:ListUsers"))))}`,
      "iam.create_policy(PolicyName=n, PolicyDocument=doc)",
      "r['noUser'] = err(lambda: iam.list_groups_for_user(UserName='nonexistent-user'))",
      "r['noGroup'] = err(lambda: iam.get_group(GroupName='non-existent-group'))",
      "r['groupExists'] = err(lambda: iam.create_group(GroupName=g))",
      "r['policyExists'] = err(lambda: iam.create_policy(PolicyName=n, PolicyDocument=doc))",
      "r['noUserPolicy'] = err(lambda: iam.get_user_policy(UserName=u, PolicyName='missing'))",
      "r['noGroupPolicy'] = err(lambda: iam.get_group_policy(GroupName=g, PolicyName='missing'))",
      "r['noPolicy'] = err(lambda: iam.get_policy(PolicyArn=a + 'x'))",
      "r['notAttachable'] = err(lambda: iam.attach_user_policy(UserName=u, PolicyArn=a + '123'))",
      "r['notAnArn'] = err(lambda: iam.attach_user_policy(UserName=u, PolicyArn='longpolicynamebutnoarn'))",
      "r['notAttached'] = err(lambda: iam.detach_group_policy(GroupName=g, PolicyArn=a))",
      "r['noVersion'] = err(lambda: iam.get_policy_version(PolicyArn=a, VersionId='v9'))",
      "r['badVersionId'] = err(lambda: iam.set_default_policy_version(PolicyArn=a, VersionId='version1'))",
      "r['deleteDefault'] = err(lambda: iam.delete_policy_version(PolicyArn=a, VersionId='v1'))",
      "for i in range(4): iam.create_policy_version(PolicyArn=a, PolicyDocument=doc)",
      "r['sixthVersion'] = err(lambda: iam.create_policy_version(PolicyArn=a, PolicyDocument=doc))",
      "r['hasVersions'] = err(lambda: iam.delete_policy(PolicyArn=a))",
      "r['notJson'] = err(lambda: iam.create_policy(PolicyName=n + '-2', PolicyDocument='This is not a json document'))",
      `r['noVersionElement'] = err(lambda: iam.create_policy(PolicyName=n + '-3', PolicyDocument=${lit('{"Statement": {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::example_bucket"}}')}))`,
      `r['principal'] = err(lambda: iam.put_user_policy(UserName=u, PolicyName='p', PolicyDocument=${lit(JSON.stringify(policy(allow("s3:ListBucket", "*", { Principal: { AWS: "*" } }))))}))`,
      "r['awsDelete'] = err(lambda: iam.delete_policy(PolicyArn='arn:aws:iam::aws:policy/IAMUserChangePassword'))",
      "r['awsDeleteVersion'] = err(lambda: iam.delete_policy_version(PolicyArn='arn:aws:iam::aws:policy/IAMUserChangePassword', VersionId='v1'))",
      "r['awsSetDefault'] = err(lambda: iam.set_default_policy_version(PolicyArn='arn:aws:iam::aws:policy/IAMUserChangePassword', VersionId='v1'))",
      "iam.add_user_to_group(GroupName=g, UserName=u)",
      "r['deleteMember'] = err(lambda: iam.delete_user(UserName=u))",
      "r['deleteGroupWithMember'] = err(lambda: iam.delete_group(GroupName=g))",
      "iam.remove_user_from_group(GroupName=g, UserName=u)",
      "iam.attach_user_policy(UserName=u, PolicyArn='arn:aws:iam::aws:policy/IAMReadOnlyAccess')",
      "r['deleteAttached'] = err(lambda: iam.delete_user(UserName=u))",
      "a2 = iam.create_policy(PolicyName=n + '-attached', PolicyDocument=doc)['Policy']['Arn']",
      "iam.attach_group_policy(GroupName=g, PolicyArn=a2)",
      "r['policyAttached'] = err(lambda: iam.delete_policy(PolicyArn=a2))",
      `r['tooBig'] = err(lambda: iam.put_user_policy(UserName=u, PolicyName='big', PolicyDocument=${lit(JSON.stringify(policy(allow("s3:GetObject", `arn:aws:s3:::bucket/${"k".repeat(2048)}`))))}))`,
    ]);
    expect(out).toEqual({
      noUser: [404, "NoSuchEntity", "The user with name nonexistent-user cannot be found."],
      noGroup: [404, "NoSuchEntity", "The group with name non-existent-group cannot be found."],
      groupExists: [409, "EntityAlreadyExists", `Group with name ${group} already exists.`],
      policyExists: [409, "EntityAlreadyExists", `A policy called ${name} already exists. Duplicate names are not allowed.`],
      noUserPolicy: [404, "NoSuchEntity", "The user policy with name missing cannot be found."],
      noGroupPolicy: [404, "NoSuchEntity", "The group policy with name missing cannot be found."],
      noPolicy: [404, "NoSuchEntity", `Policy ${arn}x was not found.`],
      notAttachable: [404, "NoSuchEntity", `Policy ${arn}123 does not exist or is not attachable.`],
      notAnArn: [400, "ValidationError", "ARN longpolicynamebutnoarn is not valid."],
      notAttached: [404, "NoSuchEntity", `Policy ${arn} was not found.`],
      noVersion: [404, "NoSuchEntity", `Policy ${arn} version v9 does not exist or is not attachable.`],
      badVersionId: [
        400,
        "ValidationError",
        "1 validation error detected: Value at 'versionId' failed to satisfy constraint: Member must satisfy regular expression pattern: v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?",
      ],
      deleteDefault: [409, "DeleteConflict", "Cannot delete the default version of a policy."],
      sixthVersion: [
        409,
        "LimitExceeded",
        "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.",
      ],
      hasVersions: [
        409,
        "DeleteConflict",
        "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
      ],
      notJson: [400, "MalformedPolicyDocument", "Syntax errors in policy."],
      noVersionElement: [400, "MalformedPolicyDocument", "Policy document must be version 2012-10-17 or greater."],
      principal: [400, "MalformedPolicyDocument", "Policy document should not specify a principal."],
      awsDelete: [403, "AccessDenied", "Cannot delete policies outside your own account."],
      awsDeleteVersion: [403, "AccessDenied", "Cannot delete policy versions for policies outside your own account."],
      awsSetDefault: [403, "AccessDenied", "Cannot update policies outside your own account."],
      deleteMember: [409, "DeleteConflict", "Cannot delete entity, must remove users from group first."],
      deleteGroupWithMember: [409, "DeleteConflict", "Cannot delete entity, must remove users from group first."],
      deleteAttached: [409, "DeleteConflict", "Cannot delete entity, must detach all policies first."],
      policyAttached: [409, "DeleteConflict", "Cannot delete a policy attached to entities."],
      tooBig: [409, "LimitExceeded", `Maximum policy size of 2048 bytes exceeded for user ${user}`],
    });
  });

  it("authorization: implicit and explicit denials, and what policies allow", async () => {
    const name = uniqueName("py-denied");
    const creds = await createUserWithKey(root().iam, name);
    const group = uniqueName("py-denied-group");
    const denyName = uniqueName("PyDenyGetGroup");
    const denyArn = policyArnOf(denyName);
    const me = userArnOf(name);
    const out = await py([
      `g = ${lit(group)}; me = iam_as(${pyCreds(creds)})`,
      "iam.create_group(GroupName=g)",
      "r['listUsers'] = err(lambda: me.list_users())",
      "r['getGroup'] = err(lambda: me.get_group(GroupName=g))",
      "r['listPolicies'] = err(lambda: me.list_policies())",
      `iam.put_user_policy(UserName=${lit(name)}, PolicyName='read-iam', PolicyDocument=${lit(JSON.stringify(policy(allow(["iam:Get*", "iam:List*"]))))})`,
      "r['getGroupAllowed'] = me.get_group(GroupName=g)['Group']['GroupName']",
      `iam.create_policy(PolicyName=${lit(denyName)}, PolicyDocument=${lit(JSON.stringify(policy({ Effect: "Deny", Action: "iam:GetGroup", Resource: "*" })))})`,
      `iam.attach_user_policy(UserName=${lit(name)}, PolicyArn=${lit(denyArn)})`,
      "r['getGroupDenied'] = err(lambda: me.get_group(GroupName=g))",
      "r['listGroups'] = len(me.list_groups()['Groups']) > 0",
    ]);
    expect(out).toEqual({
      listUsers: [
        403,
        "AccessDenied",
        `User: ${me} is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::${ACCOUNT}:user/ because no identity-based policy allows the iam:ListUsers action`,
      ],
      getGroup: [
        403,
        "AccessDenied",
        `User: ${me} is not authorized to perform: iam:GetGroup on resource: group ${group} because no identity-based policy allows the iam:GetGroup action`,
      ],
      listPolicies: [
        403,
        "AccessDenied",
        `User: ${me} is not authorized to perform: iam:ListPolicies on resource: policy path / because no identity-based policy allows the iam:ListPolicies action`,
      ],
      getGroupAllowed: group,
      getGroupDenied: [
        403,
        "AccessDenied",
        `User: ${me} is not authorized to perform: iam:GetGroup on resource: group ${group} with an explicit deny in an identity-based policy: ${denyArn}`,
      ],
      listGroups: true,
    });
  });

  it("the simulator: SimulateCustomPolicy (the aws CLI example) and SimulatePrincipalPolicy", async () => {
    const cliPolicy =
      '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}';
    const user = uniqueName("py-simulated");
    const group = uniqueName("py-simulated-group");
    const out = await py([
      `p = ${lit(cliPolicy)}`,
      "def ctx(v): return [{'ContextKeyName': 'aws:CurrentTime', 'ContextKeyValues': [v], 'ContextKeyType': 'date'}]",
      "res = iam.simulate_custom_policy(PolicyInputList=[p], ActionNames=['dynamodb:CreateBackup'], ContextEntries=ctx('2019-04-25T11:00:00Z'))['EvaluationResults'][0]",
      "r['allowed'] = {k: res[k] for k in ['EvalActionName', 'EvalResourceName', 'EvalDecision', 'MissingContextValues']}",
      "r['matched'] = [{k: m[k] for k in ['SourcePolicyId', 'StartPosition', 'EndPosition']} for m in res['MatchedStatements']]",
      "r['denied'] = iam.simulate_custom_policy(PolicyInputList=[p], ActionNames=['dynamodb:CreateBackup'], ContextEntries=ctx('2014-04-25T11:00:00Z'))['EvaluationResults'][0]['EvalDecision']",
      `u = ${lit(user)}; g = ${lit(group)}`,
      "arn = iam.create_user(UserName=u)['User']['Arn']",
      "iam.create_group(GroupName=g)",
      "iam.add_user_to_group(GroupName=g, UserName=u)",
      `iam.put_group_policy(GroupName=g, PolicyName='ListUsersWithMfa', PolicyDocument=${lit(JSON.stringify(policy(allow("iam:ListUsers", "*", { Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } } }))))})`,
      "def sim(entries): return iam.simulate_principal_policy(PolicySourceArn=arn, ActionNames=['iam:ListUsers'], ContextEntries=entries)['EvaluationResults'][0]",
      "mfa = lambda v: [{'ContextKeyName': 'aws:MultiFactorAuthPresent', 'ContextKeyValues': [v], 'ContextKeyType': 'boolean'}]",
      "r['withMfa'] = [sim(mfa('true'))[k] for k in ['EvalDecision', 'MissingContextValues']]",
      "r['withoutMfa'] = [sim(mfa('false'))[k] for k in ['EvalDecision', 'MissingContextValues']]",
      "r['unknown'] = [sim([])[k] for k in ['EvalDecision', 'MissingContextValues']]",
    ]);
    expect(out).toEqual({
      allowed: { EvalActionName: "dynamodb:CreateBackup", EvalResourceName: "*", EvalDecision: "allowed", MissingContextValues: [] },
      matched: [{ SourcePolicyId: "PolicyInputList.1", StartPosition: { Line: 1, Column: 38 }, EndPosition: { Line: 1, Column: 167 } }],
      denied: "implicitDeny",
      withMfa: ["allowed", []],
      withoutMfa: ["implicitDeny", []],
      unknown: ["implicitDeny", ["aws:MultiFactorAuthPresent"]],
    });
  });
});

describe.each(AWS_CLIS)("$name", ({ name, command }) => {
  it("iam get-user-policy shows the document as JSON; iam list-attached-group-policies lists AWS and customer policies", async () => {
    const { iam } = root();
    const tag = name.endsWith("v1") ? "v1" : "v2";
    const user = uniqueName(`cli-${tag}-user`);
    const group = uniqueName(`cli-${tag}-group`);
    const policyName = uniqueName(`cli-${tag}-policy`);
    const document = policy(allow("iam:GetUser", "arn:aws:iam::*:user/${aws:username}"), allow(["s3:GetObject"], "arn:aws:s3:::bucket/*"));
    await iam.send(new CreateUserCommand({ UserName: user }));
    await iam.send(new PutUserPolicyCommand({ UserName: user, PolicyName: "self", PolicyDocument: JSON.stringify(document, null, 4) }));
    await iam.send(new CreateGroupCommand({ GroupName: group }));
    const { Policy } = await iam.send(new CreatePolicyCommand({ PolicyName: policyName, PolicyDocument: JSON.stringify(document) }));
    await iam.send(new AttachGroupPolicyCommand({ GroupName: group, PolicyArn: AWS_POLICY("IAMReadOnlyAccess") }));
    await iam.send(new AttachGroupPolicyCommand({ GroupName: group, PolicyArn: Policy!.Arn! }));

    const got = await awsCli(command, server.url, server.root, ["iam", "get-user-policy", "--user-name", user, "--policy-name", "self"]);
    expect(got.stderr).toBe("");
    expect(got.code).toBe(0);
    expect(JSON.parse(got.stdout)).toEqual({ UserName: user, PolicyName: "self", PolicyDocument: document });

    const listed = await awsCli(command, server.url, server.root, ["iam", "list-attached-group-policies", "--group-name", group]);
    expect(listed.stderr).toBe("");
    expect(listed.code).toBe(0);
    const attached = JSON.parse(listed.stdout) as { AttachedPolicies: { PolicyName: string; PolicyArn: string }[] };
    expect(Object.keys(attached)).toEqual(["AttachedPolicies"]);
    expect(attached.AttachedPolicies).toEqual(
      expect.arrayContaining([
        { PolicyName: "IAMReadOnlyAccess", PolicyArn: AWS_POLICY("IAMReadOnlyAccess") },
        { PolicyName: policyName, PolicyArn: policyArnOf(policyName) },
      ]),
    );
    expect(attached.AttachedPolicies).toHaveLength(2);
  });
});
