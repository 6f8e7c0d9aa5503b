/**
 * AWS's force-MFA setup end to end, as a new user would do it with aws CLI v2 (/usr/bin/aws)
 * and `mfa-sts login` (issue 12, "Done when"): root makes the group `mfa-required` with AWS's
 * "manage your own credentials" sample policy (verbatim, test/fixtures/policies/force-mfa.json,
 * from the IAM User Guide) and IAMReadOnlyAccess; alice, with her long-term keys, can read
 * herself, enrol her own virtual device and get an MFA session, but nothing else; with the
 * session written by `mfa-sts login`, IAM reads work and writes stay refused. Every refusal is
 * checked by its exact line on stderr and the aws CLI's exit code.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { base32Decode } from "../src/mfa/seed.js";
import { BIN } from "./helpers/cli.js";
import { run, type Run } from "./helpers/clients.js";
import { codeAt, freezeAtStepStart, serverStep } from "./helpers/mfa.js";
import { startTestServer, type Credentials, type TestServer } from "./helpers/server.js";

const ACCOUNT = "123456789012";
const AWS_V2 = "/usr/bin/aws";
const FORCE_MFA = join(import.meta.dirname, "fixtures", "policies", "force-mfa.json");
const ALICE_ARN = `arn:aws:iam::${ACCOUNT}:user/alice`;
const FORCE_MFA_ARN = `arn:aws:iam::${ACCOUNT}:policy/Force_MFA`;

let server: TestServer;
let home: string;

beforeAll(async () => {
  server = await startTestServer({ accountId: ACCOUNT });
  freezeAtStepStart(server);
  home = mkdtempSync(join(tmpdir(), "mfa-sts-force-mfa-"));
  mkdirSync(join(home, ".aws"), { mode: 0o700 });
});
afterAll(async () => {
  await server?.close();
  rmSync(home, { recursive: true, force: true });
});

/** The environment of a person at a shell: their HOME and files, and the keys exported (if any). */
function env(creds?: Credentials): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: home,
    AWS_CONFIG_FILE: join(home, ".aws", "config"),
    AWS_SHARED_CREDENTIALS_FILE: join(home, ".aws", "credentials"),
    AWS_DEFAULT_REGION: "us-east-1",
    AWS_PAGER: "",
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_ENDPOINT_URL_STS: server.url,
    ...(creds && { AWS_ACCESS_KEY_ID: creds.accessKeyId, AWS_SECRET_ACCESS_KEY: creds.secretAccessKey }),
  };
}

const aws = (creds: Credentials | undefined, args: string[]): Promise<Run> =>
  run(AWS_V2, ["--endpoint-url", server.url, "--output", "json", ...args], env(creds), undefined, home);

async function ok(creds: Credentials | undefined, args: string[]): Promise<any> {
  const r = await aws(creds, args);
  expect(r, `aws ${args.join(" ")}`).toMatchObject({ code: 0, stderr: "" });
  return r.stdout.trim() === "" ? undefined : JSON.parse(r.stdout);
}

/** aws CLI v2's shape of a refused call: exit 254, a blank line, AWS's line. */
async function refused(creds: Credentials | undefined, args: string[], operation: string, code: string, message: string): Promise<void> {
  expect(await aws(creds, args)).toEqual({
    code: 254,
    stdout: "",
    stderr: `\nAn error occurred (${code}) when calling the ${operation} operation: ${message}\n`,
  });
}

const explicitDeny = (action: string, resource: string) =>
  `User: ${ALICE_ARN} is not authorized to perform: ${action} on resource: ${resource} with an explicit deny in an identity-based policy: ${FORCE_MFA_ARN}`;
const implicitDeny = (action: string, resource: string) =>
  `User: ${ALICE_ARN} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`;

describe("AWS's force-MFA policy, end to end with aws CLI v2 and mfa-sts login", () => {
  let alice: Credentials;
  let serial: string;
  let seed: Buffer;

  it("root: group mfa-required with the AWS sample policy and IAMReadOnlyAccess, alice in it", async () => {
    const root = server.root;
    await ok(root, ["iam", "create-group", "--group-name", "mfa-required"]);
    const created = await ok(root, ["iam", "create-policy", "--policy-name", "Force_MFA", "--policy-document", `file://${FORCE_MFA}`]);
    expect(created.Policy).toMatchObject({ PolicyName: "Force_MFA", Arn: FORCE_MFA_ARN, DefaultVersionId: "v1", AttachmentCount: 0 });
    await ok(root, ["iam", "attach-group-policy", "--group-name", "mfa-required", "--policy-arn", FORCE_MFA_ARN]);
    await ok(root, ["iam", "attach-group-policy", "--group-name", "mfa-required", "--policy-arn", "arn:aws:iam::aws:policy/IAMReadOnlyAccess"]);
    await ok(root, ["iam", "create-user", "--user-name", "alice"]);
    await ok(root, ["iam", "add-user-to-group", "--group-name", "mfa-required", "--user-name", "alice"]);
    const key = await ok(root, ["iam", "create-access-key", "--user-name", "alice"]);
    alice = { accessKeyId: key.AccessKey.AccessKeyId, secretAccessKey: key.AccessKey.SecretAccessKey };

    // The document comes back as it was sent (the CLI decodes IAM's URL-encoding).
    const version = await ok(root, ["iam", "get-policy-version", "--policy-arn", FORCE_MFA_ARN, "--version-id", "v1"]);
    expect(version.PolicyVersion.Document).toEqual(JSON.parse(readFileSync(FORCE_MFA, "utf8")));
    const group = await ok(root, ["iam", "get-group", "--group-name", "mfa-required"]);
    expect(group.Users.map((u: { UserName: string }) => u.UserName)).toEqual(["alice"]);
  });

  it("alice with long-term keys: reads herself, enrols her own device, gets an MFA session", async () => {
    const me = await ok(alice, ["iam", "get-user"]);
    expect(me.User).toMatchObject({ UserName: "alice", Arn: ALICE_ARN });

    const seedFile = join(home, "alice-seed.txt");
    const device = await ok(alice, [
      "iam", "create-virtual-mfa-device", "--virtual-mfa-device-name", "alice",
      "--outfile", seedFile, "--bootstrap-method", "Base32StringSeed",
    ]);
    serial = device.VirtualMFADevice.SerialNumber;
    expect(serial).toBe(`arn:aws:iam::${ACCOUNT}:mfa/alice`);
    seed = base32Decode(readFileSync(seedFile, "ascii"));

    const step = serverStep(server);
    await ok(alice, [
      "iam", "enable-mfa-device", "--user-name", "alice", "--serial-number", serial,
      "--authentication-code1", codeAt(seed, step - 1), "--authentication-code2", codeAt(seed, step),
    ]);
    const devices = await ok(alice, ["iam", "list-mfa-devices"]);
    expect(devices.MFADevices.map((d: { SerialNumber: string }) => d.SerialNumber)).toEqual([serial]);
  });

  it("alice with long-term keys: everything else is refused by the policy's explicit deny", async () => {
    await refused(alice, ["iam", "list-users"], "ListUsers", "AccessDenied", explicitDeny("iam:ListUsers", `arn:aws:iam::${ACCOUNT}:user/`));
    await refused(alice, ["iam", "create-access-key"], "CreateAccessKey", "AccessDenied", explicitDeny("iam:CreateAccessKey", "user alice"));
    await refused(
      alice,
      ["iam", "deactivate-mfa-device", "--user-name", "alice", "--serial-number", serial],
      "DeactivateMFADevice",
      "AccessDenied",
      explicitDeny("iam:DeactivateMFADevice", "user alice"),
    );
    // Allowed on herself only: another user's device is an implicit deny (the Allow names ${aws:username}).
    await ok(server.root, ["iam", "create-user", "--user-name", "bob"]);
    await refused(
      alice,
      ["iam", "enable-mfa-device", "--user-name", "bob", "--serial-number", serial, "--authentication-code1", "123456", "--authentication-code2", "654321"],
      "EnableMFADevice",
      "AccessDenied",
      implicitDeny("iam:EnableMFADevice", "user bob"),
    );
  });

  it("the simulator answers as authorization does, with and without MFA", async () => {
    const simulate = async (action: string, mfa: "true" | "false" | undefined) => {
      const args = ["iam", "simulate-principal-policy", "--policy-source-arn", ALICE_ARN, "--action-names", action];
      if (mfa !== undefined) args.push("--context-entries", `ContextKeyName=aws:MultiFactorAuthPresent,ContextKeyValues=${mfa},ContextKeyType=boolean`);
      const out = await ok(server.root, args);
      return out.EvaluationResults.map((r: { EvalDecision: string }) => r.EvalDecision);
    };
    expect(await simulate("iam:ListUsers", "true")).toEqual(["allowed"]);
    expect(await simulate("iam:ListUsers", "false")).toEqual(["explicitDeny"]);
    // Absent, as for long-term keys: BoolIfExists makes the Deny apply.
    expect(await simulate("iam:ListUsers", undefined)).toEqual(["explicitDeny"]);
    expect(await simulate("iam:CreateUser", "true")).toEqual(["implicitDeny"]);
  });

  it("after mfa-sts login, the session profile reads IAM and is still refused writes", async () => {
    writeFileSync(
      join(home, ".aws", "credentials"),
      `[work-long-term]\naws_access_key_id = ${alice.accessKeyId}\naws_secret_access_key = ${alice.secretAccessKey}\n`,
      { mode: 0o600 },
    );
    writeFileSync(join(home, ".aws", "config"), `[profile work]\nregion = us-east-1\nmfa_serial = ${serial}\n`, { mode: 0o600 });
    // The step after the one enable used: a code the device has not given yet.
    const code = codeAt(seed, serverStep(server) + 1);
    const login = await run(process.execPath, [BIN, "login", "--profile", "work", "--token-code", code], env());
    expect(login.code, login.stderr).toBe(0);

    const users = await ok(undefined, ["--profile", "work", "iam", "list-users"]);
    expect(users.Users.map((u: { UserName: string }) => u.UserName)).toEqual(["alice", "bob"]);
    await refused(undefined, ["--profile", "work", "iam", "create-user", "--user-name", "carol"], "CreateUser", "AccessDenied", implicitDeny("iam:CreateUser", `arn:aws:iam::${ACCOUNT}:user/carol`));
    // The Deny is lifted for the MFA session: deactivating her own device is allowed (and done).
    await ok(undefined, ["--profile", "work", "iam", "deactivate-mfa-device", "--user-name", "alice", "--serial-number", serial]);
  });
});
