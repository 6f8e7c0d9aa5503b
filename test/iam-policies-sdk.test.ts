/**
 * Groups, inline and managed policies, attachments, AWS managed policies, the policy simulator
 * and authorization by policies (issue 12) through @aws-sdk/client-iam: every operation's result
 * and each of its errors' code, HTTP status and exact text.
 *
 * Expected values are AWS's: the recordings in ../shared/vectors (LocalStack's AWS-validated
 * snapshots: iam__test_iam_groups, iam__test_iam_policies, iam__test_iam_managed_policies,
 * iam__test_iam.policy-subset, aws-recordings/iam__test_iam_users; placeholders such as
 * <policy-name:1> replaced by real names), and reference/iam-policy-spec.md (§6 denial texts and
 * resource renderings, §7 shapes and error texts). A text the spec marks UNCONFIRMED is said so
 * where it is asserted. The JS SDK hands policy documents back as IAM sends them: URL-encoded.
 */
import {
  AddUserToGroupCommand,
  AttachGroupPolicyCommand,
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreateGroupCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateUserCommand,
  DeleteGroupCommand,
  DeleteGroupPolicyCommand,
  DeletePolicyCommand,
  DeletePolicyVersionCommand,
  DeleteUserCommand,
  DeleteUserPolicyCommand,
  DetachGroupPolicyCommand,
  DetachUserPolicyCommand,
  GetGroupCommand,
  GetGroupPolicyCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  ListAttachedGroupPoliciesCommand,
  ListAttachedUserPoliciesCommand,
  ListEntitiesForPolicyCommand,
  ListGroupPoliciesCommand,
  ListGroupsCommand,
  ListGroupsForUserCommand,
  ListPoliciesCommand,
  ListPolicyVersionsCommand,
  ListUserPoliciesCommand,
  ListUsersCommand,
  PutGroupPolicyCommand,
  PutUserPolicyCommand,
  RemoveUserFromGroupCommand,
  SetDefaultPolicyVersionCommand,
  SimulateCustomPolicyCommand,
  SimulatePrincipalPolicyCommand,
  UpdateUserCommand,
  type IAMClient,
} from "@aws-sdk/client-iam";
import { GetSessionTokenCommand } from "@aws-sdk/client-sts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sdkClients, sdkError } from "./helpers/clients.js";
import { codeAt, enabledVirtualDevice, freezeAtStepStart, serverStep } from "./helpers/mfa.js";
import { startTestServer, type Credentials, type TestServer } from "./helpers/server.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server?.close());

const ACCOUNT = "123456789012";
const root = (): { iam: IAMClient } => sdkClients(server.url, server.root);

let names = 0;
const uniqueName = (base: string): string => `${base}-${++names}`;

const userArnOf = (name: string, path = "/"): string => `arn:aws:iam::${ACCOUNT}:user${path}${name}`;
const policyArnOf = (name: string, path = "/"): string => `arn:aws:iam::${ACCOUNT}:policy${path}${name}`;
const AWS_POLICY = (name: string): string => `arn:aws:iam::aws:policy/${name}`;

async function newUserWithKey(name: string, path?: string): Promise<Credentials> {
  await root().iam.send(new CreateUserCommand({ UserName: name, Path: path }));
  const { AccessKey } = await root().iam.send(new CreateAccessKeyCommand({ UserName: name }));
  return { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
}

const iamOf = (creds: Credentials): IAMClient => sdkClients(server.url, creds).iam;

/** A policy document of these statements, as compact JSON. */
const policy = (...statements: object[]): string => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const allow = (action: string | string[], resource: string | string[] = "*", extra: object = {}): object => ({
  Effect: "Allow",
  Action: action,
  Resource: resource,
  ...extra,
});
const deny = (action: string | string[], resource: string | string[] = "*", extra: object = {}): object => ({
  Effect: "Deny",
  Action: action,
  Resource: resource,
  ...extra,
});

/** A customer managed policy in this account; its ARN. */
async function managedPolicy(name: string, document: string, path?: string): Promise<string> {
  const { Policy } = await root().iam.send(new CreatePolicyCommand({ PolicyName: name, PolicyDocument: document, Path: path }));
  return Policy!.Arn!;
}

/** RFC 3986 percent-encoding, as IAM encodes policy documents (spec §7.1): `*` and `/` too. */
const rfc3986 = (text: string): string => encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** AWS's AccessDenied sentences (spec §6.2). */
const implicitDeny = (callerArn: string, action: string, resource: string) => ({
  status: 403,
  code: "AccessDenied",
  message: `User: ${callerArn} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`,
});
const explicitDeny = (callerArn: string, action: string, resource: string, policyArn: string) => ({
  status: 403,
  code: "AccessDenied",
  message: `User: ${callerArn} is not authorized to perform: ${action} on resource: ${resource} with an explicit deny in an identity-based policy: ${policyArn}`,
});

const noSuchUser = (name: string) => ({ status: 404, code: "NoSuchEntity", message: `The user with name ${name} cannot be found.` });
const noSuchGroup = (name: string) => ({ status: 404, code: "NoSuchEntity", message: `The group with name ${name} cannot be found.` });
const policyNotFound = (arn: string) => ({ status: 404, code: "NoSuchEntity", message: `Policy ${arn} was not found.` });
const notAttachable = (arn: string) => ({ status: 404, code: "NoSuchEntity", message: `Policy ${arn} does not exist or is not attachable.` });
const noSuchVersion = (arn: string, v: string) => ({
  status: 404,
  code: "NoSuchEntity",
  message: `Policy ${arn} version ${v} does not exist or is not attachable.`,
});
const malformed = (message: string) => ({ status: 400, code: "MalformedPolicyDocument", message });
const deleteConflict = (message: string) => ({ status: 409, code: "DeleteConflict", message });
/** Recorded (iam__test_iam_policies, iam__test_iam_managed_policies): the value is left out. */
const BAD_VERSION_ID = {
  status: 400,
  code: "ValidationError",
  message:
    "1 validation error detected: Value at 'versionId' failed to satisfy constraint: Member must satisfy regular expression pattern: v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?",
};

const groupShape = (name: string, path = "/") => ({
  Path: path,
  GroupName: name,
  GroupId: expect.stringMatching(/^AGPA[A-Z2-7]{17}$/),
  Arn: `arn:aws:iam::${ACCOUNT}:group${path}${name}`,
  CreateDate: expect.any(Date),
});

describe("groups", () => {
  it("CreateGroup, GetGroup with its members, ListGroups, DeleteGroup", async () => {
    const { iam } = root();
    const name = uniqueName("devs");
    const created = await iam.send(new CreateGroupCommand({ GroupName: name }));
    expect(created.Group).toEqual(groupShape(name));
    const located = uniqueName("located");
    const withPath = await iam.send(new CreateGroupCommand({ GroupName: located, Path: "/some/location/" }));
    expect(withPath.Group).toEqual(groupShape(located, "/some/location/"));

    const empty = await iam.send(new GetGroupCommand({ GroupName: name }));
    expect(empty.Group).toEqual(created.Group);
    expect(empty.Users).toEqual([]);
    expect(empty.IsTruncated).toBe(false);

    const userName = uniqueName("member");
    const { User } = await iam.send(new CreateUserCommand({ UserName: userName }));
    await iam.send(new AddUserToGroupCommand({ GroupName: name, UserName: userName }));
    const withUser = await iam.send(new GetGroupCommand({ GroupName: name }));
    expect(withUser.Group).toEqual(created.Group);
    expect(withUser.Users).toEqual([User]);
    expect(withUser.IsTruncated).toBe(false);

    const listed = await iam.send(new ListGroupsCommand({ PathPrefix: "/some/location/" }));
    expect(listed.Groups).toEqual([withPath.Group]);
    expect(listed.IsTruncated).toBe(false);
    const all = await iam.send(new ListGroupsCommand({}));
    expect(all.Groups!.map((g) => g.GroupName)).toEqual(expect.arrayContaining([name, located]));

    await iam.send(new RemoveUserFromGroupCommand({ GroupName: name, UserName: userName }));
    const deleted = await iam.send(new DeleteGroupCommand({ GroupName: name }));
    expect(deleted.$metadata.httpStatusCode).toBe(200);
    expect(await sdkError(iam.send(new GetGroupCommand({ GroupName: name })))).toEqual(noSuchGroup(name));
    await iam.send(new DeleteGroupCommand({ GroupName: located }));
  });

  it("answers AWS's texts for a duplicate and for unknown groups", async () => {
    const { iam } = root();
    const name = uniqueName("dup-group");
    await iam.send(new CreateGroupCommand({ GroupName: name }));
    expect(await sdkError(iam.send(new CreateGroupCommand({ GroupName: name })))).toEqual({
      status: 409,
      code: "EntityAlreadyExists",
      message: `Group with name ${name} already exists.`,
    });
    expect(await sdkError(iam.send(new GetGroupCommand({ GroupName: "non-existent-group" })))).toEqual(noSuchGroup("non-existent-group"));
    expect(await sdkError(iam.send(new DeleteGroupCommand({ GroupName: "unknown-group" })))).toEqual(noSuchGroup("unknown-group"));
    expect(await sdkError(iam.send(new ListGroupPoliciesCommand({ GroupName: "unknown-group" })))).toEqual(noSuchGroup("unknown-group"));
    expect(await sdkError(iam.send(new ListAttachedGroupPoliciesCommand({ GroupName: "unknown-group" })))).toEqual(noSuchGroup("unknown-group"));
  });

  it("pages ListGroups with Marker and MaxItems", async () => {
    const { iam } = root();
    const created = ["pg-a", "pg-b", "pg-c", "pg-d", "pg-e"];
    for (const n of created) await iam.send(new CreateGroupCommand({ GroupName: n, Path: "/paging-groups/" }));
    const seen: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const page = await iam.send(new ListGroupsCommand({ PathPrefix: "/paging-groups/", MaxItems: 2, Marker: marker }));
      seen.push(...page.Groups!.map((g) => g.GroupName!));
      expect(page.IsTruncated).toBe(page.Marker !== undefined);
      marker = page.IsTruncated ? page.Marker : undefined;
      pages++;
    } while (marker);
    expect(seen).toEqual(created);
    expect(pages).toBe(3);
  });

  it("AddUserToGroup twice is idempotent; RemoveUserFromGroup of a non-member succeeds; ListGroupsForUser", async () => {
    const { iam } = root();
    const user = uniqueName("joiner");
    await iam.send(new CreateUserCommand({ UserName: user }));
    const first = uniqueName("g-first");
    const second = uniqueName("g-second");
    const g1 = (await iam.send(new CreateGroupCommand({ GroupName: first }))).Group;
    const g2 = (await iam.send(new CreateGroupCommand({ GroupName: second }))).Group;

    const none = await iam.send(new ListGroupsForUserCommand({ UserName: user }));
    expect(none.Groups).toEqual([]);
    expect(none.IsTruncated).toBe(false);

    await iam.send(new AddUserToGroupCommand({ GroupName: first, UserName: user }));
    await iam.send(new AddUserToGroupCommand({ GroupName: first, UserName: user }));
    await iam.send(new AddUserToGroupCommand({ GroupName: second, UserName: user }));
    const both = await iam.send(new ListGroupsForUserCommand({ UserName: user }));
    expect(both.Groups).toEqual([g1, g2]);
    expect(both.IsTruncated).toBe(false);
    expect((await iam.send(new GetGroupCommand({ GroupName: first }))).Users!.map((u) => u.UserName)).toEqual([user]);

    // Added twice, removed once: no longer a member.
    await iam.send(new RemoveUserFromGroupCommand({ GroupName: first, UserName: user }));
    expect((await iam.send(new ListGroupsForUserCommand({ UserName: user }))).Groups).toEqual([g2]);
    const again = await iam.send(new RemoveUserFromGroupCommand({ GroupName: first, UserName: user }));
    expect(again.$metadata.httpStatusCode).toBe(200);
  });

  it("membership errors: unknown users and groups, the user named first when both are unknown", async () => {
    const { iam } = root();
    const user = uniqueName("known-user");
    const group = uniqueName("known-group");
    await iam.send(new CreateUserCommand({ UserName: user }));
    await iam.send(new CreateGroupCommand({ GroupName: group }));
    expect(await sdkError(iam.send(new AddUserToGroupCommand({ GroupName: group, UserName: "nonexistent-user" })))).toEqual(
      noSuchUser("nonexistent-user"),
    );
    expect(await sdkError(iam.send(new AddUserToGroupCommand({ GroupName: "nonexistent-group", UserName: user })))).toEqual(
      noSuchGroup("nonexistent-group"),
    );
    expect(await sdkError(iam.send(new RemoveUserFromGroupCommand({ GroupName: "nonexistent-group", UserName: user })))).toEqual(
      noSuchGroup("nonexistent-group"),
    );
    expect(await sdkError(iam.send(new ListGroupsForUserCommand({ UserName: "nonexistent-user" })))).toEqual(noSuchUser("nonexistent-user"));
    // Recorded (iam__test_iam_groups test_remove_user_from_unknown_group): neither exists, the user is named.
    expect(await sdkError(iam.send(new RemoveUserFromGroupCommand({ GroupName: "non-existent-group", UserName: "any-user" })))).toEqual(
      noSuchUser("any-user"),
    );
  });

  it("a user is a member of at most 10 groups", async () => {
    const { iam } = root();
    const user = uniqueName("joins-many");
    await iam.send(new CreateUserCommand({ UserName: user }));
    for (let i = 0; i < 10; i++) {
      const g = uniqueName("many");
      await iam.send(new CreateGroupCommand({ GroupName: g }));
      await iam.send(new AddUserToGroupCommand({ GroupName: g, UserName: user }));
    }
    const eleventh = uniqueName("many");
    await iam.send(new CreateGroupCommand({ GroupName: eleventh }));
    // Quota text as IAM words its quotas (spec §1.4; the final period is UNCONFIRMED).
    expect(await sdkError(iam.send(new AddUserToGroupCommand({ GroupName: eleventh, UserName: user })))).toEqual({
      status: 409,
      code: "LimitExceeded",
      message: "Cannot exceed quota for GroupsPerUser: 10",
    });
  });

  it("DeleteGroup refuses a group with members, inline policies or attached policies", async () => {
    const { iam } = root();
    const group = uniqueName("sticky");
    const user = uniqueName("sticky-member");
    await iam.send(new CreateGroupCommand({ GroupName: group }));
    await iam.send(new CreateUserCommand({ UserName: user }));

    await iam.send(new AddUserToGroupCommand({ GroupName: group, UserName: user }));
    expect(await sdkError(iam.send(new DeleteGroupCommand({ GroupName: group })))).toEqual(
      deleteConflict("Cannot delete entity, must remove users from group first."),
    );
    await iam.send(new RemoveUserFromGroupCommand({ GroupName: group, UserName: user }));

    await iam.send(new PutGroupPolicyCommand({ GroupName: group, PolicyName: "inline", PolicyDocument: policy(allow("iam:ListUsers")) }));
    expect(await sdkError(iam.send(new DeleteGroupCommand({ GroupName: group })))).toEqual(
      deleteConflict("Cannot delete entity, must delete policies first."),
    );
    await iam.send(new DeleteGroupPolicyCommand({ GroupName: group, PolicyName: "inline" }));

    await iam.send(new AttachGroupPolicyCommand({ GroupName: group, PolicyArn: AWS_POLICY("IAMReadOnlyAccess") }));
    expect(await sdkError(iam.send(new DeleteGroupCommand({ GroupName: group })))).toEqual(
      deleteConflict("Cannot delete entity, must detach all policies first."),
    );
    await iam.send(new DetachGroupPolicyCommand({ GroupName: group, PolicyArn: AWS_POLICY("IAMReadOnlyAccess") }));

    await iam.send(new DeleteGroupCommand({ GroupName: group }));
  });
});

describe("inline policies", () => {
  it("Put/Get/List/DeleteUserPolicy; the document comes back URL-encoded, exactly as sent", async () => {
    const { iam } = root();
    const user = uniqueName("inline-user");
    await iam.send(new CreateUserCommand({ UserName: user }));
    const empty = await iam.send(new ListUserPoliciesCommand({ UserName: user }));
    expect(empty.PolicyNames).toEqual([]);
    expect(empty.IsTruncated).toBe(false);

    // White space, a path, a wildcard and a percent sign: all of it comes back.
    const document =
      '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {\n      "Effect": "Allow",\n      "Action": ["s3:GetObject", "iam:List*"],\n' +
      '      "Resource": ["arn:aws:s3:::bucket/a%3Ab/*", "*"]\n    }\n  ]\n}\n';
    await iam.send(new PutUserPolicyCommand({ UserName: user, PolicyName: "read-things", PolicyDocument: document }));
    const got = await iam.send(new GetUserPolicyCommand({ UserName: user, PolicyName: "read-things" }));
    expect({ UserName: got.UserName, PolicyName: got.PolicyName }).toEqual({ UserName: user, PolicyName: "read-things" });
    expect(got.PolicyDocument).toBe(rfc3986(document));
    expect(decodeURIComponent(got.PolicyDocument!)).toBe(document);

    const listed = await iam.send(new ListUserPoliciesCommand({ UserName: user }));
    expect(listed.PolicyNames).toEqual(["read-things"]);
    expect(listed.IsTruncated).toBe(false);

    // Put with the same name replaces the document.
    const replacement = policy(allow("iam:ListUsers"));
    await iam.send(new PutUserPolicyCommand({ UserName: user, PolicyName: "read-things", PolicyDocument: replacement }));
    expect(decodeURIComponent((await iam.send(new GetUserPolicyCommand({ UserName: user, PolicyName: "read-things" }))).PolicyDocument!)).toBe(
      replacement,
    );
    expect((await iam.send(new ListUserPoliciesCommand({ UserName: user }))).PolicyNames).toEqual(["read-things"]);

    const deleted = await iam.send(new DeleteUserPolicyCommand({ UserName: user, PolicyName: "read-things" }));
    expect(deleted.$metadata.httpStatusCode).toBe(200);
    expect((await iam.send(new ListUserPoliciesCommand({ UserName: user }))).PolicyNames).toEqual([]);
    // Text UNCONFIRMED by the spec (§11.8); seen from AWS through the Ruby SDK (lucidsoftware/cumulus#71).
    const noSuchPolicy = { status: 404, code: "NoSuchEntity", message: "The user policy with name read-things cannot be found." };
    expect(await sdkError(iam.send(new GetUserPolicyCommand({ UserName: user, PolicyName: "read-things" })))).toEqual(noSuchPolicy);
    expect(await sdkError(iam.send(new DeleteUserPolicyCommand({ UserName: user, PolicyName: "read-things" })))).toEqual(noSuchPolicy);
  });

  it("user inline policy operations on an unknown user", async () => {
    const { iam } = root();
    const missing = noSuchUser("nonexistent-user");
    const doc = policy(allow("iam:ListUsers"));
    expect(await sdkError(iam.send(new PutUserPolicyCommand({ UserName: "nonexistent-user", PolicyName: "p", PolicyDocument: doc })))).toEqual(missing);
    expect(await sdkError(iam.send(new GetUserPolicyCommand({ UserName: "nonexistent-user", PolicyName: "p" })))).toEqual(missing);
    expect(await sdkError(iam.send(new ListUserPoliciesCommand({ UserName: "nonexistent-user" })))).toEqual(missing);
    expect(await sdkError(iam.send(new DeleteUserPolicyCommand({ UserName: "nonexistent-user", PolicyName: "p" })))).toEqual(missing);
  });

  it("Put/Get/List/DeleteGroupPolicy; a Statement sent as an object stays one", async () => {
    const { iam } = root();
    const group = uniqueName("inline-group");
    await iam.send(new CreateGroupCommand({ GroupName: group }));
    expect(await sdkError(iam.send(new GetGroupPolicyCommand({ GroupName: group, PolicyName: "bucket-list" })))).toEqual({
      status: 404,
      code: "NoSuchEntity",
      message: "The group policy with name bucket-list cannot be found.",
    });
    const empty = await iam.send(new ListGroupPoliciesCommand({ GroupName: group }));
    expect(empty.PolicyNames).toEqual([]);
    expect(empty.IsTruncated).toBe(false);

    // The recorded document (iam__test_iam_groups test_get_group_policy), as Python's json.dumps sends it.
    const document = '{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": ["arn:aws:s3:::example_bucket"]}}';
    const put = await iam.send(new PutGroupPolicyCommand({ GroupName: group, PolicyName: "bucket-list", PolicyDocument: document }));
    expect(put.$metadata.httpStatusCode).toBe(200);
    const got = await iam.send(new GetGroupPolicyCommand({ GroupName: group, PolicyName: "bucket-list" }));
    expect({ GroupName: got.GroupName, PolicyName: got.PolicyName }).toEqual({ GroupName: group, PolicyName: "bucket-list" });
    expect(got.PolicyDocument).toBe(rfc3986(document));
    expect(decodeURIComponent(got.PolicyDocument!)).toBe(document);
    expect((await iam.send(new ListGroupPoliciesCommand({ GroupName: group }))).PolicyNames).toEqual(["bucket-list"]);

    await iam.send(new DeleteGroupPolicyCommand({ GroupName: group, PolicyName: "bucket-list" }));
    expect((await iam.send(new ListGroupPoliciesCommand({ GroupName: group }))).PolicyNames).toEqual([]);
    expect(await sdkError(iam.send(new DeleteGroupPolicyCommand({ GroupName: group, PolicyName: "bucket-list" })))).toEqual({
      status: 404,
      code: "NoSuchEntity",
      message: "The group policy with name bucket-list cannot be found.",
    });
    expect(
      await sdkError(iam.send(new PutGroupPolicyCommand({ GroupName: "nonexistent-group", PolicyName: "p", PolicyDocument: document }))),
    ).toEqual(noSuchGroup("nonexistent-group"));
    expect(await sdkError(iam.send(new GetGroupPolicyCommand({ GroupName: "nonexistent-group", PolicyName: "p" })))).toEqual(
      noSuchGroup("nonexistent-group"),
    );
  });

  it("a user's inline policies total at most 2,048 characters, white space not counted", async () => {
    const { iam } = root();
    const user = uniqueName("big-inline");
    await iam.send(new CreateUserCommand({ UserName: user }));
    const atLimit = documentOfSize(2048);
    expect(atLimit.length).toBeGreaterThan(2300); // well over the limit with its white space
    await iam.send(new PutUserPolicyCommand({ UserName: user, PolicyName: "at-limit", PolicyDocument: atLimit }));

    const overLimit = {
      status: 409,
      code: "LimitExceeded",
      message: `Maximum policy size of 2048 bytes exceeded for user ${user}`,
    };
    // The aggregate counts: one more small policy is too much.
    expect(
      await sdkError(iam.send(new PutUserPolicyCommand({ UserName: user, PolicyName: "one-more", PolicyDocument: policy(allow("iam:ListUsers")) }))),
    ).toEqual(overLimit);
    await iam.send(new DeleteUserPolicyCommand({ UserName: user, PolicyName: "at-limit" }));
    expect(
      await sdkError(iam.send(new PutUserPolicyCommand({ UserName: user, PolicyName: "too-big", PolicyDocument: documentOfSize(2049) }))),
    ).toEqual(overLimit);
    expect((await iam.send(new ListUserPoliciesCommand({ UserName: user }))).PolicyNames).toEqual([]);
  });

  it("a group's inline policies total at most 5,120 characters", async () => {
    const { iam } = root();
    const group = uniqueName("big-group");
    await iam.send(new CreateGroupCommand({ GroupName: group }));
    await iam.send(new PutGroupPolicyCommand({ GroupName: group, PolicyName: "at-limit", PolicyDocument: documentOfSize(5120) }));
    await iam.send(new DeleteGroupPolicyCommand({ GroupName: group, PolicyName: "at-limit" }));
    // spec §1.4: a single source for the group text.
    expect(
      await sdkError(iam.send(new PutGroupPolicyCommand({ GroupName: group, PolicyName: "too-big", PolicyDocument: documentOfSize(5121) }))),
    ).toEqual({ status: 409, code: "LimitExceeded", message: `Maximum policy size of 5120 bytes exceeded for group ${group}` });
  });

  it("MalformedPolicyDocument for inline policies: not JSON, a Principal, an Effect in the wrong case", async () => {
    const { iam } = root();
    const user = uniqueName("malformed-inline");
    await iam.send(new CreateUserCommand({ UserName: user }));
    const put = (document: string) => sdkError(iam.send(new PutUserPolicyCommand({ UserName: user, PolicyName: "p", PolicyDocument: document })));
    expect(await put("This is not a json document")).toEqual(malformed("Syntax errors in policy."));
    expect(await put(policy(allow("s3:ListBucket", "*", { Principal: { AWS: "*" } })))).toEqual(
      malformed("Policy document should not specify a principal."),
    );
    expect(await put('{"Version": "2012-10-17", "Statement": {"Effect": "allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::example_bucket"}}')).toEqual(
      malformed("The policy failed legacy parsing"),
    );
    expect((await iam.send(new ListUserPoliciesCommand({ UserName: user }))).PolicyNames).toEqual([]);
  });
});

/** A valid document with exactly `size` characters that are not white space, and plenty of white space besides. */
function documentOfSize(size: number): string {
  const head =
    '{\n    "Version": "2012-10-17",\n    "Statement": [\n        {\n            "Effect": "Allow",\n' +
    '            "Action": "s3:GetObject",\n            "Resource": "arn:aws:s3:::bucket/';
  const tail = '"\n        }\n    ]\n}\n' + " ".repeat(300);
  const counted = (s: string) => s.replace(/\s/g, "").length;
  const document = head + "k".repeat(size - counted(head + tail)) + tail;
  expect(counted(document)).toBe(size);
  return document;
}

describe("managed policies", () => {
  it("CreatePolicy, GetPolicy, ListPolicies, DeletePolicy: AWS's shapes", async () => {
    const { iam } = root();
    const name = uniqueName("lifecycle");
    const document = policy(allow("s3:ListBucket"));
    const created = await iam.send(
      new CreatePolicyCommand({ PolicyName: name, Path: "/test/path/", PolicyDocument: document, Description: "testing" }),
    );
    // Recorded: CreatePolicy shows neither the Description nor (without tags) Tags.
    const shape = {
      PolicyName: name,
      PolicyId: expect.stringMatching(/^ANPA[A-Z2-7]{17}$/),
      Arn: policyArnOf(name, "/test/path/"),
      Path: "/test/path/",
      DefaultVersionId: "v1",
      AttachmentCount: 0,
      PermissionsBoundaryUsageCount: 0,
      IsAttachable: true,
      CreateDate: expect.any(Date),
      UpdateDate: expect.any(Date),
    };
    expect(created.Policy).toEqual(shape);

    const got = await iam.send(new GetPolicyCommand({ PolicyArn: policyArnOf(name, "/test/path/") }));
    expect(got.Policy).toEqual({ ...shape, PolicyId: created.Policy!.PolicyId, Description: "testing", Tags: [] });

    const listed = await iam.send(new ListPoliciesCommand({ Scope: "Local", PathPrefix: "/test/path/" }));
    expect(listed.Policies).toEqual([{ ...shape, PolicyId: created.Policy!.PolicyId }]);
    expect(listed.IsTruncated).toBe(false);

    expect(await sdkError(iam.send(new CreatePolicyCommand({ PolicyName: name, Path: "/test/path/", PolicyDocument: document })))).toEqual({
      status: 409,
      code: "EntityAlreadyExists",
      message: `A policy called ${name} already exists. Duplicate names are not allowed.`,
    });

    const deleted = await iam.send(new DeletePolicyCommand({ PolicyArn: policyArnOf(name, "/test/path/") }));
    expect(deleted.$metadata.httpStatusCode).toBe(200);
    expect(await sdkError(iam.send(new GetPolicyCommand({ PolicyArn: policyArnOf(name, "/test/path/") })))).toEqual(
      policyNotFound(policyArnOf(name, "/test/path/")),
    );
    expect(await sdkError(iam.send(new DeletePolicyCommand({ PolicyArn: policyArnOf("non-existent-policy") })))).toEqual(
      policyNotFound(policyArnOf("non-existent-policy")),
    );
  });

  it("CreatePolicy with tags shows them, in the order given", async () => {
    const { iam } = root();
    const name = uniqueName("tagged");
    const tags = [
      { Key: "somekey", Value: "somevalue" },
      { Key: "someotherkey", Value: "someothervalue" },
    ];
    const created = await iam.send(new CreatePolicyCommand({ PolicyName: name, PolicyDocument: policy(allow("s3:ListBucket")), Tags: tags }));
    expect(created.Policy!.Tags).toEqual(tags);
    expect((await iam.send(new GetPolicyCommand({ PolicyArn: policyArnOf(name) }))).Policy!.Tags).toEqual(tags);
  });

  it("MalformedPolicyDocument: AWS's answers to documents CreatePolicy refuses", async () => {
    const { iam } = root();
    const create = (document: string) => sdkError(iam.send(new CreatePolicyCommand({ PolicyName: uniqueName("malformed"), PolicyDocument: document })));
    // Documents and answers from create-policy-document-validity.cases.json (invalid-0, -1, -2, -10, -63).
    expect(await create("This is not a json document")).toEqual(malformed("Syntax errors in policy."));
    expect(await create('{"Statement": {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::example_bucket"}}')).toEqual(
      malformed("Policy document must be version 2012-10-17 or greater."),
    );
    expect(
      await create('{"Version": "2008-10-17", "Statement": {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::example_bucket"}}'),
    ).toEqual(malformed("Policy document must be version 2012-10-17 or greater."));
    expect(
      await create('{"Version": "2012-10-17", "Statement": {"Effect": "invalid", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::example_bucket"}}'),
    ).toEqual(malformed("Syntax errors in policy."));
    expect(
      await create('{"Version": "2012-10-17", "Statement": {"Effect": "denY", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::example_bucket"}}'),
    ).toEqual(malformed("The policy failed legacy parsing"));
    expect(await create(policy(allow("s3:ListBucket", "*", { Principal: { AWS: "*" } })))).toEqual(
      malformed("Policy document should not specify a principal."),
    );
  });

  it("versions: SetAsDefault, newest first, at most five, ids never reused, AWS's errors", async () => {
    const { iam } = root();
    const name = uniqueName("versioned");
    const arn = await managedPolicy(name, policy(allow("iam:ListUsers")));
    const v2Document = '{"Version": "2012-10-17", "Statement": [{"Sid": "Statement1", "Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": "*"}]}';

    const v2 = await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: v2Document, SetAsDefault: true }));
    expect(v2.PolicyVersion).toEqual({ VersionId: "v2", IsDefaultVersion: true, CreateDate: expect.any(Date) });
    expect((await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy!.DefaultVersionId).toBe("v2");
    const got = await iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: "v2" }));
    expect(got.PolicyVersion).toEqual({ Document: rfc3986(v2Document), VersionId: "v2", IsDefaultVersion: true, CreateDate: expect.any(Date) });
    expect(decodeURIComponent(got.PolicyVersion!.Document!)).toBe(v2Document);

    const v3 = await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: policy(allow("ec2:DescribeInstances")) }));
    expect(v3.PolicyVersion).toEqual({ VersionId: "v3", IsDefaultVersion: false, CreateDate: expect.any(Date) });
    const ids = async () =>
      (await iam.send(new ListPolicyVersionsCommand({ PolicyArn: arn }))).Versions!.map((v) => [v.VersionId, v.IsDefaultVersion]);
    const list = await iam.send(new ListPolicyVersionsCommand({ PolicyArn: arn }));
    expect(list.Versions).toEqual([
      { VersionId: "v3", IsDefaultVersion: false, CreateDate: expect.any(Date) },
      { VersionId: "v2", IsDefaultVersion: true, CreateDate: expect.any(Date) },
      { VersionId: "v1", IsDefaultVersion: false, CreateDate: expect.any(Date) },
    ]);
    expect(list.IsTruncated).toBe(false);

    const set = await iam.send(new SetDefaultPolicyVersionCommand({ PolicyArn: arn, VersionId: "v1" }));
    expect(set.$metadata.httpStatusCode).toBe(200);
    expect(await ids()).toEqual([["v3", false], ["v2", false], ["v1", true]]);
    expect((await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy!.DefaultVersionId).toBe("v1");

    await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: policy(allow("iam:GetUser")) }));
    await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: policy(allow("iam:GetGroup")) }));
    expect(await sdkError(iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: policy(allow("iam:GetRole")) })))).toEqual({
      status: 409,
      code: "LimitExceeded",
      message: "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.",
    });
    expect(await ids()).toEqual([["v5", false], ["v4", false], ["v3", false], ["v2", false], ["v1", true]]);

    await iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: "v2" }));
    const v6 = await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: policy(allow("iam:GetRole")) }));
    expect(v6.PolicyVersion).toEqual({ VersionId: "v6", IsDefaultVersion: false, CreateDate: expect.any(Date) });
    expect(await ids()).toEqual([["v6", false], ["v5", false], ["v4", false], ["v3", false], ["v1", true]]);

    expect(await sdkError(iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: "v1" })))).toEqual(
      deleteConflict("Cannot delete the default version of a policy."),
    );
    expect(await sdkError(iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: "v9" })))).toEqual(noSuchVersion(arn, "v9"));
    expect(await sdkError(iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: "v2" })))).toEqual(noSuchVersion(arn, "v2"));
    expect(await sdkError(iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: "v9" })))).toEqual(noSuchVersion(arn, "v9"));
    expect(await sdkError(iam.send(new SetDefaultPolicyVersionCommand({ PolicyArn: arn, VersionId: "v7" })))).toEqual(noSuchVersion(arn, "v7"));
    const unknown = policyArnOf("TestNonExistingPolicy");
    expect(await sdkError(iam.send(new GetPolicyVersionCommand({ PolicyArn: unknown, VersionId: "v1" })))).toEqual(noSuchVersion(unknown, "v1"));
    expect(await sdkError(iam.send(new SetDefaultPolicyVersionCommand({ PolicyArn: unknown, VersionId: "v1" })))).toEqual(noSuchVersion(unknown, "v1"));
    expect(await sdkError(iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: "This is not a json document" })))).toEqual(
      malformed("Syntax errors in policy."),
    );

    // A policy with versions besides the default cannot be deleted; once they are gone, it can.
    expect(await sdkError(iam.send(new DeletePolicyCommand({ PolicyArn: arn })))).toEqual(
      deleteConflict(
        "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
      ),
    );
    for (const v of ["v3", "v4", "v5", "v6"]) await iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: v }));
    expect(await ids()).toEqual([["v1", true]]);
    await iam.send(new DeletePolicyCommand({ PolicyArn: arn }));
    expect(await sdkError(iam.send(new GetPolicyCommand({ PolicyArn: arn })))).toEqual(policyNotFound(arn));
  });

  it("a malformed VersionId is a ValidationError that leaves the value out", async () => {
    const { iam } = root();
    const arn = await managedPolicy(uniqueName("bad-version-ids"), policy(allow("iam:ListUsers")));
    // Recorded: SetDefaultPolicyVersion (test_policy_version_errors) and GetPolicyVersion of an AWS
    // managed policy (test_get_aws_managed_policy_version, test_aws_managed_policy_errors).
    expect(await sdkError(iam.send(new SetDefaultPolicyVersionCommand({ PolicyArn: arn, VersionId: "version1" })))).toEqual(BAD_VERSION_ID);
    expect(await sdkError(iam.send(new GetPolicyVersionCommand({ PolicyArn: AWS_POLICY("IAMUserChangePassword"), VersionId: "invalid" })))).toEqual(
      BAD_VERSION_ID,
    );
    expect(await sdkError(iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: "1" })))).toEqual(BAD_VERSION_ID);
    expect(await sdkError(iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: "v0" })))).toEqual(BAD_VERSION_ID);
  });

  it("DeletePolicy refuses a policy attached to a user or a group", async () => {
    const { iam } = root();
    const arn = await managedPolicy(uniqueName("in-use"), policy(allow("iam:ListUsers")));
    const user = uniqueName("in-use-user");
    const group = uniqueName("in-use-group");
    await iam.send(new CreateUserCommand({ UserName: user }));
    await iam.send(new CreateGroupCommand({ GroupName: group }));
    const attached = deleteConflict("Cannot delete a policy attached to entities.");

    await iam.send(new AttachUserPolicyCommand({ UserName: user, PolicyArn: arn }));
    expect(await sdkError(iam.send(new DeletePolicyCommand({ PolicyArn: arn })))).toEqual(attached);
    await iam.send(new DetachUserPolicyCommand({ UserName: user, PolicyArn: arn }));
    await iam.send(new AttachGroupPolicyCommand({ GroupName: group, PolicyArn: arn }));
    expect(await sdkError(iam.send(new DeletePolicyCommand({ PolicyArn: arn })))).toEqual(attached);
    await iam.send(new DetachGroupPolicyCommand({ GroupName: group, PolicyArn: arn }));
    await iam.send(new DeletePolicyCommand({ PolicyArn: arn }));
  });

  it("pages ListPolicies with Marker and MaxItems", async () => {
    const { iam } = root();
    const created = ["pp-a", "pp-b", "pp-c", "pp-d", "pp-e"];
    for (const n of created) await managedPolicy(n, policy(allow("iam:ListUsers")), "/paging-policies/");
    const seen: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const page = await iam.send(new ListPoliciesCommand({ Scope: "Local", PathPrefix: "/paging-policies/", MaxItems: 2, Marker: marker }));
      seen.push(...page.Policies!.map((p) => p.PolicyName!));
      expect(page.IsTruncated).toBe(page.Marker !== undefined);
      marker = page.IsTruncated ? page.Marker : undefined;
      pages++;
    } while (marker);
    expect(seen).toEqual(created);
    expect(pages).toBe(3);
  });
});

describe("AWS managed policies", () => {
  it("GetPolicy and GetPolicyVersion by their real ARNs", async () => {
    const { iam } = root();
    const arn = AWS_POLICY("IAMUserChangePassword");
    // Recorded (iam__test_iam_managed_policies test_get_aws_managed_policy, 2026-02-20).
    const got = await iam.send(new GetPolicyCommand({ PolicyArn: arn }));
    expect(got.Policy).toEqual({
      PolicyName: "IAMUserChangePassword",
      PolicyId: expect.stringMatching(/^ANPA[A-Z0-9]{17}$/),
      Arn: arn,
      Path: "/",
      DefaultVersionId: "v5",
      AttachmentCount: 0,
      PermissionsBoundaryUsageCount: 0,
      IsAttachable: true,
      Description: "Provides the ability for an IAM user to change their own password.",
      CreateDate: expect.any(Date),
      UpdateDate: expect.any(Date),
      Tags: [],
    });
    const version = await iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: "v5" }));
    expect(version.PolicyVersion).toMatchObject({ VersionId: "v5", IsDefaultVersion: true, CreateDate: expect.any(Date) });
    expect(JSON.parse(decodeURIComponent(version.PolicyVersion!.Document!))).toMatchObject({ Version: "2012-10-17" });

    const admin = await iam.send(new GetPolicyVersionCommand({ PolicyArn: AWS_POLICY("AdministratorAccess"), VersionId: "v1" }));
    expect(JSON.parse(decodeURIComponent(admin.PolicyVersion!.Document!))).toEqual({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }],
    });
  });

  it("ListPolicyVersions of an AWS managed policy lists the version the catalogue holds: its default", async () => {
    // AWS lists every version (recorded for a policy at v12: v12 … v1, only the default marked);
    // the catalogue holds only each policy's current document, so older versions are not offered
    // rather than made up (README, "Policies and MFA-protected access").
    const { iam } = root();
    const listed = await iam.send(new ListPolicyVersionsCommand({ PolicyArn: AWS_POLICY("IAMUserChangePassword") }));
    expect(listed.Versions!.map((v) => [v.VersionId, v.IsDefaultVersion])).toEqual([["v5", true]]);
    expect(await sdkError(iam.send(new GetPolicyVersionCommand({ PolicyArn: AWS_POLICY("IAMUserChangePassword"), VersionId: "v4" })))).toEqual({
      status: 404,
      code: "NoSuchEntity",
      message: "Policy arn:aws:iam::aws:policy/IAMUserChangePassword version v4 does not exist or is not attachable.",
    });
  });

  it("ListPolicies: Scope AWS, Local and OnlyAttached", async () => {
    const { iam } = root();
    const aws = await iam.send(new ListPoliciesCommand({ Scope: "AWS" }));
    const awsArns = aws.Policies!.map((p) => p.Arn!);
    expect(awsArns.every((a) => a.startsWith("arn:aws:iam::aws:policy/"))).toBe(true);
    expect(awsArns).toEqual(expect.arrayContaining([AWS_POLICY("AdministratorAccess"), AWS_POLICY("IAMReadOnlyAccess"), AWS_POLICY("IAMUserChangePassword")]));
    for (const p of aws.Policies!) {
      expect(p).toEqual({
        PolicyName: expect.any(String),
        PolicyId: expect.stringMatching(/^ANPA/),
        Arn: expect.any(String),
        Path: expect.any(String),
        DefaultVersionId: expect.stringMatching(/^v\d+$/),
        AttachmentCount: expect.any(Number),
        PermissionsBoundaryUsageCount: 0,
        IsAttachable: true,
        CreateDate: expect.any(Date),
        UpdateDate: expect.any(Date),
      });
    }
    // Recorded: a page of five with a Marker.
    const page = await iam.send(new ListPoliciesCommand({ Scope: "AWS", MaxItems: 5 }));
    expect(page.Policies).toHaveLength(5);
    expect(page.IsTruncated).toBe(true);
    expect(page.Marker).toEqual(expect.any(String));

    const local = await iam.send(new ListPoliciesCommand({ Scope: "Local" }));
    expect(local.Policies!.some((p) => p.Arn!.startsWith("arn:aws:iam::aws:"))).toBe(false);

    const path = `/${uniqueName("only-attached")}/`;
    const attachedArn = await managedPolicy("attached-one", policy(allow("iam:ListUsers")), path);
    await managedPolicy("unattached-one", policy(allow("iam:ListUsers")), path);
    const group = uniqueName("only-attached-group");
    await iam.send(new CreateGroupCommand({ GroupName: group }));
    await iam.send(new AttachGroupPolicyCommand({ GroupName: group, PolicyArn: attachedArn }));
    await iam.send(new AttachGroupPolicyCommand({ GroupName: group, PolicyArn: AWS_POLICY("AmazonS3ReadOnlyAccess") }));
    const onlyAttached = await iam.send(new ListPoliciesCommand({ Scope: "Local", OnlyAttached: true, PathPrefix: path }));
    expect(onlyAttached.Policies!.map((p) => [p.PolicyName, p.AttachmentCount])).toEqual([["attached-one", 1]]);
    const both = await iam.send(new ListPoliciesCommand({ Scope: "Local", PathPrefix: path }));
    expect(both.Policies!.map((p) => p.PolicyName)).toEqual(["attached-one", "unattached-one"]);
    const awsAttached = await iam.send(new ListPoliciesCommand({ Scope: "AWS", OnlyAttached: true }));
    expect(awsAttached.Policies!.map((p) => p.Arn)).toContain(AWS_POLICY("AmazonS3ReadOnlyAccess"));
    expect(awsAttached.Policies!.every((p) => p.AttachmentCount! > 0)).toBe(true);
  });

  it("attach to a group, list, detach", async () => {
    const { iam } = root();
    const group = uniqueName("aws-attached");
    await iam.send(new CreateGroupCommand({ GroupName: group }));
    const empty = await iam.send(new ListAttachedGroupPoliciesCommand({ GroupName: group }));
    expect(empty.AttachedPolicies).toEqual([]);
    expect(empty.IsTruncated).toBe(false);
    await iam.send(new AttachGroupPolicyCommand({ GroupName: group, PolicyArn: AWS_POLICY("IAMReadOnlyAccess") }));
    const attached = await iam.send(new ListAttachedGroupPoliciesCommand({ GroupName: group }));
    expect(attached.AttachedPolicies).toEqual([{ PolicyName: "IAMReadOnlyAccess", PolicyArn: AWS_POLICY("IAMReadOnlyAccess") }]);
    expect(attached.IsTruncated).toBe(false);
    await iam.send(new DetachGroupPolicyCommand({ GroupName: group, PolicyArn: AWS_POLICY("IAMReadOnlyAccess") }));
    expect((await iam.send(new ListAttachedGroupPoliciesCommand({ GroupName: group }))).AttachedPolicies).toEqual([]);
  });

  it("refuses to change them with AWS's AccessDenied texts", async () => {
    const { iam } = root();
    const arn = AWS_POLICY("IAMUserChangePassword");
    // Recorded (test_aws_managed_policy_errors, 2026-02-20).
    expect(await sdkError(iam.send(new DeletePolicyCommand({ PolicyArn: arn })))).toEqual({
      status: 403,
      code: "AccessDenied",
      message: "Cannot delete policies outside your own account.",
    });
    expect(await sdkError(iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: "v1" })))).toEqual({
      status: 403,
      code: "AccessDenied",
      message: "Cannot delete policy versions for policies outside your own account.",
    });
    expect(await sdkError(iam.send(new SetDefaultPolicyVersionCommand({ PolicyArn: arn, VersionId: "v1" })))).toEqual({
      status: 403,
      code: "AccessDenied",
      message: "Cannot update policies outside your own account.",
    });
    expect((await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy!.DefaultVersionId).toBe("v5");
  });
});

describe("attachments", () => {
  it("Attach/Detach/ListAttachedUserPolicies, AttachmentCount and ListEntitiesForPolicy", async () => {
    const { iam } = root();
    const name = uniqueName("attachable");
    const arn = await managedPolicy(name, policy(allow("iam:ListUsers")));
    const user = uniqueName("attached-user");
    const group = uniqueName("attached-group");
    const { User } = await iam.send(new CreateUserCommand({ UserName: user }));
    const { Group } = await iam.send(new CreateGroupCommand({ GroupName: group }));

    const empty = await iam.send(new ListAttachedUserPoliciesCommand({ UserName: user }));
    expect(empty.AttachedPolicies).toEqual([]);
    expect(empty.IsTruncated).toBe(false);
    const noEntities = await iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: arn }));
    expect({ g: noEntities.PolicyGroups, u: noEntities.PolicyUsers, r: noEntities.PolicyRoles, t: noEntities.IsTruncated }).toEqual({
      g: [],
      u: [],
      r: [],
      t: false,
    });

    const attach = await iam.send(new AttachUserPolicyCommand({ UserName: user, PolicyArn: arn }));
    expect(attach.$metadata.httpStatusCode).toBe(200);
    const listed = await iam.send(new ListAttachedUserPoliciesCommand({ UserName: user }));
    expect(listed.AttachedPolicies).toEqual([{ PolicyName: name, PolicyArn: arn }]);
    expect(listed.IsTruncated).toBe(false);
    expect((await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy!.AttachmentCount).toBe(1);
    await iam.send(new AttachGroupPolicyCommand({ GroupName: group, PolicyArn: arn }));
    expect((await iam.send(new ListAttachedGroupPoliciesCommand({ GroupName: group }))).AttachedPolicies).toEqual([{ PolicyName: name, PolicyArn: arn }]);
    expect((await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy!.AttachmentCount).toBe(2);

    const entities = async (filter?: "User" | "Group" | "LocalManagedPolicy") => {
      const r = await iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: arn, EntityFilter: filter }));
      return { PolicyGroups: r.PolicyGroups, PolicyUsers: r.PolicyUsers, PolicyRoles: r.PolicyRoles, IsTruncated: r.IsTruncated };
    };
    const groupEntry = { GroupName: group, GroupId: Group!.GroupId };
    const userEntry = { UserName: user, UserId: User!.UserId };
    expect(await entities()).toEqual({ PolicyGroups: [groupEntry], PolicyUsers: [userEntry], PolicyRoles: [], IsTruncated: false });
    expect(await entities("User")).toEqual({ PolicyGroups: [], PolicyUsers: [userEntry], PolicyRoles: [], IsTruncated: false });
    expect(await entities("Group")).toEqual({ PolicyGroups: [groupEntry], PolicyUsers: [], PolicyRoles: [], IsTruncated: false });
    expect(await entities("LocalManagedPolicy")).toEqual({ PolicyGroups: [], PolicyUsers: [], PolicyRoles: [], IsTruncated: false });

    await iam.send(new DetachUserPolicyCommand({ UserName: user, PolicyArn: arn }));
    expect((await iam.send(new ListAttachedUserPoliciesCommand({ UserName: user }))).AttachedPolicies).toEqual([]);
    expect(await sdkError(iam.send(new DetachUserPolicyCommand({ UserName: user, PolicyArn: arn })))).toEqual(policyNotFound(arn));
    await iam.send(new DetachGroupPolicyCommand({ GroupName: group, PolicyArn: arn }));
    expect(await sdkError(iam.send(new DetachGroupPolicyCommand({ GroupName: group, PolicyArn: arn })))).toEqual(policyNotFound(arn));
    expect((await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy!.AttachmentCount).toBe(0);
  });

  it("attach errors: unknown policies, what is not an ARN, unknown users and groups", async () => {
    const { iam } = root();
    const user = uniqueName("attach-errors");
    await iam.send(new CreateUserCommand({ UserName: user }));
    const name = uniqueName("existing-policy-name-given");
    await managedPolicy(name, policy(allow("iam:ListUsers")));
    // Recorded (test_user_attach_policy, test_user_managed_policy_errors, test_list_entities_for_policy_errors).
    expect(await sdkError(iam.send(new AttachUserPolicyCommand({ UserName: user, PolicyArn: "longpolicynamebutnoarn" })))).toEqual({
      status: 400,
      code: "ValidationError",
      message: "ARN longpolicynamebutnoarn is not valid.",
    });
    expect(await sdkError(iam.send(new AttachUserPolicyCommand({ UserName: user, PolicyArn: name })))).toEqual({
      status: 400,
      code: "ValidationError",
      message: `ARN ${name} is not valid.`,
    });
    expect(await sdkError(iam.send(new AttachUserPolicyCommand({ UserName: user, PolicyArn: policyArnOf(`${name}123`) })))).toEqual(
      notAttachable(policyArnOf(`${name}123`)),
    );
    expect(await sdkError(iam.send(new AttachUserPolicyCommand({ UserName: user, PolicyArn: policyArnOf("nonexistent") })))).toEqual(
      notAttachable(policyArnOf("nonexistent")),
    );
    expect(await sdkError(iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: policyArnOf("NonExistentPolicy") })))).toEqual(
      notAttachable(policyArnOf("NonExistentPolicy")),
    );
    expect(await sdkError(iam.send(new AttachUserPolicyCommand({ UserName: "nonexistent-user", PolicyArn: policyArnOf(name) })))).toEqual(
      noSuchUser("nonexistent-user"),
    );
    expect(await sdkError(iam.send(new ListAttachedUserPoliciesCommand({ UserName: "nonexistent-user" })))).toEqual(noSuchUser("nonexistent-user"));
    expect(await sdkError(iam.send(new AttachGroupPolicyCommand({ GroupName: "nonexistent-group", PolicyArn: policyArnOf(name) })))).toEqual(
      noSuchGroup("nonexistent-group"),
    );
    // Recorded (test_detach_unattached_group_policy).
    const group = uniqueName("detach-unattached");
    await iam.send(new CreateGroupCommand({ GroupName: group }));
    expect(await sdkError(iam.send(new DetachGroupPolicyCommand({ GroupName: group, PolicyArn: policyArnOf(name) })))).toEqual(
      policyNotFound(policyArnOf(name)),
    );
  });

  it("at most 10 managed policies per user and per group", async () => {
    const { iam } = root();
    const user = uniqueName("ten-policies");
    const group = uniqueName("ten-policies-group");
    await iam.send(new CreateUserCommand({ UserName: user }));
    await iam.send(new CreateGroupCommand({ GroupName: group }));
    const arns: string[] = [];
    for (let i = 0; i < 11; i++) arns.push(await managedPolicy(uniqueName("quota"), policy(allow("iam:ListUsers"))));
    for (const arn of arns.slice(0, 10)) {
      await iam.send(new AttachUserPolicyCommand({ UserName: user, PolicyArn: arn }));
      await iam.send(new AttachGroupPolicyCommand({ GroupName: group, PolicyArn: arn }));
    }
    expect(await sdkError(iam.send(new AttachUserPolicyCommand({ UserName: user, PolicyArn: arns[10]! })))).toEqual({
      status: 409,
      code: "LimitExceeded",
      message: "Cannot exceed quota for PoliciesPerUser: 10",
    });
    expect(await sdkError(iam.send(new AttachGroupPolicyCommand({ GroupName: group, PolicyArn: arns[10]! })))).toEqual({
      status: 409,
      code: "LimitExceeded",
      message: "Cannot exceed quota for PoliciesPerGroup: 10",
    });
    expect((await iam.send(new ListAttachedUserPoliciesCommand({ UserName: user }))).AttachedPolicies).toHaveLength(10);
  });
});

describe("users with groups and policies", () => {
  it("DeleteUser refuses a user with inline policies, attached policies or groups", async () => {
    const { iam } = root();
    const inline = uniqueName("del-inline");
    await iam.send(new CreateUserCommand({ UserName: inline }));
    await iam.send(new PutUserPolicyCommand({ UserName: inline, PolicyName: "p", PolicyDocument: policy(allow("iam:ListUsers")) }));
    expect(await sdkError(iam.send(new DeleteUserCommand({ UserName: inline })))).toEqual(
      deleteConflict("Cannot delete entity, must delete policies first."),
    );
    await iam.send(new DeleteUserPolicyCommand({ UserName: inline, PolicyName: "p" }));
    await iam.send(new DeleteUserCommand({ UserName: inline }));

    const attached = uniqueName("del-attached");
    await iam.send(new CreateUserCommand({ UserName: attached }));
    await iam.send(new AttachUserPolicyCommand({ UserName: attached, PolicyArn: AWS_POLICY("IAMReadOnlyAccess") }));
    expect(await sdkError(iam.send(new DeleteUserCommand({ UserName: attached })))).toEqual(
      deleteConflict("Cannot delete entity, must detach all policies first."),
    );
    await iam.send(new DetachUserPolicyCommand({ UserName: attached, PolicyArn: AWS_POLICY("IAMReadOnlyAccess") }));
    await iam.send(new DeleteUserCommand({ UserName: attached }));

    const member = uniqueName("del-member");
    const group = uniqueName("del-member-group");
    await iam.send(new CreateUserCommand({ UserName: member }));
    await iam.send(new CreateGroupCommand({ GroupName: group }));
    await iam.send(new AddUserToGroupCommand({ GroupName: group, UserName: member }));
    // AWS's text for DeleteUser is the DeleteGroup one (captured: hashicorp/terraform#3774, #2818;
    // mozilla-services/userplex#17; openshift/cloud-credential-operator#467).
    expect(await sdkError(iam.send(new DeleteUserCommand({ UserName: member })))).toEqual(
      deleteConflict("Cannot delete entity, must remove users from group first."),
    );
    await iam.send(new RemoveUserFromGroupCommand({ GroupName: group, UserName: member }));
    await iam.send(new DeleteUserCommand({ UserName: member }));
    expect(await sdkError(iam.send(new GetUserCommand({ UserName: member })))).toEqual(noSuchUser(member));
  });

  it("renaming a user keeps its groups, inline and attached policies, and what they allow", async () => {
    const { iam } = root();
    const before = uniqueName("before-rename");
    const after = uniqueName("after-rename");
    const group = uniqueName("rename-group");
    const creds = await newUserWithKey(before);
    const { User } = await iam.send(new GetUserCommand({ UserName: before }));
    const { Group } = await iam.send(new CreateGroupCommand({ GroupName: group }));
    const arn = await managedPolicy(uniqueName("rename-policy"), policy(allow("iam:ListPolicies")));
    await iam.send(new AddUserToGroupCommand({ GroupName: group, UserName: before }));
    await iam.send(new PutUserPolicyCommand({ UserName: before, PolicyName: "list-groups", PolicyDocument: policy(allow("iam:ListGroups")) }));
    await iam.send(new AttachUserPolicyCommand({ UserName: before, PolicyArn: arn }));

    await iam.send(new UpdateUserCommand({ UserName: before, NewUserName: after }));

    expect((await iam.send(new ListUserPoliciesCommand({ UserName: after }))).PolicyNames).toEqual(["list-groups"]);
    expect((await iam.send(new GetUserPolicyCommand({ UserName: after, PolicyName: "list-groups" }))).UserName).toBe(after);
    expect((await iam.send(new ListAttachedUserPoliciesCommand({ UserName: after }))).AttachedPolicies!.map((p) => p.PolicyArn)).toEqual([arn]);
    expect((await iam.send(new ListGroupsForUserCommand({ UserName: after }))).Groups).toEqual([Group]);
    expect((await iam.send(new GetGroupCommand({ GroupName: group }))).Users).toEqual([
      { ...User, UserName: after, Arn: userArnOf(after) },
    ]);
    const entities = await iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: arn }));
    expect(entities.PolicyUsers).toEqual([{ UserName: after, UserId: User!.UserId }]);
    expect(await sdkError(iam.send(new ListGroupsForUserCommand({ UserName: before })))).toEqual(noSuchUser(before));

    // The renamed user's key still carries both policies.
    const own = iamOf(creds);
    expect((await own.send(new ListGroupsCommand({}))).$metadata.httpStatusCode).toBe(200);
    expect((await own.send(new ListPoliciesCommand({ Scope: "Local", MaxItems: 1 }))).$metadata.httpStatusCode).toBe(200);
  });
});

describe("authorization by policies", () => {
  it("a user without policies is refused every action, the resource named as AWS names it", async () => {
    const name = uniqueName("no-policies");
    const creds = await newUserWithKey(name);
    const group = uniqueName("someone-elses-group");
    await root().iam.send(new CreateGroupCommand({ GroupName: group }));
    const iam = iamOf(creds);
    const me = userArnOf(name);
    const cases: [unknown, string, string][] = [
      // spec §6.3: `user NAME` for actions on a user (seen for GetUser, ListAttachedUserPolicies, AttachUserPolicy).
      [new GetUserCommand({}), "iam:GetUser", `user ${name}`],
      [new GetUserCommand({ UserName: name }), "iam:GetUser", `user ${name}`],
      [new ListAttachedUserPoliciesCommand({ UserName: name }), "iam:ListAttachedUserPolicies", `user ${name}`],
      [new AttachUserPolicyCommand({ UserName: name, PolicyArn: AWS_POLICY("IAMReadOnlyAccess") }), "iam:AttachUserPolicy", `user ${name}`],
      [new GetUserPolicyCommand({ UserName: name, PolicyName: "p" }), "iam:GetUserPolicy", `user ${name}`],
      [new ListGroupsForUserCommand({ UserName: name }), "iam:ListGroupsForUser", `user ${name}`],
      // Listings: the kind's ARN prefix, and "policy path /" for ListPolicies.
      [new ListUsersCommand({}), "iam:ListUsers", `arn:aws:iam::${ACCOUNT}:user/`],
      [new ListGroupsCommand({}), "iam:ListGroups", `arn:aws:iam::${ACCOUNT}:group/`],
      [new ListPoliciesCommand({}), "iam:ListPolicies", "policy path /"],
      [new CreatePolicyCommand({ PolicyName: "my-policy", PolicyDocument: policy(allow("iam:*")) }), "iam:CreatePolicy", "policy my-policy"],
      // Group operations: `group NAME` (by analogy, spec §11.6).
      [new GetGroupCommand({ GroupName: group }), "iam:GetGroup", `group ${group}`],
      [new AddUserToGroupCommand({ GroupName: group, UserName: name }), "iam:AddUserToGroup", `group ${group}`],
      [new PutGroupPolicyCommand({ GroupName: group, PolicyName: "p", PolicyDocument: policy(allow("iam:*")) }), "iam:PutGroupPolicy", `group ${group}`],
      [new DeleteGroupCommand({ GroupName: group }), "iam:DeleteGroup", `group ${group}`],
      // Creating: the full ARN of what would be created, path included.
      [new CreateUserCommand({ UserName: "mallory", Path: "/x/" }), "iam:CreateUser", `arn:aws:iam::${ACCOUNT}:user/x/mallory`],
      [new CreateGroupCommand({ GroupName: "admins", Path: "/team/" }), "iam:CreateGroup", `arn:aws:iam::${ACCOUNT}:group/team/admins`],
    ];
    for (const [command, action, resource] of cases) {
      expect(await sdkError(iam.send(command as never)), action).toEqual(implicitDeny(me, action, resource));
    }
    // Nothing was done.
    expect((await root().iam.send(new GetGroupCommand({ GroupName: group }))).Users).toEqual([]);
  });

  it("inline and managed policies allow, the user's own and its groups'", async () => {
    const { iam } = root();
    const probe = async (creds: Credentials, name: string) => {
      const own = iamOf(creds);
      expect((await own.send(new ListGroupsCommand({ MaxItems: 1 }))).$metadata.httpStatusCode).toBe(200);
      expect(await sdkError(own.send(new ListUsersCommand({})))).toEqual(implicitDeny(userArnOf(name), "iam:ListUsers", `arn:aws:iam::${ACCOUNT}:user/`));
    };
    const listGroups = policy(allow("iam:ListGroups"));

    const inlineUser = uniqueName("allowed-inline");
    const c1 = await newUserWithKey(inlineUser);
    await iam.send(new PutUserPolicyCommand({ UserName: inlineUser, PolicyName: "list-groups", PolicyDocument: listGroups }));
    await probe(c1, inlineUser);

    const managedUser = uniqueName("allowed-managed");
    const c2 = await newUserWithKey(managedUser);
    await iam.send(new AttachUserPolicyCommand({ UserName: managedUser, PolicyArn: await managedPolicy(uniqueName("list-groups"), listGroups) }));
    await probe(c2, managedUser);

    const groupInlineUser = uniqueName("allowed-group-inline");
    const c3 = await newUserWithKey(groupInlineUser);
    const g1 = uniqueName("group-inline");
    await iam.send(new CreateGroupCommand({ GroupName: g1 }));
    await iam.send(new PutGroupPolicyCommand({ GroupName: g1, PolicyName: "list-groups", PolicyDocument: listGroups }));
    await iam.send(new AddUserToGroupCommand({ GroupName: g1, UserName: groupInlineUser }));
    await probe(c3, groupInlineUser);

    // An AWS managed policy attached to a group: IAMReadOnlyAccess reads, but does not write.
    const groupManagedUser = uniqueName("allowed-group-managed");
    const c4 = await newUserWithKey(groupManagedUser);
    const g2 = uniqueName("group-managed");
    await iam.send(new CreateGroupCommand({ GroupName: g2 }));
    await iam.send(new AttachGroupPolicyCommand({ GroupName: g2, PolicyArn: AWS_POLICY("IAMReadOnlyAccess") }));
    await iam.send(new AddUserToGroupCommand({ GroupName: g2, UserName: groupManagedUser }));
    const reader = iamOf(c4);
    expect((await reader.send(new GetGroupCommand({ GroupName: g2 }))).Users!.map((u) => u.UserName)).toEqual([groupManagedUser]);
    expect((await reader.send(new ListUsersCommand({ MaxItems: 1 }))).$metadata.httpStatusCode).toBe(200);
    expect(await sdkError(reader.send(new CreateGroupCommand({ GroupName: "nope" })))).toEqual(
      implicitDeny(userArnOf(groupManagedUser), "iam:CreateGroup", `arn:aws:iam::${ACCOUNT}:group/nope`),
    );
  });

  it("an explicit Deny in a managed policy wins over any Allow and names the policy's ARN", async () => {
    const { iam } = root();
    const name = uniqueName("denied");
    const creds = await newUserWithKey(name);
    const denyName = uniqueName("DenyGroupChanges");
    const denyArn = await managedPolicy(denyName, policy(deny(["iam:CreateGroup", "iam:GetGroup"])));
    await iam.send(new AttachUserPolicyCommand({ UserName: name, PolicyArn: AWS_POLICY("AdministratorAccess") }));
    const group = uniqueName("deny-target");
    await iam.send(new CreateGroupCommand({ GroupName: group }));
    const own = iamOf(creds);
    expect((await own.send(new GetGroupCommand({ GroupName: group }))).Group!.GroupName).toBe(group);

    await iam.send(new AttachUserPolicyCommand({ UserName: name, PolicyArn: denyArn }));
    expect(await sdkError(own.send(new GetGroupCommand({ GroupName: group })))).toEqual(
      explicitDeny(userArnOf(name), "iam:GetGroup", `group ${group}`, denyArn),
    );
    expect(await sdkError(own.send(new CreateGroupCommand({ GroupName: "blocked" })))).toEqual(
      explicitDeny(userArnOf(name), "iam:CreateGroup", `arn:aws:iam::${ACCOUNT}:group/blocked`, denyArn),
    );
    expect((await own.send(new ListGroupsCommand({ MaxItems: 1 }))).$metadata.httpStatusCode).toBe(200);
    // The root user is never denied by policies (spec §2.1).
    expect((await iam.send(new GetGroupCommand({ GroupName: group }))).Group!.GroupName).toBe(group);
  });

  it("a policy change applies at once: to the user's next request and to an existing MFA session", async () => {
    freezeAtStepStart(server);
    try {
      const { iam } = root();
      const name = uniqueName("live");
      const creds = await newUserWithKey(name);
      const device = await enabledVirtualDevice(server, iam, name);
      const { Credentials: c } = await sdkClients(server.url, creds).sts.send(
        new GetSessionTokenCommand({ SerialNumber: device.serialNumber, TokenCode: codeAt(device.seed, serverStep(server) + 1), DurationSeconds: 900 }),
      );
      const session = iamOf({ accessKeyId: c!.AccessKeyId!, secretAccessKey: c!.SecretAccessKey!, sessionToken: c!.SessionToken! });
      const longTerm = iamOf(creds);
      const denied = implicitDeny(userArnOf(name), "iam:ListUsers", `arn:aws:iam::${ACCOUNT}:user/`);
      const expectBoth = async (allowed: boolean) => {
        for (const client of [longTerm, session]) {
          if (allowed) expect((await client.send(new ListUsersCommand({ MaxItems: 1 }))).$metadata.httpStatusCode).toBe(200);
          else expect(await sdkError(client.send(new ListUsersCommand({ MaxItems: 1 })))).toEqual(denied);
        }
      };
      await expectBoth(false);

      await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: "list-users", PolicyDocument: policy(allow("iam:ListUsers")) }));
      await expectBoth(true);
      await iam.send(new DeleteUserPolicyCommand({ UserName: name, PolicyName: "list-users" }));
      await expectBoth(false);

      const group = uniqueName("live-group");
      await iam.send(new CreateGroupCommand({ GroupName: group }));
      await iam.send(new AttachGroupPolicyCommand({ GroupName: group, PolicyArn: AWS_POLICY("IAMReadOnlyAccess") }));
      await iam.send(new AddUserToGroupCommand({ GroupName: group, UserName: name }));
      await expectBoth(true);
      await iam.send(new RemoveUserFromGroupCommand({ GroupName: group, UserName: name }));
      await expectBoth(false);

      // A new default version changes what an attached policy grants.
      const arn = await managedPolicy(uniqueName("live-versions"), policy(allow("iam:ListGroups")));
      await iam.send(new AttachUserPolicyCommand({ UserName: name, PolicyArn: arn }));
      await expectBoth(false);
      await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: policy(allow("iam:ListUsers")), SetAsDefault: true }));
      await expectBoth(true);
      await iam.send(new SetDefaultPolicyVersionCommand({ PolicyArn: arn, VersionId: "v1" }));
      await expectBoth(false);
      await iam.send(new SetDefaultPolicyVersionCommand({ PolicyArn: arn, VersionId: "v2" }));
      await expectBoth(true);
      await iam.send(new DetachUserPolicyCommand({ UserName: name, PolicyArn: arn }));
      await expectBoth(false);
    } finally {
      server.clock.fixedMs = undefined;
    }
  });

  it("a session without MFA gets InvalidClientTokenId on IAM, whatever its policies allow", async () => {
    const name = uniqueName("no-mfa-session");
    const creds = await newUserWithKey(name);
    await root().iam.send(new AttachUserPolicyCommand({ UserName: name, PolicyArn: AWS_POLICY("AdministratorAccess") }));
    expect((await iamOf(creds).send(new ListUsersCommand({ MaxItems: 1 }))).$metadata.httpStatusCode).toBe(200);
    const { Credentials: c } = await sdkClients(server.url, creds).sts.send(new GetSessionTokenCommand({ DurationSeconds: 900 }));
    const session = iamOf({ accessKeyId: c!.AccessKeyId!, secretAccessKey: c!.SecretAccessKey!, sessionToken: c!.SessionToken! });
    expect(await sdkError(session.send(new ListUsersCommand({})))).toEqual({
      status: 403,
      code: "InvalidClientTokenId",
      message: "The security token included in the request is invalid",
    });
  });

  it("${aws:username} scopes a statement to the caller itself", async () => {
    const { iam } = root();
    const alice = uniqueName("alice");
    const bob = uniqueName("bob");
    const aliceCreds = await newUserWithKey(alice);
    const bobCreds = await newUserWithKey(bob);
    const group = uniqueName("self-service");
    await iam.send(new CreateGroupCommand({ GroupName: group }));
    const arn = await managedPolicy(uniqueName("self"), policy(allow(["iam:GetUser", "iam:ListGroupsForUser"], "arn:aws:iam::*:user/${aws:username}")));
    await iam.send(new AttachGroupPolicyCommand({ GroupName: group, PolicyArn: arn }));
    await iam.send(new AddUserToGroupCommand({ GroupName: group, UserName: alice }));
    await iam.send(new AddUserToGroupCommand({ GroupName: group, UserName: bob }));

    const a = iamOf(aliceCreds);
    expect((await a.send(new GetUserCommand({}))).User!.UserName).toBe(alice);
    expect((await a.send(new GetUserCommand({ UserName: alice }))).User!.UserName).toBe(alice);
    expect((await a.send(new ListGroupsForUserCommand({ UserName: alice }))).Groups!.map((g) => g.GroupName)).toEqual([group]);
    expect(await sdkError(a.send(new GetUserCommand({ UserName: bob })))).toEqual(implicitDeny(userArnOf(alice), "iam:GetUser", `user ${bob}`));
    expect(await sdkError(a.send(new ListGroupsForUserCommand({ UserName: bob })))).toEqual(
      implicitDeny(userArnOf(alice), "iam:ListGroupsForUser", `user ${bob}`),
    );
    expect((await iamOf(bobCreds).send(new GetUserCommand({}))).User!.UserName).toBe(bob);
  });

  it("iam:PolicyARN limits which policies AttachUserPolicy may attach", async () => {
    const { iam } = root();
    const delegate = uniqueName("delegate");
    const target = uniqueName("target");
    const creds = await newUserWithKey(delegate);
    await iam.send(new CreateUserCommand({ UserName: target }));
    await iam.send(
      new PutUserPolicyCommand({
        UserName: delegate,
        PolicyName: "attach-read-only",
        PolicyDocument: policy(
          allow("iam:AttachUserPolicy", "*", { Condition: { ArnEquals: { "iam:PolicyARN": "arn:aws:iam::aws:policy/IAMReadOnlyAccess" } } }),
        ),
      }),
    );
    const own = iamOf(creds);
    await own.send(new AttachUserPolicyCommand({ UserName: target, PolicyArn: AWS_POLICY("IAMReadOnlyAccess") }));
    expect(await sdkError(own.send(new AttachUserPolicyCommand({ UserName: target, PolicyArn: AWS_POLICY("AdministratorAccess") })))).toEqual(
      implicitDeny(userArnOf(delegate), "iam:AttachUserPolicy", `user ${target}`),
    );
    expect((await iam.send(new ListAttachedUserPoliciesCommand({ UserName: target }))).AttachedPolicies).toEqual([
      { PolicyName: "IAMReadOnlyAccess", PolicyArn: AWS_POLICY("IAMReadOnlyAccess") },
    ]);
  });

  it("NotAction and NotResource statements", async () => {
    const { iam } = root();
    const builder = uniqueName("builder");
    const builderCreds = await newUserWithKey(builder);
    await iam.send(
      new PutUserPolicyCommand({
        UserName: builder,
        PolicyName: "no-deleting",
        PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", NotAction: ["iam:Delete*", "iam:Remove*"], Resource: "*" }] }),
      }),
    );
    const b = iamOf(builderCreds);
    const group = uniqueName("built");
    await b.send(new CreateGroupCommand({ GroupName: group }));
    expect(await sdkError(b.send(new DeleteGroupCommand({ GroupName: group })))).toEqual(implicitDeny(userArnOf(builder), "iam:DeleteGroup", `group ${group}`));
    expect((await b.send(new ListUsersCommand({ MaxItems: 1 }))).$metadata.httpStatusCode).toBe(200);

    // Allow everything, then deny everything that is not the caller itself (a managed Deny + NotResource).
    const selfOnly = uniqueName("self-only");
    const other = uniqueName("not-me");
    const selfCreds = await newUserWithKey(selfOnly);
    await iam.send(new CreateUserCommand({ UserName: other }));
    const denyArn = await managedPolicy(
      uniqueName("OnlyMyself"),
      JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Deny", Action: "iam:*", NotResource: "arn:aws:iam::*:user/${aws:username}" }] }),
    );
    await iam.send(new AttachUserPolicyCommand({ UserName: selfOnly, PolicyArn: AWS_POLICY("IAMReadOnlyAccess") }));
    await iam.send(new AttachUserPolicyCommand({ UserName: selfOnly, PolicyArn: denyArn }));
    const s = iamOf(selfCreds);
    expect((await s.send(new GetUserCommand({}))).User!.UserName).toBe(selfOnly);
    expect(await sdkError(s.send(new GetUserCommand({ UserName: other })))).toEqual(explicitDeny(userArnOf(selfOnly), "iam:GetUser", `user ${other}`, denyArn));
    expect(await sdkError(s.send(new ListUsersCommand({})))).toEqual(
      explicitDeny(userArnOf(selfOnly), "iam:ListUsers", `arn:aws:iam::${ACCOUNT}:user/`, denyArn),
    );

    // Allow on every user but one (an inline Allow + NotResource).
    const reader = uniqueName("reader");
    const protectedUser = uniqueName("protected");
    const readerCreds = await newUserWithKey(reader);
    await iam.send(new CreateUserCommand({ UserName: protectedUser }));
    await iam.send(
      new PutUserPolicyCommand({
        UserName: reader,
        PolicyName: "all-but-one",
        PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "iam:GetUser", NotResource: userArnOf(protectedUser) }] }),
      }),
    );
    const r = iamOf(readerCreds);
    expect((await r.send(new GetUserCommand({ UserName: other }))).User!.UserName).toBe(other);
    expect(await sdkError(r.send(new GetUserCommand({ UserName: protectedUser })))).toEqual(
      implicitDeny(userArnOf(reader), "iam:GetUser", `user ${protectedUser}`),
    );
  });
});

/**
 * aws/aws-cli awscli/examples/iam/simulate-custom-policy.rst, examples 1 and 2 (copied from
 * ../shared/vectors/iam-policies/aws-cli-examples/simulate-policy.cases.json).
 */
const CLI_EXAMPLE_POLICY =
  '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}';
const currentTime = (value: string) => [{ ContextKeyName: "aws:CurrentTime", ContextKeyValues: [value], ContextKeyType: "date" as const }];

/** The LocalStack AWS-validated case test_simulate_principle_policy[user|group] (2025-04-21), as its test sends the document. */
const RECORDED_SIMULATION_POLICY = '{"Version": "2012-10-17", "Statement": {"Sid": "", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}}';

describe("policy simulator", () => {
  it("SimulateCustomPolicy: the aws CLI example's decisions and statement positions", async () => {
    const { iam } = root();
    const allowed = await iam.send(
      new SimulateCustomPolicyCommand({
        PolicyInputList: [CLI_EXAMPLE_POLICY],
        ActionNames: ["dynamodb:CreateBackup"],
        ContextEntries: currentTime("2019-04-25T11:00:00Z"),
      }),
    );
    expect(allowed.EvaluationResults).toHaveLength(1);
    expect(allowed.EvaluationResults![0]).toMatchObject({
      EvalActionName: "dynamodb:CreateBackup",
      EvalResourceName: "*",
      EvalDecision: "allowed",
      MatchedStatements: [
        expect.objectContaining({ SourcePolicyId: "PolicyInputList.1", StartPosition: { Line: 1, Column: 38 }, EndPosition: { Line: 1, Column: 167 } }),
      ],
      MissingContextValues: [],
    });
    expect(allowed.EvaluationResults![0]!.MatchedStatements).toHaveLength(1);
    expect(allowed.IsTruncated).toBe(false);

    const denied = await iam.send(
      new SimulateCustomPolicyCommand({
        PolicyInputList: [CLI_EXAMPLE_POLICY],
        ActionNames: ["dynamodb:CreateBackup"],
        ContextEntries: currentTime("2014-04-25T11:00:00Z"),
      }),
    );
    expect(denied.EvaluationResults).toEqual([
      expect.objectContaining({
        EvalActionName: "dynamodb:CreateBackup",
        EvalResourceName: "*",
        EvalDecision: "implicitDeny",
        MatchedStatements: [],
        MissingContextValues: [],
      }),
    ]);
  });

  it("SimulateCustomPolicy: an explicit deny shows only the Deny statement; one result per action", async () => {
    const { iam } = root();
    const allowAll = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"}]}';
    const denyDelete = '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:DeleteUser","Resource":"*"}]}';
    const result = await iam.send(
      new SimulateCustomPolicyCommand({ PolicyInputList: [allowAll, denyDelete], ActionNames: ["iam:GetUser", "iam:DeleteUser", "s3:ListBucket"] }),
    );
    expect(result.EvaluationResults!.map((r) => [r.EvalActionName, r.EvalDecision, r.MatchedStatements!.map((m) => m.SourcePolicyId)])).toEqual([
      ["iam:GetUser", "allowed", ["PolicyInputList.1"]],
      ["iam:DeleteUser", "explicitDeny", ["PolicyInputList.2"]],
      ["s3:ListBucket", "implicitDeny", []],
    ]);
    // The Deny statement's braces are at offsets 37 and 94 of its one-line document: columns offset + 2 (spec §7.4).
    expect(result.EvaluationResults![1]!.MatchedStatements![0]).toMatchObject({ StartPosition: { Line: 1, Column: 39 }, EndPosition: { Line: 1, Column: 96 } });
  });

  it.each(["user", "group"] as const)("SimulatePrincipalPolicy on a %s with an attached policy and ResourceArns, as recorded against AWS", async (kind) => {
    const { iam } = root();
    const arn = await managedPolicy(uniqueName("simulated"), RECORDED_SIMULATION_POLICY);
    const name = uniqueName(`simulated-${kind}`);
    let source: string;
    if (kind === "user") {
      source = (await iam.send(new CreateUserCommand({ UserName: name }))).User!.Arn!;
      await iam.send(new AttachUserPolicyCommand({ UserName: name, PolicyArn: arn }));
    } else {
      source = (await iam.send(new CreateGroupCommand({ GroupName: name }))).Group!.Arn!;
      await iam.send(new AttachGroupPolicyCommand({ GroupName: name, PolicyArn: arn }));
    }
    const response = await iam.send(
      new SimulatePrincipalPolicyCommand({ PolicySourceArn: source, ActionNames: ["s3:PutObject", "s3:GetObjectVersion"], ResourceArns: ["arn:aws:s3:::bucket"] }),
    );
    const statement = {
      SourcePolicyId: expect.any(String),
      SourcePolicyType: "IAM Policy",
      StartPosition: { Line: 1, Column: 41 },
      EndPosition: { Line: 1, Column: 113 },
    };
    expect(response.EvaluationResults).toEqual([
      {
        EvalActionName: "s3:PutObject",
        EvalResourceName: "arn:aws:s3:::bucket",
        EvalDecision: "allowed",
        MatchedStatements: [statement],
        MissingContextValues: [],
        OrganizationsDecisionDetail: { AllowedByOrganizations: true },
        EvalDecisionDetails: {},
        ResourceSpecificResults: [
          { EvalResourceName: "arn:aws:s3:::bucket", EvalResourceDecision: "allowed", MatchedStatements: [statement], MissingContextValues: [] },
        ],
      },
      {
        EvalActionName: "s3:GetObjectVersion",
        EvalResourceName: "arn:aws:s3:::bucket",
        EvalDecision: "implicitDeny",
        MatchedStatements: [],
        MissingContextValues: [],
        OrganizationsDecisionDetail: { AllowedByOrganizations: true },
        EvalDecisionDetails: {},
        ResourceSpecificResults: [
          { EvalResourceName: "arn:aws:s3:::bucket", EvalResourceDecision: "implicitDeny", MatchedStatements: [], MissingContextValues: [] },
        ],
      },
    ]);
    expect(response.IsTruncated).toBe(false);
  });

  it("SimulatePrincipalPolicy: a user's group policy that needs MFA, with aws:MultiFactorAuthPresent true, false and absent", async () => {
    const { iam } = root();
    const user = uniqueName("would-be");
    const group = uniqueName("needs-mfa");
    const { User } = await iam.send(new CreateUserCommand({ UserName: user }));
    await iam.send(new CreateGroupCommand({ GroupName: group }));
    await iam.send(new AddUserToGroupCommand({ GroupName: group, UserName: user }));
    await iam.send(
      new PutGroupPolicyCommand({
        GroupName: group,
        PolicyName: "ListUsersWithMfa",
        PolicyDocument: policy(allow("iam:ListUsers", "*", { Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } } })),
      }),
    );
    const simulate = async (value?: "true" | "false") =>
      (
        await iam.send(
          new SimulatePrincipalPolicyCommand({
            PolicySourceArn: User!.Arn!,
            ActionNames: ["iam:ListUsers"],
            ContextEntries:
              value === undefined ? undefined : [{ ContextKeyName: "aws:MultiFactorAuthPresent", ContextKeyValues: [value], ContextKeyType: "boolean" }],
          }),
        )
      ).EvaluationResults!;

    const withMfa = await simulate("true");
    expect(withMfa).toEqual([
      expect.objectContaining({
        EvalActionName: "iam:ListUsers",
        EvalResourceName: "*",
        EvalDecision: "allowed",
        MatchedStatements: [expect.objectContaining({ SourcePolicyId: "ListUsersWithMfa" })],
        MissingContextValues: [],
      }),
    ]);
    expect(withMfa[0]!.ResourceSpecificResults).toBeUndefined();
    expect(await simulate("false")).toEqual([
      expect.objectContaining({ EvalDecision: "implicitDeny", MatchedStatements: [], MissingContextValues: [] }),
    ]);
    expect(await simulate()).toEqual([
      expect.objectContaining({ EvalDecision: "implicitDeny", MatchedStatements: [], MissingContextValues: ["aws:MultiFactorAuthPresent"] }),
    ]);
  });
});

describe("authorization edge cases", () => {
  it("UpdateUser needs permission on the new name and path too: no renaming out of a Deny or into another's grants", async () => {
    const name = uniqueName("mover");
    const creds = await newUserWithKey(name);
    await root().iam.send(
      new PutUserPolicyCommand({ UserName: name, PolicyName: "self", PolicyDocument: policy(allow("iam:UpdateUser", "arn:aws:iam::*:user/${aws:username}")) }),
    );
    expect(await sdkError(iamOf(creds).send(new UpdateUserCommand({ UserName: name, NewUserName: "admin" })))).toEqual(
      implicitDeny(userArnOf(name), "iam:UpdateUser", "user admin"),
    );
    expect(await sdkError(iamOf(creds).send(new UpdateUserCommand({ UserName: name, NewPath: "/admins/" })))).toEqual(
      implicitDeny(userArnOf(name), "iam:UpdateUser", `user ${name}`),
    );
    expect((await root().iam.send(new GetUserCommand({ UserName: name }))).User).toMatchObject({ UserName: name, Path: "/" });
  });

  it("CreatePolicy's tags are condition keys: aws:TagKeys and aws:RequestTag/KEY", async () => {
    const name = uniqueName("tagger");
    const creds = await newUserWithKey(name);
    const document = policy(
      allow("iam:CreatePolicy"),
      deny("iam:CreatePolicy", "*", { Condition: { "ForAnyValue:StringEquals": { "aws:TagKeys": ["secret"] } } }),
      deny("iam:CreatePolicy", "*", { Condition: { StringEquals: { "aws:RequestTag/team": "red" } } }),
    );
    await root().iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: "tags", PolicyDocument: document }));
    const create = (policyName: string, tags: { Key: string; Value: string }[]) =>
      iamOf(creds).send(new CreatePolicyCommand({ PolicyName: policyName, PolicyDocument: policy(allow("s3:GetObject")), Tags: tags }));
    const blocked = (policyName: string) => ({
      status: 403,
      code: "AccessDenied",
      message: `User: ${userArnOf(name)} is not authorized to perform: iam:CreatePolicy on resource: policy ${policyName} with an explicit deny in an identity-based policy`,
    });
    const a = uniqueName("p");
    expect(await sdkError(create(a, [{ Key: "secret", Value: "x" }]))).toEqual(blocked(a));
    const b = uniqueName("p");
    expect(await sdkError(create(b, [{ Key: "team", Value: "red" }]))).toEqual(blocked(b));
    const c = uniqueName("p");
    expect((await create(c, [{ Key: "team", Value: "blue" }])).Policy!.PolicyName).toBe(c);
  });

  it("SimulatePrincipalPolicy authorizes on the entity's own ARN: another path or spelling is not that user", async () => {
    const name = uniqueName("simmed");
    await root().iam.send(new CreateUserCommand({ UserName: name, Path: "/secret/" }));
    const askerUser = uniqueName("asker");
    const asker = await newUserWithKey(askerUser);
    const scoped = policy(allow("iam:SimulatePrincipalPolicy", "arn:aws:iam::*:user/public/*"));
    await root().iam.send(new PutUserPolicyCommand({ UserName: askerUser, PolicyName: "sim", PolicyDocument: scoped }));
    // The ARN typed names /public/, but the user lives under /secret/: refused on the real ARN.
    expect(
      await sdkError(iamOf(asker).send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: userArnOf(name, "/public/"), ActionNames: ["s3:GetObject"] }))),
    ).toEqual({
      status: 403,
      code: "AccessDenied",
      message: `User: ${userArnOf(askerUser)} is not authorized to perform: iam:SimulatePrincipalPolicy on resource: ${userArnOf(name, "/secret/")} because no identity-based policy allows the iam:SimulatePrincipalPolicy action`,
    });
    // Root may simulate, but only the user's real ARN names the user.
    expect(
      await sdkError(root().iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: userArnOf(name, "/public/"), ActionNames: ["s3:GetObject"] }))),
    ).toEqual({ status: 404, code: "NoSuchEntity", message: `The user with name ${name} cannot be found.` });
    const ok = await root().iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: userArnOf(name, "/secret/"), ActionNames: ["s3:GetObject"] }));
    expect(ok.EvaluationResults!.map((r) => r.EvalDecision)).toEqual(["implicitDeny"]);
  });

  it("the simulator pages action × resource results, evaluating only the page asked for", async () => {
    const { iam } = root();
    const input = {
      PolicyInputList: [policy(allow("s3:GetObject", "arn:aws:s3:::b/*"))],
      ActionNames: ["s3:GetObject", "s3:PutObject", "s3:GetObjectAcl"],
      ResourceArns: ["arn:aws:s3:::b/k", "arn:aws:s3:::c/k"],
      // A context entry without values supplies nothing.
      ContextEntries: [{ ContextKeyName: "aws:SourceIp", ContextKeyType: "ip" as const, ContextKeyValues: [] }],
    };
    const first = await iam.send(new SimulateCustomPolicyCommand({ ...input, MaxItems: 4 }));
    expect(first.IsTruncated).toBe(true);
    const second = await iam.send(new SimulateCustomPolicyCommand({ ...input, MaxItems: 4, Marker: first.Marker }));
    expect(second.IsTruncated).toBe(false);
    const all = [...first.EvaluationResults!, ...second.EvaluationResults!].map((r) => [r.EvalActionName, r.EvalResourceName, r.EvalDecision]);
    expect(all).toEqual([
      ["s3:GetObject", "arn:aws:s3:::b/k", "allowed"],
      ["s3:GetObject", "arn:aws:s3:::c/k", "implicitDeny"],
      ["s3:PutObject", "arn:aws:s3:::b/k", "implicitDeny"],
      ["s3:PutObject", "arn:aws:s3:::c/k", "implicitDeny"],
      ["s3:GetObjectAcl", "arn:aws:s3:::b/k", "implicitDeny"],
      ["s3:GetObjectAcl", "arn:aws:s3:::c/k", "implicitDeny"],
    ]);
    expect(await sdkError(iam.send(new SimulateCustomPolicyCommand({ ...input, Marker: "bm90IGEgbWFya2Vy" })))).toEqual({
      status: 400,
      code: "ValidationError",
      message: "Invalid Marker.",
    });
  });
});
