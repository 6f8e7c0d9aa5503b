/**
 * IAM roles (issue 14 item 1) through boto3, one python process per test: every role operation
 * once, with botocore decoding IAM's URL-encoded trust and inline policies back into the JSON
 * objects that were sent, and every error text of reference/assume-role-spec.md §7.3 as boto3
 * reports it (status, code, message). Then `aws iam get-role` and `aws iam list-roles` with aws
 * CLI v1 (on PATH) and v2 (/usr/bin/aws), which print the trust policy as a JSON object.
 *
 * Expected values as in iam-roles-sdk.test.ts: AWS's, from the spec; UNCONFIRMED ones are said so.
 */
import { CreateRoleCommand, CreateUserCommand, TagRoleCommand } from "@aws-sdk/client-iam";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AWS_CLIS, awsCli, boto3, sdkClients } from "./helpers/clients.js";
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
const roleArnOf = (name: string, path = "/"): string => `arn:aws:iam::${ACCOUNT}:role${path}${name}`;
const userArnOf = (name: string): string => `arn:aws:iam::${ACCOUNT}:user/${name}`;
const AWS_POLICY = (name: string): string => `arn:aws:iam::aws:policy/${name}`;

/** Python helpers run after the boto3 helper's prelude. */
const PY_HELPERS = ["def out(r):", "    r.pop('ResponseMetadata', None)", "    return r", "def iso(o):", "    return o.isoformat()", "r = {}", ""].join("\n");

/** Runs `script` with root's boto3 clients; it fills `r`, which comes back parsed. */
async function py(script: string[], creds: Credentials = server.root): Promise<Record<string, any>> {
  const res = await boto3(server.url, creds, `${PY_HELPERS}${script.join("\n")}\nprint(json.dumps(r, default=iso))`);
  expect(res.stderr).toBe("");
  expect(res.code).toBe(0);
  return JSON.parse(res.stdout) as Record<string, any>;
}

/** A TypeScript value as a Python literal (JSON is one, for the strings, lists and numbers used here). */
const lit = (v: unknown): string => JSON.stringify(v);

const trust = (principal: object, extra: object = {}) => ({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: principal, Action: "sts:AssumeRole", ...extra }],
});
const policy = (...statements: object[]) => ({ Version: "2012-10-17", Statement: statements });
const allow = (action: string | string[], resource = "*") => ({ Effect: "Allow", Action: action, Resource: resource });

/** boto3 and aws CLI v2 print `+00:00`, CLI v1 the `Z` IAM sent. */
const DATE = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\+00:00|Z)$/);
const ROLE_ID = expect.stringMatching(/^AROA[A-Z2-7]{17}$/);

describe("boto3", () => {
  it("every role operation once; botocore decodes the trust and inline policies back to the JSON objects sent", async () => {
    const name = uniqueName("py-role");
    const user = uniqueName("py-trusted");
    const first = trust({ AWS: ACCOUNT });
    const second = trust({ AWS: userArnOf(user) }, { Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } } });
    const inline = { Version: "2012-10-17", Statement: { Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::bucket/a%3Ab/*" } };
    const out = await py([
      `n = ${lit(name)}; u = ${lit(user)}`,
      "iam.create_user(UserName=u)",
      `r['create'] = out(iam.create_role(RoleName=n, Path='/py/', AssumeRolePolicyDocument=${lit(JSON.stringify(first, null, 2))}, Description='made by boto3', MaxSessionDuration=7200, Tags=[{'Key': 'team', 'Value': 'blue'}]))`,
      "r['get'] = out(iam.get_role(RoleName=n))",
      "r['list'] = out(iam.list_roles(PathPrefix='/py/'))",
      "r['update'] = out(iam.update_role(RoleName=n, MaxSessionDuration=43200))",
      "r['describe'] = out(iam.update_role_description(RoleName=n, Description='described again'))",
      `r['retrust'] = out(iam.update_assume_role_policy(RoleName=n, PolicyDocument=${lit(JSON.stringify(second))}))`,
      "r['getAfter'] = out(iam.get_role(RoleName=n))",
      `iam.put_role_policy(RoleName=n, PolicyName='read', PolicyDocument=${lit(JSON.stringify(inline))})`,
      "r['getPolicy'] = out(iam.get_role_policy(RoleName=n, PolicyName='read'))",
      "r['listPolicies'] = out(iam.list_role_policies(RoleName=n))",
      "iam.delete_role_policy(RoleName=n, PolicyName='read')",
      `iam.attach_role_policy(RoleName=n, PolicyArn=${lit(AWS_POLICY("IAMReadOnlyAccess"))})`,
      "r['attached'] = out(iam.list_attached_role_policies(RoleName=n))",
      `iam.detach_role_policy(RoleName=n, PolicyArn=${lit(AWS_POLICY("IAMReadOnlyAccess"))})`,
      "iam.tag_role(RoleName=n, Tags=[{'Key': 'TEAM', 'Value': 'red'}, {'Key': 'env', 'Value': 'dev'}])",
      "r['tags'] = out(iam.list_role_tags(RoleName=n))",
      "iam.untag_role(RoleName=n, TagKeys=['team'])",
      "r['tagsAfter'] = out(iam.list_role_tags(RoleName=n))",
      "r['delete'] = iam.delete_role(RoleName=n)['ResponseMetadata']['HTTPStatusCode']",
      "r['gone'] = err(lambda: iam.get_role(RoleName=n))",
    ]);
    const role = {
      Path: "/py/",
      RoleName: name,
      RoleId: ROLE_ID,
      Arn: roleArnOf(name, "/py/"),
      CreateDate: DATE,
      AssumeRolePolicyDocument: first,
      Description: "made by boto3",
    };
    expect(out).toEqual({
      create: { Role: { ...role, Tags: [{ Key: "team", Value: "blue" }] } },
      get: { Role: { ...role, MaxSessionDuration: 7200, Tags: [{ Key: "team", Value: "blue" }], RoleLastUsed: {} } },
      list: { Roles: [{ ...role, MaxSessionDuration: 7200 }], IsTruncated: false },
      update: {},
      describe: { Role: { ...role, Description: "described again", Tags: [{ Key: "team", Value: "blue" }] } },
      retrust: {},
      getAfter: {
        Role: {
          ...role,
          AssumeRolePolicyDocument: second,
          Description: "described again",
          MaxSessionDuration: 43200,
          Tags: [{ Key: "team", Value: "blue" }],
          RoleLastUsed: {},
        },
      },
      getPolicy: { RoleName: name, PolicyName: "read", PolicyDocument: inline },
      listPolicies: { PolicyNames: ["read"], IsTruncated: false },
      attached: { AttachedPolicies: [{ PolicyName: "IAMReadOnlyAccess", PolicyArn: AWS_POLICY("IAMReadOnlyAccess") }], IsTruncated: false },
      tags: { Tags: [{ Key: "TEAM", Value: "red" }, { Key: "env", Value: "dev" }], IsTruncated: false },
      tagsAfter: { Tags: [{ Key: "env", Value: "dev" }], IsTruncated: false },
      delete: 200,
      gone: [404, "NoSuchEntity", `The role with name ${name} cannot be found.`],
    });
  });

  it("every error text of spec §7.3, as boto3 reports it", async () => {
    const name = uniqueName("py-errors");
    const full = uniqueName("py-full");
    const tooBig = { Condition: { StringEquals: Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`aws:PrincipalTag/key${i}`, `value-${i}`])) } };
    const bigInline = (n: number) => policy(allow(Array.from({ length: n }, (_, i) => `s3:GetObjectVersion${String(i).padStart(4, "0")}`)));
    const out = await py([
      `n = ${lit(name)}; f = ${lit(full)}; ok = ${lit(JSON.stringify(trust({ AWS: ACCOUNT })))}`,
      "def create(doc, **kw):",
      "    return lambda: iam.create_role(RoleName=kw.pop('name', 'py-bad-trust'), AssumeRolePolicyDocument=doc, **kw)",
      "iam.create_role(RoleName=n, AssumeRolePolicyDocument=ok)",
      "r['missing'] = [err(c) for c in [",
      "    lambda: iam.get_role(RoleName='nobody'), lambda: iam.update_role(RoleName='nobody', Description='d'),",
      "    lambda: iam.delete_role(RoleName='nobody'), lambda: iam.tag_role(RoleName='nobody', Tags=[{'Key': 'a', 'Value': 'b'}]),",
      "    lambda: iam.untag_role(RoleName='nobody', TagKeys=['a']), lambda: iam.list_role_tags(RoleName='nobody'),",
      "    lambda: iam.put_role_policy(RoleName='nobody', PolicyName='p', PolicyDocument=ok.replace('sts:AssumeRole', 's3:*').replace('\"Principal\":{\"AWS\":\"123456789012\"},', '\"Resource\":\"*\",')),",
      "    lambda: iam.get_role_policy(RoleName='nobody', PolicyName='p'), lambda: iam.delete_role_policy(RoleName='nobody', PolicyName='p')]]",
      "r['exists'] = err(lambda: iam.create_role(RoleName=n.upper(), AssumeRolePolicyDocument=ok))",
      "r['rolePolicy'] = [err(lambda: iam.get_role_policy(RoleName=n, PolicyName='none')), err(lambda: iam.delete_role_policy(RoleName=n, PolicyName='none'))]",
      `r['detach'] = err(lambda: iam.detach_role_policy(RoleName=n, PolicyArn=${lit(AWS_POLICY("IAMReadOnlyAccess"))}))`,
      `r['attachUnknown'] = err(lambda: iam.attach_role_policy(RoleName=n, PolicyArn='arn:aws:iam::${ACCOUNT}:policy/NoSuchPolicy'))`,
      "r['attachNotArn'] = err(lambda: iam.attach_role_policy(RoleName=n, PolicyArn='not-an-arn-at-all-really'))",
      "r['trust'] = [err(create('{not json')),",
      `    err(create(${lit(JSON.stringify(trust({ AWS: ACCOUNT })).replace("sts:AssumeRole", "sts:InvalidAction"))})),`,
      `    err(create(${lit(JSON.stringify(policy({ Effect: "Allow", Principal: { AWS: ACCOUNT }, Action: "sts:AssumeRole", Resource: "*" })))})),`,
      `    err(create(${lit(JSON.stringify(policy({ Effect: "Allow", Action: "sts:AssumeRole" })))})),`,
      `    err(create(${lit(JSON.stringify(trust({ AWS: roleArnOf("UC_ROLE") })))})),`,
      `    err(create(${lit(JSON.stringify(trust({ AWS: ACCOUNT }, tooBig)))}))]`,
      "r['update'] = err(lambda: iam.update_assume_role_policy(RoleName=n, PolicyDocument='{not json'))",
      "r['shapes'] = [err(create(ok, name='r' * 65)), err(create(ok, name='py-long', MaxSessionDuration=43201)),",
      "    err(create(ok, name='py-tags', Tags=[{'Key': 'k%d' % i, 'Value': 'v'} for i in range(51)])),",
      "    err(create(ok, name='py-tags', Tags=[{'Key': 'k' * 129, 'Value': 'v'}])),",
      "    err(create(ok, name='py-tags', Tags=[{'Key': 'bad#key', 'Value': 'v'}])),",
      "    err(create(ok, name='py-tags', Tags=[{'Key': 'Team', 'Value': 'a'}, {'Key': 'team', 'Value': 'b'}]))]",
      `iam.put_role_policy(RoleName=n, PolicyName='inline', PolicyDocument=${lit(JSON.stringify(bigInline(250)))})`,
      `r['inlineSize'] = err(lambda: iam.put_role_policy(RoleName=n, PolicyName='more', PolicyDocument=${lit(JSON.stringify(bigInline(250)))}))`,
      `iam.attach_role_policy(RoleName=n, PolicyArn=${lit(AWS_POLICY("IAMReadOnlyAccess"))})`,
      "r['deleteAttached'] = err(lambda: iam.delete_role(RoleName=n))",
      `iam.detach_role_policy(RoleName=n, PolicyArn=${lit(AWS_POLICY("IAMReadOnlyAccess"))})`,
      "r['deleteInline'] = err(lambda: iam.delete_role(RoleName=n))",
      "iam.create_role(RoleName=f, AssumeRolePolicyDocument=ok)",
      "for i in range(10):",
      `    a = iam.create_policy(PolicyName=f + '-p%d' % i, PolicyDocument=${lit(JSON.stringify(policy(allow("s3:ListBucket"))))})['Policy']['Arn']`,
      "    iam.attach_role_policy(RoleName=f, PolicyArn=a)",
      `r['quota'] = err(lambda: iam.attach_role_policy(RoleName=f, PolicyArn=${lit(AWS_POLICY("IAMReadOnlyAccess"))}))`,
    ]);
    const noSuchRole = [404, "NoSuchEntity", "The role with name nobody cannot be found."];
    const validation = (m: string) => [400, "ValidationError", `1 validation error detected: ${m}`];
    const malformed = (m: string) => [400, "MalformedPolicyDocument", m];
    expect(out).toEqual({
      missing: Array.from({ length: 9 }, () => noSuchRole),
      exists: [409, "EntityAlreadyExists", `Role with name ${name.toUpperCase()} already exists.`],
      rolePolicy: [
        [404, "NoSuchEntity", "The role policy with name none cannot be found."],
        [404, "NoSuchEntity", "The role policy with name none cannot be found."],
      ],
      detach: [404, "NoSuchEntity", `Policy ${AWS_POLICY("IAMReadOnlyAccess")} was not found.`],
      attachUnknown: [404, "NoSuchEntity", `Policy arn:aws:iam::${ACCOUNT}:policy/NoSuchPolicy does not exist or is not attachable.`],
      attachNotArn: [400, "ValidationError", "ARN not-an-arn-at-all-really is not valid."],
      trust: [
        malformed("This policy contains invalid Json"),
        malformed("AssumeRole policy may only specify STS AssumeRole actions."),
        malformed("Has prohibited field Resource"),
        malformed("Invalid principal in policy: com.amazon.balsa.error.InvalidPolicyException: The passed in policy has a statement with no principals!"),
        malformed(`Invalid principal in policy: "AWS":"${roleArnOf("UC_ROLE")}"`),
        [409, "LimitExceeded", "Cannot exceed quota for ACLSizePerRole: 2048"],
      ],
      update: malformed("This policy contains invalid Json"),
      shapes: [
        validation(`Value '${"r".repeat(65)}' at 'roleName' failed to satisfy constraint: Member must have length less than or equal to 64`),
        // UNCONFIRMED wording (spec §7.3): Coral's integer pattern.
        validation("Value '43201' at 'maxSessionDuration' failed to satisfy constraint: Member must have value less than or equal to 43200"),
        validation("Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50"),
        validation("Value at 'tags.1.member.key' failed to satisfy constraint: Member must have length less than or equal to 128"),
        validation("Value at 'tags.1.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+"),
        [400, "InvalidInput", "Duplicate tag keys found. Please note that Tag keys are case insensitive."],
      ],
      // UNCONFIRMED text for roles (by analogy with users and groups).
      inlineSize: [409, "LimitExceeded", `Maximum policy size of 10240 bytes exceeded for role ${name}`],
      deleteAttached: [409, "DeleteConflict", "Cannot delete entity, must detach all policies first."],
      deleteInline: [409, "DeleteConflict", "Cannot delete entity, must delete policies first."],
      quota: [409, "LimitExceeded", "Cannot exceed quota for PoliciesPerRole: 10"],
    });
  });
});

describe.each(AWS_CLIS)("$name", ({ name, command }) => {
  it("iam get-role prints the trust policy as JSON; iam list-roles lists the role with MaxSessionDuration", async () => {
    const tag = name.endsWith("v1") ? "v1" : "v2";
    const role = uniqueName(`cli-${tag}-role`);
    const user = uniqueName(`cli-${tag}-user`);
    const { iam } = root();
    await iam.send(new CreateUserCommand({ UserName: user }));
    const document = trust({ AWS: userArnOf(user) }, { Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } } });
    await iam.send(new CreateRoleCommand({ RoleName: role, Path: `/cli-${tag}/`, AssumeRolePolicyDocument: JSON.stringify(document, null, 4), MaxSessionDuration: 14400 }));
    await iam.send(new TagRoleCommand({ RoleName: role, Tags: [{ Key: "owner", Value: user }] }));

    const got = await awsCli(command, server.url, server.root, ["iam", "get-role", "--role-name", role]);
    expect(got.stderr).toBe("");
    expect(got.code).toBe(0);
    const shown = {
      Path: `/cli-${tag}/`,
      RoleName: role,
      RoleId: ROLE_ID,
      Arn: roleArnOf(role, `/cli-${tag}/`),
      CreateDate: DATE,
      AssumeRolePolicyDocument: document,
    };
    expect(JSON.parse(got.stdout)).toEqual({ Role: { ...shown, MaxSessionDuration: 14400, Tags: [{ Key: "owner", Value: user }], RoleLastUsed: {} } });
    // The object's keys in the order IAM sends them (the CLI keeps the response's order).
    expect(Object.keys(JSON.parse(got.stdout).Role)).toEqual(["Path", "RoleName", "RoleId", "Arn", "CreateDate", "AssumeRolePolicyDocument", "MaxSessionDuration", "Tags", "RoleLastUsed"]);

    const listed = await awsCli(command, server.url, server.root, ["iam", "list-roles", "--path-prefix", `/cli-${tag}/`]);
    expect(listed.stderr).toBe("");
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual({ Roles: [{ ...shown, MaxSessionDuration: 14400 }] });
  });
});
