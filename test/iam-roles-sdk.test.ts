/**
 * IAM roles (issue 14 item 1) through @aws-sdk/client-iam: CreateRole, GetRole, ListRoles,
 * UpdateRole, UpdateRoleDescription, UpdateAssumeRolePolicy, DeleteRole, the role's inline and
 * attached policies, its tags — each call's members as AWS was recorded returning them, and each
 * error's code, HTTP status and exact text (reference/assume-role-spec.md §7, iam-policy-spec.md
 * §6 for denials). Texts the spec marks UNCONFIRMED are said so where they are asserted. The JS
 * SDK hands policy documents back as IAM sends them: URL-encoded (RFC 3986).
 */
import {
  AttachRolePolicyCommand,
  CreateAccessKeyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DeletePolicyCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  GetPolicyCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListEntitiesForPolicyCommand,
  ListRolePoliciesCommand,
  ListRolesCommand,
  ListRoleTagsCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  SimulatePrincipalPolicyCommand,
  TagRoleCommand,
  UntagRoleCommand,
  UpdateAssumeRolePolicyCommand,
  UpdateRoleCommand,
  UpdateRoleDescriptionCommand,
  type IAMClient,
  type Tag,
} from "@aws-sdk/client-iam";
import { AssumeRoleCommand } from "@aws-sdk/client-sts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sdkClients, sdkError } from "./helpers/clients.js";
import { startTestServer, type Credentials, type TestServer } from "./helpers/server.js";
import { signedFetch } from "./helpers/signed-fetch.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server?.close());

const ACCOUNT = "123456789012";
const iamOf = (creds: Credentials): IAMClient => sdkClients(server.url, creds).iam;
const root = (): IAMClient => iamOf(server.root);

let names = 0;
const uniqueName = (base: string): string => `${base}-${++names}`;

const roleArnOf = (name: string, path = "/"): string => `arn:aws:iam::${ACCOUNT}:role${path}${name}`;
const userArnOf = (name: string, path = "/"): string => `arn:aws:iam::${ACCOUNT}:user${path}${name}`;
const policyArnOf = (name: string): string => `arn:aws:iam::${ACCOUNT}:policy/${name}`;
const AWS_POLICY = (name: string): string => `arn:aws:iam::aws:policy/${name}`;

/** RFC 3986 percent-encoding, as IAM encodes policy documents: `*`, `/`, `:` too. */
const rfc3986 = (text: string): string => encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** A trust policy letting `principal` ({"AWS": …}, {"Service": …}) assume the role, as compact JSON. */
const trust = (principal: object, extra: object = {}): string =>
  JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: principal, Action: "sts:AssumeRole", ...extra }] });
const ACCOUNT_TRUST = trust({ AWS: ACCOUNT });
const policy = (...statements: object[]): string => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const allow = (action: string | string[], resource: string | string[] = "*", extra: object = {}) => ({ Effect: "Allow", Action: action, Resource: resource, ...extra });
const deny = (action: string | string[], resource: string | string[] = "*") => ({ Effect: "Deny", Action: action, Resource: resource });

async function createRole(name: string, extra: { Path?: string; Document?: string; Description?: string; MaxSessionDuration?: number; Tags?: Tag[] } = {}) {
  const { Document, ...rest } = extra;
  return (await root().send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: Document ?? ACCOUNT_TRUST, ...rest }))).Role!;
}

async function newUserWithKey(name: string, path?: string): Promise<Credentials> {
  await root().send(new CreateUserCommand({ UserName: name, Path: path }));
  const { AccessKey } = await root().send(new CreateAccessKeyCommand({ UserName: name }));
  return { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
}

const noSuchRole = (name: string) => ({ status: 404, code: "NoSuchEntity", message: `The role with name ${name} cannot be found.` });
const malformed = (message: string) => ({ status: 400, code: "MalformedPolicyDocument", message });
const validation = (message: string) => ({ status: 400, code: "ValidationError", message: `1 validation error detected: ${message}` });
const deleteConflict = (message: string) => ({ status: 409, code: "DeleteConflict", message });
const implicitDeny = (callerArn: string, action: string, resource: string) => ({
  status: 403,
  code: "AccessDenied",
  message: `User: ${callerArn} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`,
});

const ROLE_ID = expect.stringMatching(/^AROA[A-Z2-7]{17}$/);

describe("CreateRole, GetRole, ListRoles: the members each call returns (spec §7.1)", () => {
  it("CreateRole: no MaxSessionDuration, no RoleLastUsed; the trust policy URL-encoded as sent", async () => {
    const name = uniqueName("creator");
    // White space and key order are kept: the document comes back as it was sent.
    const document = JSON.stringify({ Statement: [{ Action: "sts:AssumeRole", Principal: { Service: "ec2.amazonaws.com" }, Effect: "Allow" }], Version: "2012-10-17" }, null, 2);
    const out = await root().send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: document }));
    expect(out.Role).toEqual({
      Path: "/",
      RoleName: name,
      RoleId: ROLE_ID,
      Arn: roleArnOf(name),
      CreateDate: expect.any(Date),
      AssumeRolePolicyDocument: rfc3986(document),
    });
    expect(out.Role!.AssumeRolePolicyDocument).toContain("%7B%0A%20%20%22Statement%22%3A%20%5B");
  });

  it("CreateRole with Path, Description, MaxSessionDuration and Tags; GetRole adds MaxSessionDuration and an empty RoleLastUsed", async () => {
    const name = uniqueName("described");
    const tags = [{ Key: "team", Value: "blue" }, { Key: "cost-center", Value: "" }];
    const created = await createRole(name, { Path: "/ops/team/", Description: "runs the jobs", MaxSessionDuration: 7200, Tags: tags });
    expect(created).toEqual({
      Path: "/ops/team/",
      RoleName: name,
      RoleId: ROLE_ID,
      Arn: roleArnOf(name, "/ops/team/"),
      CreateDate: expect.any(Date),
      AssumeRolePolicyDocument: rfc3986(ACCOUNT_TRUST),
      Description: "runs the jobs",
      Tags: tags,
    });
    const got = await root().send(new GetRoleCommand({ RoleName: name.toUpperCase() }));
    expect(got.Role).toEqual({ ...created, MaxSessionDuration: 7200, RoleLastUsed: {} });

    const plain = uniqueName("plain");
    const bare = await createRole(plain);
    expect((await root().send(new GetRoleCommand({ RoleName: plain }))).Role).toEqual({ ...bare, MaxSessionDuration: 3600, RoleLastUsed: {} });
  });

  it("GetRole's bytes: the model's member order, the trust policy URL-encoded (the IAM API example's), an empty <RoleLastUsed/>", async () => {
    const name = uniqueName("raw");
    // The trust policy of IAM's own ListRoles example (spec §7.2), with its encoded form.
    const document = '{"Version":"2008-10-17","Statement":[{"Sid":"","Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}';
    const role = await createRole(name, { Document: document });
    const res = await signedFetch(server.url, server.root, {
      service: "iam",
      body: `Action=GetRole&Version=2010-05-08&RoleName=${name}`,
    });
    expect(res.status).toBe(200);
    const requestId = res.headers.get("x-amzn-requestid");
    expect(res.body).toBe(
      `<GetRoleResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">\n` +
        `  <GetRoleResult>\n` +
        `    <Role>\n` +
        `      <Path>/</Path>\n` +
        `      <RoleName>${name}</RoleName>\n` +
        `      <RoleId>${role.RoleId}</RoleId>\n` +
        `      <Arn>${roleArnOf(name)}</Arn>\n` +
        `      <CreateDate>${role.CreateDate!.toISOString().replace(".000Z", "Z")}</CreateDate>\n` +
        `      <AssumeRolePolicyDocument>%7B%22Version%22%3A%222008-10-17%22%2C%22Statement%22%3A%5B%7B%22Sid%22%3A%22%22%2C%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Service%22%3A%22ec2.amazonaws.com%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D</AssumeRolePolicyDocument>\n` +
        `      <MaxSessionDuration>3600</MaxSessionDuration>\n` +
        `      <RoleLastUsed/>\n` +
        `    </Role>\n` +
        `  </GetRoleResult>\n` +
        `  <ResponseMetadata>\n` +
        `    <RequestId>${requestId}</RequestId>\n` +
        `  </ResponseMetadata>\n` +
        `</GetRoleResponse>\n`,
    );
  });

  it("ListRoles: MaxSessionDuration but no Tags or RoleLastUsed; PathPrefix; pages with Marker and MaxItems", async () => {
    const names = ["lr-a", "LR-b", "lr-c", "lr-d", "lr-e"];
    const made = [];
    for (const n of names) made.push(await createRole(n, { Path: "/listing/", Tags: [{ Key: "k", Value: "v" }], MaxSessionDuration: 3700 }));
    const seen: object[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const page = await root().send(new ListRolesCommand({ PathPrefix: "/listing/", MaxItems: 2, Marker: marker }));
      seen.push(...page.Roles!);
      expect(page.IsTruncated).toBe(page.Marker !== undefined);
      marker = page.IsTruncated ? page.Marker : undefined;
      pages++;
    } while (marker);
    expect(pages).toBe(3);
    expect(seen).toEqual(made.map(({ Tags: _tags, ...role }) => ({ ...role, MaxSessionDuration: 3700 })));
    expect((await root().send(new ListRolesCommand({ PathPrefix: "/listing/nothing/" }))).Roles).toEqual([]);
    const all = await root().send(new ListRolesCommand({}));
    expect(all.Roles!.map((r) => r.RoleName)).toEqual(expect.arrayContaining(names));
    expect(await sdkError(root().send(new ListRolesCommand({ Marker: "bm90IGEgbWFya2Vy" })))).toEqual({ status: 400, code: "ValidationError", message: "Invalid Marker." });
  });
});

describe("CreateRole errors (spec §7.3)", () => {
  it("a name taken (in any case), names and members out of the model's bounds", async () => {
    const name = uniqueName("taken");
    await createRole(name);
    expect(await sdkError(root().send(new CreateRoleCommand({ RoleName: name.toUpperCase(), AssumeRolePolicyDocument: ACCOUNT_TRUST })))).toEqual({
      status: 409,
      code: "EntityAlreadyExists",
      message: `Role with name ${name.toUpperCase()} already exists.`,
    });
    const long = "r".repeat(65);
    expect(await sdkError(root().send(new CreateRoleCommand({ RoleName: long, AssumeRolePolicyDocument: ACCOUNT_TRUST })))).toEqual(
      validation(`Value '${long}' at 'roleName' failed to satisfy constraint: Member must have length less than or equal to 64`),
    );
    // UNCONFIRMED wording for MaxSessionDuration (spec §7.3): Coral's integer pattern.
    expect(await sdkError(root().send(new CreateRoleCommand({ RoleName: uniqueName("long"), AssumeRolePolicyDocument: ACCOUNT_TRUST, MaxSessionDuration: 43201 })))).toEqual(
      validation("Value '43201' at 'maxSessionDuration' failed to satisfy constraint: Member must have value less than or equal to 43200"),
    );
    expect(await sdkError(root().send(new CreateRoleCommand({ RoleName: uniqueName("short"), AssumeRolePolicyDocument: ACCOUNT_TRUST, MaxSessionDuration: 3599 })))).toEqual(
      validation("Value '3599' at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600"),
    );
    expect(await sdkError(root().send(new CreateRoleCommand({ RoleName: uniqueName("pathless"), AssumeRolePolicyDocument: ACCOUNT_TRUST, Path: "no-slashes" })))).toEqual({
      status: 400,
      code: "ValidationError",
      message: "The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.",
    });
  });

  it("trust policies IAM refuses, with its texts", async () => {
    const create = (document: string) => root().send(new CreateRoleCommand({ RoleName: uniqueName("bad-trust"), AssumeRolePolicyDocument: document }));
    expect(await sdkError(create("{not json"))).toEqual(malformed("This policy contains invalid Json"));
    expect(await sdkError(create(policy({ Effect: "Allow", Action: "sts:AssumeRole" })))).toEqual(
      malformed("Invalid principal in policy: com.amazon.balsa.error.InvalidPolicyException: The passed in policy has a statement with no principals!"),
    );
    expect(await sdkError(create(policy({ Effect: "Allow", Principal: { AWS: ACCOUNT }, Action: "sts:AssumeRole", Resource: "*" })))).toEqual(
      malformed("Has prohibited field Resource"),
    );
    expect(await sdkError(create(trust({ AWS: ACCOUNT }).replace("sts:AssumeRole", "sts:InvalidAction")))).toEqual(
      malformed("AssumeRole policy may only specify STS AssumeRole actions."),
    );
    // Users and roles named must exist (spec §4.2), with the exact name and path.
    const missingRole = roleArnOf("no-such-role-anywhere");
    expect(await sdkError(create(trust({ AWS: missingRole })))).toEqual(malformed(`Invalid principal in policy: "AWS":"${missingRole}"`));
    const missingUser = userArnOf("no-such-user-anywhere");
    expect(await sdkError(create(trust({ AWS: [ACCOUNT, missingUser] })))).toEqual(malformed(`Invalid principal in policy: "AWS":"${missingUser}"`));
    const alice = uniqueName("Alice");
    await root().send(new CreateUserCommand({ UserName: alice, Path: "/staff/" }));
    for (const wrong of [userArnOf(alice), userArnOf(alice.toLowerCase(), "/staff/")]) {
      expect(await sdkError(create(trust({ AWS: wrong })))).toEqual(malformed(`Invalid principal in policy: "AWS":"${wrong}"`));
    }
    expect((await create(trust({ AWS: userArnOf(alice, "/staff/") }))).Role!.RoleId).toEqual(ROLE_ID);
    // Over 2,048 characters, white space not counted (field reports; kubeflow/kubeflow#6687).
    const conditions = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`aws:PrincipalTag/key${i}`, `value-${i}`]));
    expect(await sdkError(create(trust({ AWS: ACCOUNT }, { Condition: { StringEquals: conditions } })))).toEqual({
      status: 409,
      code: "LimitExceeded",
      message: "Cannot exceed quota for ACLSizePerRole: 2048",
    });
  });

  it("tags: over 50, keys too long or with bad characters (the value left out), duplicate keys in any case", async () => {
    const create = (Tags: Tag[]) => root().send(new CreateRoleCommand({ RoleName: uniqueName("tagged"), AssumeRolePolicyDocument: ACCOUNT_TRUST, Tags }));
    expect(await sdkError(create(Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: "v" }))))).toEqual(
      validation("Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50"),
    );
    expect(await sdkError(create([{ Key: "k".repeat(129), Value: "v" }]))).toEqual(
      validation("Value at 'tags.1.member.key' failed to satisfy constraint: Member must have length less than or equal to 128"),
    );
    expect(await sdkError(create([{ Key: "bad#key", Value: "v" }]))).toEqual(
      validation("Value at 'tags.1.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+"),
    );
    expect(await sdkError(create([{ Key: "Team", Value: "a" }, { Key: "team", Value: "b" }]))).toEqual({
      status: 400,
      code: "InvalidInput",
      message: "Duplicate tag keys found. Please note that Tag keys are case insensitive.",
    });
  });

  it("refuses a PermissionsBoundary rather than store one it would not enforce (not AWS's text: this server's)", async () => {
    const name = uniqueName("bounded");
    expect(
      await sdkError(root().send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: ACCOUNT_TRUST, PermissionsBoundary: AWS_POLICY("AmazonS3ReadOnlyAccess") }))),
    ).toEqual({ status: 400, code: "InvalidInput", message: "Permissions boundaries are not supported by this server (mfa-sts)." });
    expect(await sdkError(root().send(new GetRoleCommand({ RoleName: name })))).toEqual(noSuchRole(name));
  });
});

describe("UpdateRole, UpdateRoleDescription, UpdateAssumeRolePolicy, DeleteRole", () => {
  it("UpdateRole answers an empty result; UpdateRoleDescription the role without MaxSessionDuration and RoleLastUsed", async () => {
    const name = uniqueName("updated");
    const created = await createRole(name, { Tags: [{ Key: "a", Value: "1" }] });
    const out = await root().send(new UpdateRoleCommand({ RoleName: name, MaxSessionDuration: 43200, Description: "first" }));
    expect(Object.keys(out)).toEqual(["$metadata"]);
    expect((await root().send(new GetRoleCommand({ RoleName: name }))).Role).toMatchObject({ MaxSessionDuration: 43200, Description: "first" });
    const described = await root().send(new UpdateRoleDescriptionCommand({ RoleName: name, Description: "second" }));
    expect(described.Role).toEqual({ ...created, Description: "second" });
    expect((await root().send(new GetRoleCommand({ RoleName: name }))).Role).toEqual({ ...created, Description: "second", MaxSessionDuration: 43200, RoleLastUsed: {} });

    expect(await sdkError(root().send(new UpdateRoleCommand({ RoleName: "no-such-role", Description: "x" })))).toEqual(noSuchRole("no-such-role"));
    expect(await sdkError(root().send(new UpdateRoleDescriptionCommand({ RoleName: "no-such-role", Description: "x" })))).toEqual(noSuchRole("no-such-role"));
    expect(await sdkError(root().send(new UpdateRoleCommand({ RoleName: name, MaxSessionDuration: 50000 })))).toEqual(
      validation("Value '50000' at 'maxSessionDuration' failed to satisfy constraint: Member must have value less than or equal to 43200"),
    );
  });

  it("UpdateAssumeRolePolicy: an empty result, the new document on GetRole; the trust policy checks; an unknown role", async () => {
    const name = uniqueName("retrusted");
    await createRole(name);
    const alice = uniqueName("trusted-user");
    await root().send(new CreateUserCommand({ UserName: alice }));
    // The role itself exists now: it may be named in its own trust policy.
    const document = trust({ AWS: [userArnOf(alice), roleArnOf(name)] });
    const out = await root().send(new UpdateAssumeRolePolicyCommand({ RoleName: name, PolicyDocument: document }));
    expect(Object.keys(out)).toEqual(["$metadata"]);
    expect((await root().send(new GetRoleCommand({ RoleName: name }))).Role!.AssumeRolePolicyDocument).toBe(rfc3986(document));

    const update = (PolicyDocument: string) => root().send(new UpdateAssumeRolePolicyCommand({ RoleName: name, PolicyDocument }));
    expect(await sdkError(update("{not json"))).toEqual(malformed("This policy contains invalid Json"));
    expect(await sdkError(update(document.replace("sts:AssumeRole", "sts:InvalidAction")))).toEqual(malformed("AssumeRole policy may only specify STS AssumeRole actions."));
    expect(await sdkError(update(policy({ Effect: "Allow", Principal: { AWS: ACCOUNT }, Action: "sts:AssumeRole", Resource: "*" })))).toEqual(
      malformed("Has prohibited field Resource"),
    );
    const gone = userArnOf(uniqueName("never-made"));
    expect(await sdkError(update(trust({ AWS: gone })))).toEqual(malformed(`Invalid principal in policy: "AWS":"${gone}"`));
    // Nothing changed by the refused ones.
    expect((await root().send(new GetRoleCommand({ RoleName: name }))).Role!.AssumeRolePolicyDocument).toBe(rfc3986(document));
    expect(await sdkError(root().send(new UpdateAssumeRolePolicyCommand({ RoleName: "no-such-role", PolicyDocument: document })))).toEqual(noSuchRole("no-such-role"));
  });

  it("DeleteRole: refused while policies are attached, then while inline ones exist; then gone", async () => {
    const name = uniqueName("doomed");
    await createRole(name);
    await root().send(new PutRolePolicyCommand({ RoleName: name, PolicyName: "inline", PolicyDocument: policy(allow("s3:*")) }));
    await root().send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: AWS_POLICY("AmazonS3ReadOnlyAccess") }));
    // Which conflict AWS names first is UNCONFIRMED (spec §7.3): managed, then inline, as moto.
    expect(await sdkError(root().send(new DeleteRoleCommand({ RoleName: name })))).toEqual(deleteConflict("Cannot delete entity, must detach all policies first."));
    await root().send(new DetachRolePolicyCommand({ RoleName: name, PolicyArn: AWS_POLICY("AmazonS3ReadOnlyAccess") }));
    expect(await sdkError(root().send(new DeleteRoleCommand({ RoleName: name })))).toEqual(deleteConflict("Cannot delete entity, must delete policies first."));
    await root().send(new DeleteRolePolicyCommand({ RoleName: name, PolicyName: "inline" }));
    const out = await root().send(new DeleteRoleCommand({ RoleName: name.toUpperCase() }));
    expect(out.$metadata.httpStatusCode).toBe(200);
    expect(await sdkError(root().send(new GetRoleCommand({ RoleName: name })))).toEqual(noSuchRole(name));
    expect(await sdkError(root().send(new DeleteRoleCommand({ RoleName: name })))).toEqual(noSuchRole(name));
    // The name is free again.
    expect((await createRole(name)).RoleName).toBe(name);
  });
});

describe("the role's inline and attached policies", () => {
  it("Put/Get/List/DeleteRolePolicy: the document URL-encoded as sent; the role's texts", async () => {
    const name = uniqueName("inline-owner");
    await createRole(name);
    const document = JSON.stringify({ Version: "2012-10-17", Statement: { Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::bucket/*" } }, null, 1);
    await root().send(new PutRolePolicyCommand({ RoleName: name, PolicyName: "read", PolicyDocument: document }));
    await root().send(new PutRolePolicyCommand({ RoleName: name, PolicyName: "Also", PolicyDocument: policy(allow("s3:ListBucket")) }));
    const got = await root().send(new GetRolePolicyCommand({ RoleName: name.toUpperCase(), PolicyName: "read" }));
    expect({ RoleName: got.RoleName, PolicyName: got.PolicyName, PolicyDocument: got.PolicyDocument }).toEqual({
      RoleName: name,
      PolicyName: "read",
      PolicyDocument: rfc3986(document),
    });
    const listed = await root().send(new ListRolePoliciesCommand({ RoleName: name }));
    expect([listed.PolicyNames, listed.IsTruncated]).toEqual([["Also", "read"], false]);
    const page = await root().send(new ListRolePoliciesCommand({ RoleName: name, MaxItems: 1 }));
    expect([page.PolicyNames, page.IsTruncated]).toEqual([["Also"], true]);
    expect((await root().send(new ListRolePoliciesCommand({ RoleName: name, Marker: page.Marker }))).PolicyNames).toEqual(["read"]);

    await root().send(new DeleteRolePolicyCommand({ RoleName: name, PolicyName: "read" }));
    const noPolicy = { status: 404, code: "NoSuchEntity", message: "The role policy with name read cannot be found." };
    expect(await sdkError(root().send(new GetRolePolicyCommand({ RoleName: name, PolicyName: "read" })))).toEqual(noPolicy);
    expect(await sdkError(root().send(new DeleteRolePolicyCommand({ RoleName: name, PolicyName: "read" })))).toEqual(noPolicy);
    for (const call of [
      new PutRolePolicyCommand({ RoleName: "no-such-role", PolicyName: "p", PolicyDocument: policy(allow("s3:*")) }),
      new GetRolePolicyCommand({ RoleName: "no-such-role", PolicyName: "p" }),
      new ListRolePoliciesCommand({ RoleName: "no-such-role" }),
      new DeleteRolePolicyCommand({ RoleName: "no-such-role", PolicyName: "p" }),
    ]) {
      expect(await sdkError(root().send(call as PutRolePolicyCommand))).toEqual(noSuchRole("no-such-role"));
    }
    expect(await sdkError(root().send(new PutRolePolicyCommand({ RoleName: name, PolicyName: "bad", PolicyDocument: policy({ Effect: "Allow", Action: "s3:*" }) })))).toEqual(
      malformed("Policy statement must contain resources."),
    );
    // 10,240 characters in all for a role (the text UNCONFIRMED, by analogy with users and groups).
    const big = (n: number) => policy(allow(Array.from({ length: n }, (_, i) => `s3:GetObjectVersion${String(i).padStart(4, "0")}`)));
    await root().send(new PutRolePolicyCommand({ RoleName: name, PolicyName: "big1", PolicyDocument: big(250) }));
    expect(await sdkError(root().send(new PutRolePolicyCommand({ RoleName: name, PolicyName: "big2", PolicyDocument: big(250) })))).toEqual({
      status: 409,
      code: "LimitExceeded",
      message: `Maximum policy size of 10240 bytes exceeded for role ${name}`,
    });
  });

  it("Attach/Detach/ListAttachedRolePolicies; ListEntitiesForPolicy's PolicyRoles; AttachmentCount; DeletePolicy refused", async () => {
    const name = uniqueName("attach-owner");
    const role = await createRole(name, { Path: "/attached/" });
    const customer = uniqueName("RolePolicy");
    await root().send(new CreatePolicyCommand({ PolicyName: customer, PolicyDocument: policy(allow("s3:ListBucket")) }));
    await root().send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: policyArnOf(customer) }));
    await root().send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: AWS_POLICY("IAMReadOnlyAccess") }));
    await root().send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: AWS_POLICY("IAMReadOnlyAccess") }));
    const listed = await root().send(new ListAttachedRolePoliciesCommand({ RoleName: name }));
    expect([listed.AttachedPolicies, listed.IsTruncated]).toEqual([
      [
        { PolicyName: customer, PolicyArn: policyArnOf(customer) },
        { PolicyName: "IAMReadOnlyAccess", PolicyArn: AWS_POLICY("IAMReadOnlyAccess") },
      ],
      false,
    ]);
    const entities = await root().send(new ListEntitiesForPolicyCommand({ PolicyArn: policyArnOf(customer) }));
    expect([entities.PolicyGroups, entities.PolicyUsers, entities.PolicyRoles]).toEqual([[], [], [{ RoleName: name, RoleId: role.RoleId }]]);
    expect((await root().send(new ListEntitiesForPolicyCommand({ PolicyArn: policyArnOf(customer), EntityFilter: "User" }))).PolicyRoles).toEqual([]);
    expect((await root().send(new ListEntitiesForPolicyCommand({ PolicyArn: policyArnOf(customer), EntityFilter: "Role", PathPrefix: "/attached/" }))).PolicyRoles).toHaveLength(1);
    expect((await root().send(new GetPolicyCommand({ PolicyArn: policyArnOf(customer) }))).Policy!.AttachmentCount).toBe(1);
    expect(await sdkError(root().send(new DeletePolicyCommand({ PolicyArn: policyArnOf(customer) })))).toEqual(deleteConflict("Cannot delete a policy attached to entities."));

    expect(await sdkError(root().send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: "not-an-arn-at-all-really" })))).toEqual({
      status: 400,
      code: "ValidationError",
      message: "ARN not-an-arn-at-all-really is not valid.",
    });
    const unknown = policyArnOf("NoSuchPolicyHere");
    expect(await sdkError(root().send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: unknown })))).toEqual({
      status: 404,
      code: "NoSuchEntity",
      message: `Policy ${unknown} does not exist or is not attachable.`,
    });
    expect(await sdkError(root().send(new DetachRolePolicyCommand({ RoleName: name, PolicyArn: unknown })))).toEqual({
      status: 404,
      code: "NoSuchEntity",
      message: `Policy ${unknown} was not found.`,
    });
    for (const call of [
      new AttachRolePolicyCommand({ RoleName: "no-such-role", PolicyArn: AWS_POLICY("AmazonS3ReadOnlyAccess") }),
      new DetachRolePolicyCommand({ RoleName: "no-such-role", PolicyArn: AWS_POLICY("AmazonS3ReadOnlyAccess") }),
      new ListAttachedRolePoliciesCommand({ RoleName: "no-such-role" }),
    ]) {
      expect(await sdkError(root().send(call as AttachRolePolicyCommand))).toEqual(noSuchRole("no-such-role"));
    }

    await root().send(new DetachRolePolicyCommand({ RoleName: name, PolicyArn: policyArnOf(customer) }));
    expect((await root().send(new ListAttachedRolePoliciesCommand({ RoleName: name }))).AttachedPolicies).toEqual([
      { PolicyName: "IAMReadOnlyAccess", PolicyArn: AWS_POLICY("IAMReadOnlyAccess") },
    ]);
    await root().send(new DeletePolicyCommand({ PolicyArn: policyArnOf(customer) }));
  });

  it("at most 10 managed policies per role: PoliciesPerRole", async () => {
    const name = uniqueName("hoarder");
    await createRole(name);
    for (let i = 0; i < 10; i++) {
      const p = uniqueName(`Hoard${i}`);
      await root().send(new CreatePolicyCommand({ PolicyName: p, PolicyDocument: policy(allow(`s${i}:*`)) }));
      await root().send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: policyArnOf(p) }));
    }
    expect(await sdkError(root().send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: AWS_POLICY("AmazonS3ReadOnlyAccess") })))).toEqual({
      status: 409,
      code: "LimitExceeded",
      message: "Cannot exceed quota for PoliciesPerRole: 10",
    });
  });
});

describe("TagRole, UntagRole, ListRoleTags", () => {
  it("tags added, replaced without regard to case, listed in pages, removed", async () => {
    const name = uniqueName("tag-owner");
    await createRole(name, { Tags: [{ Key: "Team", Value: "blue" }] });
    await root().send(new TagRoleCommand({ RoleName: name, Tags: [{ Key: "env", Value: "prod" }, { Key: "TEAM", Value: "red" }] }));
    const listed = await root().send(new ListRoleTagsCommand({ RoleName: name }));
    expect([listed.Tags, listed.IsTruncated]).toEqual([
      [
        { Key: "TEAM", Value: "red" },
        { Key: "env", Value: "prod" },
      ],
      false,
    ]);
    expect((await root().send(new GetRoleCommand({ RoleName: name }))).Role!.Tags).toEqual(listed.Tags);
    const first = await root().send(new ListRoleTagsCommand({ RoleName: name, MaxItems: 1 }));
    expect([first.Tags, first.IsTruncated]).toEqual([[{ Key: "TEAM", Value: "red" }], true]);
    const second = await root().send(new ListRoleTagsCommand({ RoleName: name, MaxItems: 1, Marker: first.Marker }));
    expect([second.Tags, second.IsTruncated]).toEqual([[{ Key: "env", Value: "prod" }], false]);

    await root().send(new UntagRoleCommand({ RoleName: name, TagKeys: ["team", "not-there"] }));
    expect((await root().send(new ListRoleTagsCommand({ RoleName: name }))).Tags).toEqual([{ Key: "env", Value: "prod" }]);
    await root().send(new UntagRoleCommand({ RoleName: name, TagKeys: ["ENV"] }));
    expect((await root().send(new ListRoleTagsCommand({ RoleName: name }))).Tags).toEqual([]);
    expect((await root().send(new GetRoleCommand({ RoleName: name }))).Role!.Tags).toBeUndefined();
  });

  it("errors: an unknown role, duplicate keys, more than 50 on the role, bad keys to remove", async () => {
    const name = uniqueName("tag-errors");
    await createRole(name);
    expect(await sdkError(root().send(new TagRoleCommand({ RoleName: "no-such-role", Tags: [{ Key: "a", Value: "b" }] })))).toEqual(noSuchRole("no-such-role"));
    expect(await sdkError(root().send(new UntagRoleCommand({ RoleName: "no-such-role", TagKeys: ["a"] })))).toEqual(noSuchRole("no-such-role"));
    expect(await sdkError(root().send(new ListRoleTagsCommand({ RoleName: "no-such-role" })))).toEqual(noSuchRole("no-such-role"));
    expect(await sdkError(root().send(new TagRoleCommand({ RoleName: name, Tags: [{ Key: "k", Value: "1" }, { Key: "K", Value: "2" }] })))).toEqual({
      status: 400,
      code: "InvalidInput",
      message: "Duplicate tag keys found. Please note that Tag keys are case insensitive.",
    });
    await root().send(new TagRoleCommand({ RoleName: name, Tags: Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: "v" })) }));
    // Replacing one of the 50 is fine; a 51st is not (text UNCONFIRMED: the "Cannot exceed quota" pattern).
    await root().send(new TagRoleCommand({ RoleName: name, Tags: [{ Key: "K0", Value: "new" }] }));
    expect(await sdkError(root().send(new TagRoleCommand({ RoleName: name, Tags: [{ Key: "one-more", Value: "v" }] })))).toEqual({
      status: 409,
      code: "LimitExceeded",
      message: "Cannot exceed quota for TagsPerRole: 50",
    });
    // Recorded for UntagPolicy: a bad key is reported for the list as a whole.
    expect(await sdkError(root().send(new UntagRoleCommand({ RoleName: name, TagKeys: ["k".repeat(129)] })))).toEqual(
      validation(
        "Value at 'tagKeys' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+, Member must not be null]",
      ),
    );
  });
});

describe("authorization of role actions (iam-policy-spec §2.5, §6.3)", () => {
  it("denials name `role NAME`, CreateRole the full ARN with its path, ListRoles the role/ prefix", async () => {
    const userName = uniqueName("no-rights");
    const creds = await newUserWithKey(userName);
    const caller = userArnOf(userName);
    const name = uniqueName("guarded");
    await createRole(name, { Path: "/guarded/" });
    const iam = iamOf(creds);
    expect(await sdkError(iam.send(new GetRoleCommand({ RoleName: name })))).toEqual(implicitDeny(caller, "iam:GetRole", `role ${name}`));
    expect(await sdkError(iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: name, PolicyDocument: ACCOUNT_TRUST })))).toEqual(
      implicitDeny(caller, "iam:UpdateAssumeRolePolicy", `role ${name}`),
    );
    // Authorization comes before the role's existence, as for users.
    expect(await sdkError(iam.send(new DeleteRoleCommand({ RoleName: "no-such-role" })))).toEqual(implicitDeny(caller, "iam:DeleteRole", "role no-such-role"));
    expect(await sdkError(iam.send(new CreateRoleCommand({ RoleName: "mine", Path: "/team/", AssumeRolePolicyDocument: ACCOUNT_TRUST })))).toEqual(
      implicitDeny(caller, "iam:CreateRole", roleArnOf("mine", "/team/")),
    );
    expect(await sdkError(iam.send(new ListRolesCommand({})))).toEqual(implicitDeny(caller, "iam:ListRoles", `arn:aws:iam::${ACCOUNT}:role/`));
    expect(await sdkError(iam.send(new ListRoleTagsCommand({ RoleName: name })))).toEqual(implicitDeny(caller, "iam:ListRoleTags", `role ${name}`));
  });

  it("policies are matched against the role's ARN with its path; iam:PolicyARN and aws:ResourceTag are in the context", async () => {
    const userName = uniqueName("ci-admin");
    const creds = await newUserWithKey(userName);
    const caller = userArnOf(userName);
    const inCi = uniqueName("in-ci");
    const elsewhere = uniqueName("elsewhere");
    const tagged = uniqueName("tagged-blue");
    await createRole(inCi, { Path: "/ci/" });
    await createRole(elsewhere);
    await createRole(tagged, { Tags: [{ Key: "team", Value: "blue" }] });
    await root().send(
      new PutUserPolicyCommand({
        UserName: userName,
        PolicyName: "ci",
        PolicyDocument: policy(
          allow(["iam:GetRole", "iam:AttachRolePolicy"], roleArnOf("*", "/ci/"), {
            Condition: { ArnEquals: { "iam:PolicyARN": AWS_POLICY("AmazonS3ReadOnlyAccess") } },
          }),
          allow("iam:GetRole", roleArnOf("*", "/ci/")),
          allow("iam:TagRole", "*", { Condition: { StringEquals: { "aws:ResourceTag/team": "blue" } } }),
          deny("iam:DeleteRole"),
        ),
      }),
    );
    const iam = iamOf(creds);
    expect((await iam.send(new GetRoleCommand({ RoleName: inCi }))).Role!.RoleName).toBe(inCi);
    expect(await sdkError(iam.send(new GetRoleCommand({ RoleName: elsewhere })))).toEqual(implicitDeny(caller, "iam:GetRole", `role ${elsewhere}`));
    await iam.send(new AttachRolePolicyCommand({ RoleName: inCi, PolicyArn: AWS_POLICY("AmazonS3ReadOnlyAccess") }));
    expect(await sdkError(iam.send(new AttachRolePolicyCommand({ RoleName: inCi, PolicyArn: AWS_POLICY("AdministratorAccess") })))).toEqual(
      implicitDeny(caller, "iam:AttachRolePolicy", `role ${inCi}`),
    );
    await iam.send(new TagRoleCommand({ RoleName: tagged, Tags: [{ Key: "env", Value: "dev" }] }));
    expect(await sdkError(iam.send(new TagRoleCommand({ RoleName: elsewhere, Tags: [{ Key: "env", Value: "dev" }] })))).toEqual(
      implicitDeny(caller, "iam:TagRole", `role ${elsewhere}`),
    );
    expect(await sdkError(iam.send(new DeleteRoleCommand({ RoleName: inCi })))).toEqual({
      status: 403,
      code: "AccessDenied",
      message: `User: ${caller} is not authorized to perform: iam:DeleteRole on resource: role ${inCi} with an explicit deny in an identity-based policy`,
    });
  });

  it("SimulatePrincipalPolicy simulates a role's own policies", async () => {
    const name = uniqueName("simulated");
    await createRole(name, { Path: "/sim/" });
    await root().send(new PutRolePolicyCommand({ RoleName: name, PolicyName: "lists", PolicyDocument: policy(allow("iam:ListRoles")) }));
    const out = await root().send(
      new SimulatePrincipalPolicyCommand({ PolicySourceArn: roleArnOf(name, "/sim/"), ActionNames: ["iam:ListRoles", "iam:DeleteRole"] }),
    );
    expect(out.EvaluationResults!.map((r) => [r.EvalActionName, r.EvalDecision, r.MatchedStatements!.map((m) => m.SourcePolicyId)])).toEqual([
      ["iam:ListRoles", "allowed", ["lists"]],
      ["iam:DeleteRole", "implicitDeny", []],
    ]);
    expect(await sdkError(root().send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: roleArnOf("no-such-role"), ActionNames: ["iam:ListRoles"] })))).toEqual(
      noSuchRole("no-such-role"),
    );
  });
});

describe("a role session sees its role's policies change at once", () => {
  it("put, delete, attach, detach, then DeleteRole: each answered in the session's next call", async () => {
    const userName = uniqueName("assumer");
    const creds = await newUserWithKey(userName);
    const name = uniqueName("live-role");
    await createRole(name, { Document: trust({ AWS: userArnOf(userName) }) });
    await root().send(new PutRolePolicyCommand({ RoleName: name, PolicyName: "list", PolicyDocument: policy(allow("iam:ListRoles")) }));
    const { Credentials: c, AssumedRoleUser } = await sdkClients(server.url, creds).sts.send(
      new AssumeRoleCommand({ RoleArn: roleArnOf(name), RoleSessionName: "live" }),
    );
    const session = iamOf({ accessKeyId: c!.AccessKeyId!, secretAccessKey: c!.SecretAccessKey!, sessionToken: c!.SessionToken! });
    const denied = implicitDeny(AssumedRoleUser!.Arn!, "iam:ListRoles", `arn:aws:iam::${ACCOUNT}:role/`);
    const listRoles = () => session.send(new ListRolesCommand({ MaxItems: 1 }));

    expect((await listRoles()).$metadata.httpStatusCode).toBe(200);
    await root().send(new DeleteRolePolicyCommand({ RoleName: name, PolicyName: "list" }));
    expect(await sdkError(listRoles())).toEqual(denied);
    await root().send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: AWS_POLICY("IAMReadOnlyAccess") }));
    expect((await listRoles()).$metadata.httpStatusCode).toBe(200);
    await root().send(new DetachRolePolicyCommand({ RoleName: name, PolicyArn: AWS_POLICY("IAMReadOnlyAccess") }));
    expect(await sdkError(listRoles())).toEqual(denied);
    await root().send(new PutRolePolicyCommand({ RoleName: name, PolicyName: "list", PolicyDocument: policy(allow("iam:ListRoles")) }));
    expect((await listRoles()).$metadata.httpStatusCode).toBe(200);
    await root().send(new DeleteRolePolicyCommand({ RoleName: name, PolicyName: "list" }));
    await root().send(new DeleteRoleCommand({ RoleName: name }));
    expect(await sdkError(listRoles())).toEqual({ status: 403, code: "InvalidClientTokenId", message: "The security token included in the request is invalid" });
  });
});
