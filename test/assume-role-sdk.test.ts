/**
 * STS AssumeRole and role sessions (issue 14) through @aws-sdk/client-sts and client-iam: every
 * rule and error of reference/assume-role-spec.md §3–§6 with its exact code, status and text —
 * trust by user and by account, MFA through SerialNumber/TokenCode and through a GetSessionToken
 * session, replayed codes, ExternalId, session policies, chaining, durations, session tags — and
 * what a role session may then do. Expected texts are written out from the spec, not taken from
 * src/errors.ts. Texts the spec marks UNCONFIRMED are said so where asserted.
 */
import {
  AttachUserPolicyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  GetUserCommand,
  ListUsersCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  type IAMClient,
} from "@aws-sdk/client-iam";
import { AssumeRoleCommand, GetCallerIdentityCommand, GetSessionTokenCommand, type AssumeRoleCommandInput, type STSClient } from "@aws-sdk/client-sts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sdkClients, sdkError } from "./helpers/clients.js";
import { advanceSteps, codeAt, createUserWithKey, enabledVirtualDevice, freezeAtStepStart, serverStep, type VirtualDevice } from "./helpers/mfa.js";
import { startTestServer, type Credentials, type TestServer } from "./helpers/server.js";
import { signedFetch } from "./helpers/signed-fetch.js";
import { INCOMPLETE, INVALID_CODE, NOT_ASSOCIATED } from "./helpers/sts-errors.js";

let server: TestServer;
let root: { sts: STSClient; iam: IAMClient };
let account: string;
let alice: Credentials;
let bob: Credentials;
let carol: Credentials;
let device: VirtualDevice;

const trust = (principal: unknown, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: principal, Action: ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"], ...extra }] });
const allow = (action: string | string[], resource = "*") =>
  JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: action, Resource: resource }] });
const roleArnOf = (name: string) => `arn:aws:iam::${account}:role/${name}`;
const userArnOf = (name: string) => `arn:aws:iam::${account}:user/${name}`;
const denied = (caller: string, role: string, action = "sts:AssumeRole") => ({
  status: 403,
  code: "AccessDenied",
  message: `User: ${caller} is not authorized to perform: ${action} on resource: ${role}`,
});
const validation = (message: string) => ({ status: 400, code: "ValidationError", message });

const sts = (creds: Credentials) => sdkClients(server.url, creds).sts;
const iam = (creds: Credentials) => sdkClients(server.url, creds).iam;
const assume = (creds: Credentials, input: Partial<AssumeRoleCommandInput> & { RoleArn: string }) =>
  sts(creds).send(new AssumeRoleCommand({ RoleSessionName: "s1", ...input }));
const asCredentials = (c: { AccessKeyId?: string; SecretAccessKey?: string; SessionToken?: string } | undefined): Credentials => ({
  accessKeyId: c!.AccessKeyId!,
  secretAccessKey: c!.SecretAccessKey!,
  sessionToken: c!.SessionToken!,
});

/** A code for a step the device has not used: the clock moves one step on first. */
function nextCode(): string {
  advanceSteps(server, 1);
  return codeAt(device.seed, serverStep(server));
}

async function createRole(name: string, trustPolicy: string, extra: { MaxSessionDuration?: number; policy?: string } = {}): Promise<void> {
  await root.iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trustPolicy, MaxSessionDuration: extra.MaxSessionDuration }));
  if (extra.policy) await root.iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: "p", PolicyDocument: extra.policy }));
}

beforeAll(async () => {
  server = await startTestServer();
  account = server.accountId;
  root = sdkClients(server.url, server.root);
  freezeAtStepStart(server);
  alice = await createUserWithKey(root.iam, "alice");
  bob = await createUserWithKey(root.iam, "bob");
  carol = await createUserWithKey(root.iam, "carol");
  device = await enabledVirtualDevice(server, root.iam, "alice");
  // bob may assume any role whose trust names the account; nobody else has identity permissions.
  await root.iam.send(new PutUserPolicyCommand({ UserName: "bob", PolicyName: "assume", PolicyDocument: allow("sts:AssumeRole", roleArnOf("*")) }));

  await createRole("trusts-alice", trust({ AWS: userArnOf("alice") }), { policy: allow(["iam:ListUsers", "iam:GetRole"]) });
  await createRole("trusts-account", trust({ AWS: account }), { policy: allow("iam:ListUsers") });
  await createRole("trusts-root-arn", trust({ AWS: `arn:aws:iam::${account}:root` }));
  await createRole("needs-mfa", trust({ AWS: userArnOf("alice") }, { Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } } }));
  await createRole("needs-external-id", trust({ AWS: userArnOf("alice") }, { Condition: { StringEquals: { "sts:ExternalId": "Unique-ID-Assigned-by-Example-Corp" } } }));
  await createRole("long", trust({ AWS: userArnOf("alice") }), { MaxSessionDuration: 7200 });
  await createRole("chain-target", trust({ AWS: roleArnOf("trusts-alice") }), { MaxSessionDuration: 7200, policy: allow("iam:ListUsers") });
  await createRole("no-tags", JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: userArnOf("alice") }, Action: "sts:AssumeRole" }] }));
  await createRole(
    "denies-alice",
    JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Principal: { AWS: account }, Action: "sts:AssumeRole" },
        { Effect: "Deny", Principal: { AWS: userArnOf("bob") }, Action: "sts:AssumeRole" },
      ],
    }),
  );
}, 60_000);

afterAll(async () => {
  await server?.close();
});

describe("AssumeRole: the response", () => {
  it("answers AssumedRoleUser before Credentials, an AROA id with the session name, an hour by default, and no PackedPolicySize", async () => {
    const res = await signedFetch(server.url, alice, {
      body: `Action=AssumeRole&Version=2011-06-15&RoleArn=${encodeURIComponent(roleArnOf("trusts-alice"))}&RoleSessionName=alice%40example.com`,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/xml");
    const roleId = /<AssumedRoleId>(AROA[A-Z2-7]{17}):alice@example\.com<\/AssumedRoleId>/.exec(res.body)?.[1];
    expect(roleId).toBeDefined();
    const expires = new Date(server.clock.now() + 3_600_000).toISOString().replace(/\.\d{3}Z$/, "Z");
    expect(res.body).toMatch(
      new RegExp(
        "^<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n  <AssumeRoleResult>\n    <AssumedRoleUser>\n" +
          `      <AssumedRoleId>${roleId}:alice@example.com</AssumedRoleId>\n` +
          `      <Arn>arn:aws:sts::${account}:assumed-role/trusts-alice/alice@example.com</Arn>\n` +
          "    </AssumedRoleUser>\n    <Credentials>\n      <AccessKeyId>ASIA[A-Z2-7]{16}</AccessKeyId>\n" +
          "      <SecretAccessKey>[A-Za-z0-9+/]{40}</SecretAccessKey>\n      <SessionToken>[^<]{100,}</SessionToken>\n" +
          `      <Expiration>${expires}</Expiration>\n    </Credentials>\n  </AssumeRoleResult>\n` +
          "  <ResponseMetadata>\n    <RequestId>[0-9a-f-]{36}</RequestId>\n  </ResponseMetadata>\n</AssumeRoleResponse>\n$",
      ),
    );
  });

  it("gives GetCallerIdentity the AROA…:session id and the assumed-role ARN, in the role's account", async () => {
    const out = await assume(alice, { RoleArn: roleArnOf("trusts-alice"), RoleSessionName: "who" });
    expect(out.PackedPolicySize).toBeUndefined();
    const me = await sts(asCredentials(out.Credentials)).send(new GetCallerIdentityCommand({}));
    expect(me.Arn).toBe(`arn:aws:sts::${account}:assumed-role/trusts-alice/who`);
    expect(me.UserId).toBe(out.AssumedRoleUser!.AssumedRoleId);
    expect(me.UserId).toMatch(/^AROA[A-Z2-7]{17}:who$/);
    expect(me.Account).toBe(account);
  });
});

describe("AssumeRole: validation (spec §3 rows 4–9, 12)", () => {
  it.each([
    ["nothing-valid-in-here", "nothing-valid-in-here is invalid"],
    ["arn::b:::something/test-role", "arn::b:::something/test-role is invalid"],
    ["arn:a::::something/test-role", "arn:a::::something/test-role is invalid"],
    ["arn:a:::something/test-role", "arn:a:::something/test-role is invalid"],
    ["arn:a:a::aaaaaaaaaa:", "arn:a:a::aaaaaaaaaa: is invalid"],
  ])("refuses the RoleArn %s as recorded", async (arn, message) => {
    expect(await sdkError(assume(alice, { RoleArn: arn }))).toEqual(validation(message));
  });

  it("refuses session names as recorded: pattern, length, and both (pattern first)", async () => {
    const arn = roleArnOf("trusts-alice");
    expect(await sdkError(assume(alice, { RoleArn: arn, RoleSessionName: "Session1:2" }))).toEqual(
      validation("1 validation error detected: Value 'Session1:2' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*"),
    );
    const long = "s".repeat(65);
    expect(await sdkError(assume(alice, { RoleArn: arn, RoleSessionName: long }))).toEqual(
      validation(`1 validation error detected: Value '${long}' at 'roleSessionName' failed to satisfy constraint: Member must have length less than or equal to 64`),
    );
  });

  it("checks the session name before the role: the same error for a role that does not exist", async () => {
    expect(await sdkError(assume(alice, { RoleArn: roleArnOf("no-such-role"), RoleSessionName: "a:b" }))).toEqual(
      validation("1 validation error detected: Value 'a:b' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*"),
    );
  });

  it("refuses durations outside 900…43200 with Coral's texts (the 43200 one UNCONFIRMED for AssumeRole)", async () => {
    const arn = roleArnOf("long");
    expect(await sdkError(assume(alice, { RoleArn: arn, DurationSeconds: 600 }))).toEqual(
      validation("1 validation error detected: Value '600' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900"),
    );
    expect(await sdkError(assume(alice, { RoleArn: arn, DurationSeconds: 43201 }))).toEqual(
      validation("1 validation error detected: Value '43201' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200"),
    );
  });

  it("refuses a malformed session policy with MalformedPolicyDocument (text from the policy grammar; AWS's UNCONFIRMED)", async () => {
    const error = await sdkError(assume(alice, { RoleArn: roleArnOf("trusts-alice"), Policy: "{not json" }));
    expect(error).toEqual({ status: 400, code: "MalformedPolicyDocument", message: "Syntax errors in policy." });
  });
});

describe("AssumeRole: who may assume (spec §4.1)", () => {
  it("lets a user the trust policy names assume the role without any identity policy", async () => {
    const out = await assume(alice, { RoleArn: roleArnOf("trusts-alice") });
    expect(out.AssumedRoleUser!.Arn).toBe(`arn:aws:sts::${account}:assumed-role/trusts-alice/s1`);
  });

  it("needs the caller's own permission when the trust names only the account (by id or by root ARN)", async () => {
    await expect(assume(bob, { RoleArn: roleArnOf("trusts-account") })).resolves.toBeDefined();
    await expect(assume(bob, { RoleArn: roleArnOf("trusts-root-arn") })).resolves.toBeDefined();
    expect(await sdkError(assume(carol, { RoleArn: roleArnOf("trusts-account") }))).toEqual(denied(userArnOf("carol"), roleArnOf("trusts-account")));
  });

  it("refuses a caller the trust does not name, even with an identity policy allowing every role", async () => {
    expect(await sdkError(assume(bob, { RoleArn: roleArnOf("trusts-alice") }))).toEqual(denied(userArnOf("bob"), roleArnOf("trusts-alice")));
  });

  it("lets an explicit deny win: in the trust policy, and in the caller's own policies", async () => {
    expect(await sdkError(assume(bob, { RoleArn: roleArnOf("denies-alice") }))).toEqual(denied(userArnOf("bob"), roleArnOf("denies-alice")));
    const dave = await createUserWithKey(root.iam, "dave2");
    await root.iam.send(
      new PutUserPolicyCommand({
        UserName: "dave2",
        PolicyName: "no-roles",
        PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Deny", Action: "sts:AssumeRole", Resource: "*" }] }),
      }),
    );
    await createRole("trusts-dave2", trust({ AWS: userArnOf("dave2") }));
    expect(await sdkError(assume(dave, { RoleArn: roleArnOf("trusts-dave2") }))).toEqual(denied(userArnOf("dave2"), roleArnOf("trusts-dave2")));
  });

  it("answers a role that does not exist, a user's ARN and another account's role exactly like a refused one (rows 2–3)", async () => {
    for (const arn of [roleArnOf("no-such-role"), userArnOf("alice"), "arn:aws:iam::999999999999:role/trusts-alice", `arn:aws:iam::${account}:role/wrong/path/trusts-alice`]) {
      expect(await sdkError(assume(alice, { RoleArn: arn }))).toEqual(denied(userArnOf("alice"), arn));
    }
  });

  it("refuses the root user with AWS's own text (row 16)", async () => {
    expect(await sdkError(assume(server.root, { RoleArn: roleArnOf("trusts-account") }))).toEqual({
      status: 403,
      code: "AccessDenied",
      message: "Roles may not be assumed by root accounts.",
    });
  });

  it("matches sts:ExternalId conditions", async () => {
    const arn = roleArnOf("needs-external-id");
    expect(await sdkError(assume(alice, { RoleArn: arn }))).toEqual(denied(userArnOf("alice"), arn));
    expect(await sdkError(assume(alice, { RoleArn: arn, ExternalId: "wrong-id" }))).toEqual(denied(userArnOf("alice"), arn));
    await expect(assume(alice, { RoleArn: arn, ExternalId: "Unique-ID-Assigned-by-Example-Corp" })).resolves.toBeDefined();
  });
});

describe("AssumeRole with MFA (spec §4.4)", () => {
  const arn = () => roleArnOf("needs-mfa");

  it("refuses long-term keys without a code, accepts SerialNumber/TokenCode, and refuses the code a second time", async () => {
    expect(await sdkError(assume(alice, { RoleArn: arn() }))).toEqual(denied(userArnOf("alice"), arn()));
    const code = nextCode();
    await expect(assume(alice, { RoleArn: arn(), SerialNumber: device.serialNumber, TokenCode: code })).resolves.toBeDefined();
    expect(await sdkError(assume(alice, { RoleArn: arn(), SerialNumber: device.serialNumber, TokenCode: code }))).toEqual(INVALID_CODE);
  });

  it("answers a wrong code, a device that is not the caller's and half of the pair as GetSessionToken does", async () => {
    const right = nextCode();
    const wrong = right === "000000" ? "111111" : "000000";
    expect(await sdkError(assume(alice, { RoleArn: arn(), SerialNumber: device.serialNumber, TokenCode: wrong }))).toEqual(INVALID_CODE);
    expect(await sdkError(assume(bob, { RoleArn: arn(), SerialNumber: device.serialNumber, TokenCode: nextCode() }))).toEqual(NOT_ASSOCIATED);
    expect(await sdkError(assume(alice, { RoleArn: arn(), SerialNumber: device.serialNumber }))).toEqual(INCOMPLETE);
  });

  it("accepts an MFA GetSessionToken session without a code, and refuses one made without MFA", async () => {
    const withMfa = await sts(alice).send(new GetSessionTokenCommand({ SerialNumber: device.serialNumber, TokenCode: nextCode() }));
    await expect(assume(asCredentials(withMfa.Credentials), { RoleArn: arn() })).resolves.toBeDefined();
    const without = await sts(alice).send(new GetSessionTokenCommand({}));
    expect(await sdkError(assume(asCredentials(without.Credentials), { RoleArn: arn() }))).toEqual(denied(userArnOf("alice"), arn()));
  });
});

describe("AssumeRole: durations and chaining (spec §5)", () => {
  it("allows up to the role's MaxSessionDuration and refuses beyond it", async () => {
    const out = await assume(alice, { RoleArn: roleArnOf("long"), DurationSeconds: 7200 });
    expect(out.Credentials!.Expiration!.getTime()).toBe(Math.floor((server.clock.now() + 7_200_000) / 1000) * 1000);
    expect(await sdkError(assume(alice, { RoleArn: roleArnOf("long"), DurationSeconds: 7201 }))).toEqual(
      validation("The requested DurationSeconds exceeds the MaxSessionDuration set for this role."),
    );
  });

  it("limits a role session assuming another role to one hour (role → role with 3601 refused)", async () => {
    const first = asCredentials((await assume(alice, { RoleArn: roleArnOf("trusts-alice") })).Credentials);
    expect(await sdkError(assume(first, { RoleArn: roleArnOf("chain-target"), DurationSeconds: 3601 }))).toEqual(
      validation("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."),
    );
    const second = await assume(first, { RoleArn: roleArnOf("chain-target"), RoleSessionName: "hop", DurationSeconds: 3600 });
    const me = await sts(asCredentials(second.Credentials)).send(new GetCallerIdentityCommand({}));
    expect(me.Arn).toBe(`arn:aws:sts::${account}:assumed-role/chain-target/hop`);
  });

  it("counts a GetSessionToken session as chaining too, and the MaxSessionDuration text wins over the chaining one", async () => {
    const session = asCredentials((await sts(alice).send(new GetSessionTokenCommand({ SerialNumber: device.serialNumber, TokenCode: nextCode() }))).Credentials);
    expect(await sdkError(assume(session, { RoleArn: roleArnOf("long"), DurationSeconds: 3601 }))).toEqual(
      validation("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."),
    );
    expect(await sdkError(assume(session, { RoleArn: roleArnOf("trusts-alice"), DurationSeconds: 3601 }))).toEqual(
      validation("The requested DurationSeconds exceeds the MaxSessionDuration set for this role."),
    );
  });

  it("checks authorization before the durations", async () => {
    const session = asCredentials((await sts(bob).send(new GetSessionTokenCommand({}))).Credentials);
    expect(await sdkError(assume(session, { RoleArn: roleArnOf("trusts-alice"), DurationSeconds: 7200 }))).toEqual(
      denied(userArnOf("bob"), roleArnOf("trusts-alice")),
    );
  });
});

describe("role sessions (spec §6)", () => {
  it("are authorized by the role's policies, with the assumed-role ARN in denials", async () => {
    const creds = asCredentials((await assume(alice, { RoleArn: roleArnOf("trusts-alice"), RoleSessionName: "ops" })).Credentials);
    const users = await iam(creds).send(new ListUsersCommand({}));
    expect(users.Users!.map((u) => u.UserName)).toContain("alice");
    const error = await sdkError(iam(creds).send(new GetUserCommand({ UserName: "bob" })));
    expect(error).toEqual({
      status: 403,
      code: "AccessDenied",
      message: `User: arn:aws:sts::${account}:assumed-role/trusts-alice/ops is not authorized to perform: iam:GetUser on resource: user bob because no identity-based policy allows the iam:GetUser action`,
    });
  });

  it("are narrowed by a session policy, and PackedPolicySize is answered", async () => {
    const out = await assume(alice, { RoleArn: roleArnOf("trusts-alice"), RoleSessionName: "narrow", Policy: allow("iam:GetRole") });
    expect(out.PackedPolicySize).toBeGreaterThan(0);
    expect(out.PackedPolicySize).toBeLessThan(30);
    const error = await sdkError(iam(asCredentials(out.Credentials)).send(new ListUsersCommand({})));
    expect(error).toEqual({
      status: 403,
      code: "AccessDenied",
      message: `User: arn:aws:sts::${account}:assumed-role/trusts-alice/narrow is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::${account}:user/ because no session policy allows the iam:ListUsers action`,
    });
  });

  it("name an explicit deny in a session policy as AWS does (\"a sessions policy\", sic)", async () => {
    const policy = JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Action: "*", Resource: "*" },
        { Effect: "Deny", Action: "iam:ListUsers", Resource: "*" },
      ],
    });
    const out = await assume(alice, { RoleArn: roleArnOf("trusts-alice"), RoleSessionName: "denied", Policy: policy });
    expect(await sdkError(iam(asCredentials(out.Credentials)).send(new ListUsersCommand({})))).toEqual({
      status: 403,
      code: "AccessDenied",
      message: `User: arn:aws:sts::${account}:assumed-role/trusts-alice/denied is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::${account}:user/ with an explicit deny in a sessions policy`,
    });
  });

  it("are narrowed by managed session policies (PolicyArns)", async () => {
    const { Policy } = await root.iam.send(new CreatePolicyCommand({ PolicyName: "only-get-role", PolicyDocument: allow("iam:GetRole") }));
    const out = await assume(alice, { RoleArn: roleArnOf("trusts-alice"), RoleSessionName: "arns", PolicyArns: [{ arn: Policy!.Arn! }] });
    expect(out.PackedPolicySize).toBeGreaterThan(0);
    const error = await sdkError(iam(asCredentials(out.Credentials)).send(new ListUsersCommand({})));
    expect(error.message).toMatch(/because no session policy allows the iam:ListUsers action$/);
  });

  it("may not call GetSessionToken, and IAM per-user calls need a UserName", async () => {
    const creds = asCredentials((await assume(alice, { RoleArn: roleArnOf("trusts-alice") })).Credentials);
    expect(await sdkError(sts(creds).send(new GetSessionTokenCommand({})))).toEqual({
      status: 403,
      code: "AccessDenied",
      message: "Cannot call GetSessionToken with session credentials",
    });
    expect(await sdkError(iam(creds).send(new GetUserCommand({})))).toEqual(
      validation("Must specify userName when calling with non-User credentials"),
    );
  });

  it("stop when their role is deleted, and stay stopped when a role of the same name is made again", async () => {
    await createRole("short-lived", trust({ AWS: userArnOf("alice") }), { policy: allow("iam:ListUsers") });
    const creds = asCredentials((await assume(alice, { RoleArn: roleArnOf("short-lived") })).Credentials);
    await root.iam.send(new DeleteRolePolicyCommand({ RoleName: "short-lived", PolicyName: "p" }));
    await root.iam.send(new DeleteRoleCommand({ RoleName: "short-lived" }));
    await createRole("short-lived", trust({ AWS: userArnOf("alice") }), { policy: allow("iam:ListUsers") });
    expect(await sdkError(sts(creds).send(new GetCallerIdentityCommand({})))).toEqual({
      status: 403,
      code: "InvalidClientTokenId",
      message: "The security token included in the request is invalid",
    });
  });
});

describe("session tags (spec §3 rows 18–20)", () => {
  it("refuses duplicate keys (ignoring case) and transitive keys that are not among the tags, as recorded", async () => {
    const arn = roleArnOf("trusts-alice");
    expect(await sdkError(assume(alice, { RoleArn: arn, Tags: [{ Key: "Project", Value: "a" }, { Key: "project", Value: "b" }] }))).toEqual({
      status: 400,
      code: "InvalidParameterValue",
      message: "Duplicate tag keys found. Please note that Tag keys are case insensitive.",
    });
    expect(await sdkError(assume(alice, { RoleArn: arn, Tags: [{ Key: "Project", Value: "a" }], TransitiveTagKeys: ["Team"] }))).toEqual({
      status: 400,
      code: "InvalidParameterValue",
      message: "The specified transitive tag key must be included in the requested tags.",
    });
  });

  it("passes transitive tags on when chaining and refuses a chained call that would replace one", async () => {
    const first = await assume(alice, { RoleArn: roleArnOf("trusts-alice"), Tags: [{ Key: "Project", Value: "x" }], TransitiveTagKeys: ["Project"] });
    expect(first.PackedPolicySize).toBeGreaterThan(0);
    const creds = asCredentials(first.Credentials);
    expect(await sdkError(assume(creds, { RoleArn: roleArnOf("chain-target"), Tags: [{ Key: "PROJECT", Value: "y" }] }))).toEqual({
      status: 400,
      code: "InvalidParameterValue",
      message: "One of the specified transitive tag keys can't be set because it conflicts with a transitive tag key from the calling session.",
    });
    await expect(assume(creds, { RoleArn: roleArnOf("chain-target"), Tags: [{ Key: "Team", Value: "y" }] })).resolves.toBeDefined();
  });

  it("needs sts:TagSession in the trust policy to tag, and sts:SetSourceIdentity to set a source identity", async () => {
    const arn = roleArnOf("no-tags");
    await expect(assume(alice, { RoleArn: arn })).resolves.toBeDefined();
    expect(await sdkError(assume(alice, { RoleArn: arn, Tags: [{ Key: "Project", Value: "x" }] }))).toEqual(denied(userArnOf("alice"), arn, "sts:TagSession"));
    expect(await sdkError(assume(alice, { RoleArn: arn, SourceIdentity: "alice" }))).toEqual(denied(userArnOf("alice"), arn, "sts:SetSourceIdentity"));
    const out = await assume(alice, { RoleArn: roleArnOf("trusts-alice"), SourceIdentity: "alice" });
    expect(out.SourceIdentity).toBe("alice");
  });
});

describe("chained calls and what the calling session was given", () => {
  const sessionArnOf = (role: string, session: string) => `arn:aws:sts::${account}:assumed-role/${role}/${session}`;

  it("a session policy limits chaining through a trust naming the role; a trust naming the session itself does not (spec §4.1)", async () => {
    await createRole("trusts-limited-session", trust({ AWS: sessionArnOf("trusts-alice", "limited") }));
    const limited = asCredentials((await assume(alice, { RoleArn: roleArnOf("trusts-alice"), RoleSessionName: "limited", Policy: allow("iam:GetRole") })).Credentials);
    expect(await sdkError(assume(limited, { RoleArn: roleArnOf("chain-target") }))).toEqual(denied(sessionArnOf("trusts-alice", "limited"), roleArnOf("chain-target")));
    await expect(assume(limited, { RoleArn: roleArnOf("trusts-limited-session") })).resolves.toBeDefined();
    // A session policy that allows sts:AssumeRole lets the same chain through (the role's own policies do not).
    const policy = allow(["iam:GetRole", "sts:AssumeRole"]);
    const allowed = asCredentials((await assume(alice, { RoleArn: roleArnOf("trusts-alice"), RoleSessionName: "may-chain", Policy: policy })).Credentials);
    await expect(assume(allowed, { RoleArn: roleArnOf("chain-target") })).resolves.toBeDefined();
  });

  it("a source identity passes on, cannot be changed, and is in the next trust's context without being sent again", async () => {
    await createRole("needs-source-alice", trust({ AWS: roleArnOf("trusts-alice") }, { Condition: { StringEquals: { "sts:SourceIdentity": "alice" } } }));
    const first = asCredentials((await assume(alice, { RoleArn: roleArnOf("trusts-alice"), RoleSessionName: "src", SourceIdentity: "alice" })).Credentials);
    // UNCONFIRMED wire text: refused as a missing sts:SetSourceIdentity permission.
    expect(await sdkError(assume(first, { RoleArn: roleArnOf("chain-target"), SourceIdentity: "mallory" }))).toEqual(
      denied(sessionArnOf("trusts-alice", "src"), roleArnOf("chain-target"), "sts:SetSourceIdentity"),
    );
    await expect(assume(first, { RoleArn: roleArnOf("needs-source-alice") })).resolves.toBeDefined();
    expect((await assume(first, { RoleArn: roleArnOf("needs-source-alice"), SourceIdentity: "alice" })).SourceIdentity).toBe("alice");
    // Without a source identity the same trust refuses.
    const plain = asCredentials((await assume(alice, { RoleArn: roleArnOf("trusts-alice"), RoleSessionName: "plain" })).Credentials);
    expect(await sdkError(assume(plain, { RoleArn: roleArnOf("needs-source-alice") }))).toEqual(denied(sessionArnOf("trusts-alice", "plain"), roleArnOf("needs-source-alice")));
  });

  it("a role session's SerialNumber/TokenCode do not make it MFA-authenticated (row 1's text, UNCONFIRMED) and do not stop a trust without MFA", async () => {
    await createRole("role-needs-mfa", trust({ AWS: roleArnOf("trusts-alice") }, { Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } } }));
    const first = asCredentials((await assume(alice, { RoleArn: roleArnOf("trusts-alice"), RoleSessionName: "with-code" })).Credentials);
    expect(await sdkError(assume(first, { RoleArn: roleArnOf("role-needs-mfa"), SerialNumber: device.serialNumber, TokenCode: nextCode() }))).toEqual(
      denied(sessionArnOf("trusts-alice", "with-code"), roleArnOf("role-needs-mfa")),
    );
    await expect(assume(first, { RoleArn: roleArnOf("chain-target"), SerialNumber: device.serialNumber, TokenCode: nextCode() })).resolves.toBeDefined();
  });
});

describe("session tokens stay usable", () => {
  it("a session whose token would be too long to open is refused with PackedPolicyTooLarge, not issued", async () => {
    // Text that packs small (within the packed budget) but is carried in the token as sent.
    const resources = Array.from({ length: 22 }, (_, i) => `arn:aws:s3:::bucket-${String(i).padStart(2, "0")}-${"a".repeat(60)}`);
    const policy = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: resources }] });
    expect(policy.length).toBeLessThanOrEqual(2048);
    const tags = Array.from({ length: 20 }, (_, i) => ({ Key: `key-${String(i).padStart(2, "0")}-${"k".repeat(54)}`, Value: "v".repeat(60) }));
    const error = await sdkError(assume(alice, { RoleArn: roleArnOf("trusts-alice"), Policy: policy, Tags: tags }));
    expect(error).toMatchObject({ status: 400, code: "PackedPolicyTooLarge" });
    expect(error.message).toMatch(/^Packed size of session tags consumes 1\d\d% of allotted space\.$/);
    // The policy alone fits: its session works.
    const out = await assume(alice, { RoleArn: roleArnOf("trusts-alice"), Policy: policy });
    await expect(sts(asCredentials(out.Credentials)).send(new GetCallerIdentityCommand({}))).resolves.toBeDefined();
  });

  it("takes a managed session policy ARN of any accepted length (no 500); one that names no policy grants nothing", async () => {
    const arn = `arn:aws:iam::${account}:policy/${"a".repeat(1100)}`;
    const out = await assume(alice, { RoleArn: roleArnOf("trusts-alice"), RoleSessionName: "long-arn", PolicyArns: [{ arn }] });
    const creds = asCredentials(out.Credentials);
    await expect(sts(creds).send(new GetCallerIdentityCommand({}))).resolves.toMatchObject({ Arn: `arn:aws:sts::${account}:assumed-role/trusts-alice/long-arn` });
    expect(await sdkError(iam(creds).send(new ListUsersCommand({})))).toMatchObject({ status: 403, code: "AccessDenied" });
  });
});

describe("policies on role sessions see the role's context", () => {
  it("aws:PrincipalTag from session tags and the role ARN as aws:PrincipalArn", async () => {
    await createRole("tag-checked", trust({ AWS: userArnOf("alice") }), {
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Action: "iam:ListUsers", Resource: "*", Condition: { StringEquals: { "aws:PrincipalTag/team": "ops", "aws:PrincipalArn": roleArnOf("tag-checked") } } },
        ],
      }),
    });
    const ops = asCredentials((await assume(alice, { RoleArn: roleArnOf("tag-checked"), Tags: [{ Key: "Team", Value: "ops" }] })).Credentials);
    await expect(iam(ops).send(new ListUsersCommand({}))).resolves.toBeDefined();
    const dev = asCredentials((await assume(alice, { RoleArn: roleArnOf("tag-checked"), Tags: [{ Key: "Team", Value: "dev" }] })).Credentials);
    expect((await sdkError(iam(dev).send(new ListUsersCommand({})))).code).toBe("AccessDenied");
  });

  it("an identity policy naming the role's ARN lets the user assume a role whose trust names the account", async () => {
    const erin = await createUserWithKey(root.iam, "erin");
    expect((await sdkError(assume(erin, { RoleArn: roleArnOf("trusts-account") }))).code).toBe("AccessDenied");
    const { Policy } = await root.iam.send(new CreatePolicyCommand({ PolicyName: "assume-trusts-account", PolicyDocument: allow("sts:AssumeRole", roleArnOf("trusts-account")) }));
    await root.iam.send(new AttachUserPolicyCommand({ UserName: "erin", PolicyArn: Policy!.Arn! }));
    await expect(assume(erin, { RoleArn: roleArnOf("trusts-account") })).resolves.toBeDefined();
  });
});

// Last: it moves the server's clock past what later signatures could span.
describe("role sessions end", () => {
  it("expire at their Expiration", async () => {
    // Issued ten minutes in the past and checked five minutes into the future: both within
    // SigV4's 15 minutes of the signer's real clock, and 900 s apart.
    server.clock.fixedMs = Date.now() - 600_000;
    const out = await assume(alice, { RoleArn: roleArnOf("trusts-alice"), DurationSeconds: 900 });
    const creds = asCredentials(out.Credentials);
    await expect(sts(creds).send(new GetCallerIdentityCommand({}))).resolves.toBeDefined();
    server.clock.fixedMs = out.Credentials!.Expiration!.getTime();
    expect(await sdkError(sts(creds).send(new GetCallerIdentityCommand({})))).toEqual({
      status: 403,
      code: "ExpiredToken",
      message: "The security token included in the request is expired",
    });
  });
});
