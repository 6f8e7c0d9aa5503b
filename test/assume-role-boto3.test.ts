/**
 * AssumeRole through boto3 (botocore's parser and error handling) and the aws CLI (v1 and v2):
 * the same rules as assume-role-sdk.test.ts, seen by the Python clients — each error's HTTP
 * status, code and exact text, MFA through SerialNumber/TokenCode and through a GetSessionToken
 * session, chaining, ExternalId, a session policy narrowing the role. Expected texts come from
 * reference/assume-role-spec.md §3.
 */
import { CreateRoleCommand, PutRolePolicyCommand, PutUserPolicyCommand, type IAMClient } from "@aws-sdk/client-iam";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AWS_CLIS, awsCli, boto3, sdkClients } from "./helpers/clients.js";
import { advanceSteps, codeAt, createUserWithKey, enabledVirtualDevice, freezeAtStepStart, serverStep, type VirtualDevice } from "./helpers/mfa.js";
import { startTestServer, type Credentials, type TestServer } from "./helpers/server.js";
import { asTuple, INVALID_CODE } from "./helpers/sts-errors.js";

let server: TestServer;
let iam: IAMClient;
let account: string;
let alice: Credentials;
let bob: Credentials;
let device: VirtualDevice;

const roleArnOf = (name: string) => `arn:aws:iam::${account}:role/${name}`;
const userArnOf = (name: string) => `arn:aws:iam::${account}:user/${name}`;
const allow = (action: string | string[], resource = "*") =>
  JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: action, Resource: resource }] });
const trust = (principal: unknown, condition?: unknown) =>
  JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: principal, Action: "sts:AssumeRole", ...(condition ? { Condition: condition } : {}) }] });
const deniedTuple = (caller: string, role: string) => [403, "AccessDenied", `User: ${caller} is not authorized to perform: sts:AssumeRole on resource: ${role}`];

function nextCode(): string {
  advanceSteps(server, 1);
  return codeAt(device.seed, serverStep(server));
}

/** Runs `script` in boto3 as `creds` and returns the JSON it printed last. */
async function py(creds: Credentials, script: string): Promise<unknown> {
  const r = await boto3(server.url, creds, script);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split("\n").pop()!);
}

beforeAll(async () => {
  server = await startTestServer();
  account = server.accountId;
  iam = sdkClients(server.url, server.root).iam;
  freezeAtStepStart(server);
  alice = await createUserWithKey(iam, "alice");
  bob = await createUserWithKey(iam, "bob");
  device = await enabledVirtualDevice(server, iam, "alice");
  await iam.send(new PutUserPolicyCommand({ UserName: "bob", PolicyName: "assume", PolicyDocument: allow("sts:AssumeRole", roleArnOf("*")) }));
  const roles: [string, string, number?][] = [
    ["admin", trust({ AWS: userArnOf("alice") })],
    ["by-account", trust({ AWS: account })],
    ["mfa-only", trust({ AWS: userArnOf("alice") }, { Bool: { "aws:MultiFactorAuthPresent": "true" } })],
    ["partner", trust({ AWS: userArnOf("alice") }, { StringEquals: { "sts:ExternalId": "ext-123" } })],
    ["next-hop", trust({ AWS: roleArnOf("admin") }), 7200],
    ["eight-hours", trust({ AWS: userArnOf("alice") }), 28_800],
  ];
  for (const [name, document, max] of roles) {
    await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: document, MaxSessionDuration: max }));
    await iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: "read", PolicyDocument: allow(["iam:ListUsers", "iam:ListRoles"]) }));
  }
}, 60_000);

afterAll(async () => {
  await server?.close();
});

describe("AssumeRole through boto3", () => {
  it("returns what botocore models: Credentials, AssumedRoleUser, and a session that names the role", async () => {
    const out = (await py(
      alice,
      [
        `r = sts.assume_role(RoleArn=${JSON.stringify(roleArnOf("admin"))}, RoleSessionName='alice')`,
        "c = r['Credentials']",
        "s2 = boto3.session.Session(aws_access_key_id=c['AccessKeyId'], aws_secret_access_key=c['SecretAccessKey'], aws_session_token=c['SessionToken'], region_name='us-east-1')",
        `me = s2.client('sts', endpoint_url=${JSON.stringify(server.url)}).get_caller_identity()`,
        "print(json.dumps([sorted(r.keys()), sorted(c.keys()), r['AssumedRoleUser'], me['Arn'], me['UserId'], c['Expiration'].isoformat(), 'PackedPolicySize' in r]))",
      ].join("\n"),
    )) as [string[], string[], { AssumedRoleId: string; Arn: string }, string, string, string, boolean];
    const [keys, credentialKeys, user, arn, userId, expiration, packed] = out;
    expect(keys).toEqual(["AssumedRoleUser", "Credentials", "ResponseMetadata"]);
    expect(credentialKeys).toEqual(["AccessKeyId", "Expiration", "SecretAccessKey", "SessionToken"]);
    expect(user.Arn).toBe(`arn:aws:sts::${account}:assumed-role/admin/alice`);
    expect(user.AssumedRoleId).toMatch(/^AROA[A-Z2-7]{17}:alice$/);
    expect([arn, userId]).toEqual([user.Arn, user.AssumedRoleId]);
    expect(expiration).toBe(new Date(Math.floor((server.clock.now() + 3_600_000) / 1000) * 1000).toISOString().replace(".000Z", "+00:00"));
    expect(packed).toBe(false);
  });

  it("answers every refusal with its status, code and exact text", async () => {
    const calls: [string, unknown][] = [
      [`RoleArn='nothing-valid-in-here', RoleSessionName='s'+'1'`, [400, "ValidationError", "nothing-valid-in-here is invalid"]],
      [
        `RoleArn=${JSON.stringify(roleArnOf("admin"))}, RoleSessionName='Session1:2'`,
        [400, "ValidationError", "1 validation error detected: Value 'Session1:2' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*"],
      ],
      [`RoleArn=${JSON.stringify(roleArnOf("missing"))}, RoleSessionName='s1'`, deniedTuple(userArnOf("alice"), roleArnOf("missing"))],
      [`RoleArn=${JSON.stringify(roleArnOf("by-account"))}, RoleSessionName='s1'`, deniedTuple(userArnOf("alice"), roleArnOf("by-account"))],
      [`RoleArn=${JSON.stringify(roleArnOf("mfa-only"))}, RoleSessionName='s1'`, deniedTuple(userArnOf("alice"), roleArnOf("mfa-only"))],
      [`RoleArn=${JSON.stringify(roleArnOf("partner"))}, RoleSessionName='s1', ExternalId='wrong-1'`, deniedTuple(userArnOf("alice"), roleArnOf("partner"))],
      [
        `RoleArn=${JSON.stringify(roleArnOf("eight-hours"))}, RoleSessionName='s1', DurationSeconds=28801`,
        [400, "ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."],
      ],
    ];
    const script = [`print(json.dumps([err(lambda: sts.assume_role(${calls.map(([args]) => args).join(")), err(lambda: sts.assume_role(")}))]))`].join("\n");
    expect(await py(alice, script)).toEqual(calls.map(([, expected]) => expected));
    expect(await py(server.root, `print(json.dumps(err(lambda: sts.assume_role(RoleArn=${JSON.stringify(roleArnOf("admin"))}, RoleSessionName='s1'))))`)).toEqual([
      403,
      "AccessDenied",
      "Roles may not be assumed by root accounts.",
    ]);
  });

  it("lets the account's trust through only with the caller's own permission", async () => {
    expect(await py(bob, `r = sts.assume_role(RoleArn=${JSON.stringify(roleArnOf("by-account"))}, RoleSessionName='bob')\nprint(json.dumps(r['AssumedRoleUser']['Arn']))`)).toBe(
      `arn:aws:sts::${account}:assumed-role/by-account/bob`,
    );
  });

  it("MFA: SerialNumber/TokenCode once, the same code refused, a GetSessionToken MFA session without a code", async () => {
    const code = nextCode();
    const later = codeAt(device.seed, serverStep(server) + 1);
    const out = await py(
      alice,
      [
        `a = dict(RoleArn=${JSON.stringify(roleArnOf("mfa-only"))}, RoleSessionName='mfa')`,
        `first = sts.assume_role(SerialNumber=${JSON.stringify(device.serialNumber)}, TokenCode=${JSON.stringify(code)}, **a)['AssumedRoleUser']['Arn']`,
        `again = err(lambda: sts.assume_role(SerialNumber=${JSON.stringify(device.serialNumber)}, TokenCode=${JSON.stringify(code)}, **a))`,
        `c = sts.get_session_token(SerialNumber=${JSON.stringify(device.serialNumber)}, TokenCode=${JSON.stringify(later)})['Credentials']`,
        "s2 = boto3.session.Session(aws_access_key_id=c['AccessKeyId'], aws_secret_access_key=c['SecretAccessKey'], aws_session_token=c['SessionToken'], region_name='us-east-1')",
        `via = s2.client('sts', endpoint_url=${JSON.stringify(server.url)}, config=cfg).assume_role(**a)['AssumedRoleUser']['Arn']`,
        "print(json.dumps([first, again, via]))",
      ].join("\n"),
    );
    const arn = `arn:aws:sts::${account}:assumed-role/mfa-only/mfa`;
    expect(out).toEqual([arn, asTuple(INVALID_CODE), arn]);
  });

  it("chaining: role → role with 3601 s refused, 3600 s allowed; ExternalId; a session policy narrowing the role", async () => {
    const out = await py(
      alice,
      [
        `c = sts.assume_role(RoleArn=${JSON.stringify(roleArnOf("admin"))}, RoleSessionName='hop1')['Credentials']`,
        "s2 = boto3.session.Session(aws_access_key_id=c['AccessKeyId'], aws_secret_access_key=c['SecretAccessKey'], aws_session_token=c['SessionToken'], region_name='us-east-1')",
        `sts2 = s2.client('sts', endpoint_url=${JSON.stringify(server.url)}, config=cfg)`,
        `long = err(lambda: sts2.assume_role(RoleArn=${JSON.stringify(roleArnOf("next-hop"))}, RoleSessionName='hop2', DurationSeconds=3601))`,
        `ok = sts2.assume_role(RoleArn=${JSON.stringify(roleArnOf("next-hop"))}, RoleSessionName='hop2', DurationSeconds=3600)['AssumedRoleUser']['Arn']`,
        `ext = sts.assume_role(RoleArn=${JSON.stringify(roleArnOf("partner"))}, RoleSessionName='ext', ExternalId='ext-123')['AssumedRoleUser']['Arn']`,
        `n = sts.assume_role(RoleArn=${JSON.stringify(roleArnOf("admin"))}, RoleSessionName='narrow', Policy=${JSON.stringify(allow("iam:ListRoles"))})`,
        "nc = n['Credentials']",
        "s3 = boto3.session.Session(aws_access_key_id=nc['AccessKeyId'], aws_secret_access_key=nc['SecretAccessKey'], aws_session_token=nc['SessionToken'], region_name='us-east-1')",
        `iam3 = s3.client('iam', endpoint_url=${JSON.stringify(server.url)}, config=cfg)`,
        "roles = len(iam3.list_roles()['Roles'])",
        "users = err(lambda: iam3.list_users())",
        "print(json.dumps([long, ok, ext, n['PackedPolicySize'] > 0, roles, users]))",
      ].join("\n"),
    );
    expect(out).toEqual([
      [400, "ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."],
      `arn:aws:sts::${account}:assumed-role/next-hop/hop2`,
      `arn:aws:sts::${account}:assumed-role/partner/ext`,
      true,
      6,
      [
        403,
        "AccessDenied",
        `User: arn:aws:sts::${account}:assumed-role/admin/narrow is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::${account}:user/ because no session policy allows the iam:ListUsers action`,
      ],
    ]);
  });
});

describe.each(AWS_CLIS)("aws sts assume-role through $name", ({ command }) => {
  it("prints the credentials and the assumed-role user; an error as the CLI's one line with exit 254/255", async () => {
    const ok = await awsCli(command, server.url, alice, ["sts", "assume-role", "--role-arn", roleArnOf("admin"), "--role-session-name", "cli"]);
    expect(ok.code, ok.stderr).toBe(0);
    const out = JSON.parse(ok.stdout) as { Credentials: Record<string, string>; AssumedRoleUser: Record<string, string> };
    expect(Object.keys(out)).toEqual(["Credentials", "AssumedRoleUser"]);
    expect(Object.keys(out.AssumedRoleUser)).toEqual(["AssumedRoleId", "Arn"]);
    expect(out.AssumedRoleUser.Arn).toBe(`arn:aws:sts::${account}:assumed-role/admin/cli`);
    const refused = await awsCli(command, server.url, alice, ["sts", "assume-role", "--role-arn", roleArnOf("by-account"), "--role-session-name", "cli"]);
    expect(refused.code).toBe(command === "aws" ? 255 : 254);
    expect(refused.stderr).toBe(
      `\nAn error occurred (AccessDenied) when calling the AssumeRole operation: User: ${userArnOf("alice")} is not authorized to perform: sts:AssumeRole on resource: ${roleArnOf("by-account")}\n`,
    );
  });
});
