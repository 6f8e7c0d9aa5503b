/**
 * Role profiles end to end (issue 14 item 4): `mfa-sts login|export|exec|status` spawned with a
 * temporary HOME against our server, and then the aws CLI itself — v2 (/usr/bin/aws) and v1
 * (`aws`) — using the role credentials mfa-sts put in its cache (~/.aws/cli/cache) with no prompt:
 * every process runs without a terminal, so a CLI that wanted to ask for a code would fail.
 *
 * The roles' trust policies require MFA (`aws:MultiFactorAuthPresent`), so only a session made
 * with a code (or a code on AssumeRole itself) gets in.
 *
 * Clocks: the server's is frozen, and before each spawn set to 5 s behind real time (never
 * back), so the client's 30 s clock warning stays quiet; the spawned clients use the real clock.
 * The devices were enabled on a server clock 95 s back, so codes of several later steps are
 * there to be used (each once, in order) without moving the server ahead of real time.
 */
import { CreateRoleCommand, PutRolePolicyCommand, type IAMClient } from "@aws-sdk/client-iam";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseIni } from "../src/client/ini.js";
import { BIN } from "./helpers/cli.js";
import { sdkClients, type Run } from "./helpers/clients.js";
import { spawnDetached } from "./helpers/detached.js";
import { codeAt, createUserWithKey, enabledVirtualDevice, serverStep, type VirtualDevice } from "./helpers/mfa.js";
import { startTestServer, type Credentials, type TestServer } from "./helpers/server.js";

const ACCOUNT = "123456789012";
const AWS_V2 = "/usr/bin/aws";
const AWS_V1 = "aws";
const RFC3339_Z = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

let server: TestServer;
let iam: IAMClient;
const users: Record<string, { key: Credentials; device: VirtualDevice }> = {};
const homes: string[] = [];

const roleArn = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const userArn = (name: string) => `arn:aws:iam::${ACCOUNT}:user/${name}`;

/** A trust policy naming the users (or roles), requiring MFA. */
const trustWithMfa = (principals: string[]) =>
  JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { AWS: principals }, Action: "sts:AssumeRole", Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } } }],
  });

async function createRole(name: string, trustPolicy: string, maxSessionDuration?: number): Promise<void> {
  await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trustPolicy, MaxSessionDuration: maxSessionDuration }));
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: name,
      PolicyName: "read",
      PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "iam:ListUsers", Resource: "*" }] }),
    }),
  );
}

/** The server's clock 5 s behind real time (to the second), never moved back. */
function syncServer(): void {
  server.clock.fixedMs = Math.max(server.clock.fixedMs ?? 0, Math.floor(Date.now() / 1000) * 1000 - 5_000);
}

beforeAll(async () => {
  server = await startTestServer({ accountId: ACCOUNT });
  server.clock.fixedMs = Math.floor(Date.now() / 1000) * 1000 - 95_000;
  iam = sdkClients(server.url, server.root).iam;
  for (const name of ["alice", "bob", "carol"]) {
    const key = await createUserWithKey(iam, name);
    users[name] = { key, device: await enabledVirtualDevice(server, iam, name) };
  }
  syncServer();
  const people = ["alice", "bob", "carol"].map(userArn);
  await createRole("admin", trustWithMfa(people));
  await createRole("ops", trustWithMfa(people));
  await createRole("long", trustWithMfa(people), 7200);
  await createRole("short-max", trustWithMfa(people));
  await createRole("bobs-only", trustWithMfa([userArn("bob")]));
  // No MFA condition here: whether MFA survives a chaining hop is UNCONFIRMED (spec §4.4). A
  // maximum over an hour, so that the chaining limit is what refuses 3601 s (spec §3 (c)).
  await createRole(
    "after-admin",
    JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: roleArn("admin") }, Action: "sts:AssumeRole" }] }),
    7200,
  );
}, 60_000);

afterAll(async () => {
  await server?.close();
  for (const dir of homes) rmSync(dir, { recursive: true, force: true });
});

// ───────────────────────────── helpers ─────────────────────────────

interface Home {
  dir: string;
  credentials: string;
  config: string;
  cacheDir: string;
  env: Record<string, string>;
}

function makeHome(credentials: string, config: string): Home {
  const dir = mkdtempSync(join(tmpdir(), "mfa-sts-roles-"));
  homes.push(dir);
  mkdirSync(join(dir, ".aws"), { mode: 0o700 });
  const home: Home = {
    dir,
    credentials: join(dir, ".aws", "credentials"),
    config: join(dir, ".aws", "config"),
    cacheDir: join(dir, ".aws", "cli", "cache"),
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: dir,
      XDG_CACHE_HOME: join(dir, "cache"),
      AWS_ENDPOINT_URL_STS: server.url,
      AWS_DEFAULT_REGION: "us-east-1",
      AWS_EC2_METADATA_DISABLED: "true",
      AWS_PAGER: "",
    },
  };
  writeFileSync(home.credentials, credentials, { mode: 0o600 });
  writeFileSync(home.config, config, { mode: 0o600 });
  return home;
}

function mfaSts(home: Home, args: string[]): Promise<Run> {
  syncServer();
  return spawnDetached(process.execPath, [BIN, ...args], home.env);
}
const aws = (cli: string, home: Home, args: string[]): Promise<Run> =>
  spawnDetached(cli, ["--endpoint-url", server.url, "--output", "json", ...args], home.env);

async function timed<T>(run: () => Promise<T>): Promise<{ result: T; before: number; after: number }> {
  const before = Date.now();
  const result = await run();
  return { result, before, after: Date.now() };
}

const rfc3339 = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
function remaining(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  return minutes >= 60 ? `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, "0")}m` : `${minutes}m`;
}
/** The text for each instant the process may have computed it at, in [before, after]. */
const choices = (text: (now: number) => string, before: number, after: number): string[] => [...new Set([text(before), text(after)])];

const keyLines = (c: Credentials): string => `aws_access_key_id = ${c.accessKeyId}\naws_secret_access_key = ${c.secretAccessKey}\n`;
const failure = (message: string): string => `\n${message}\n`;

/** The aws CLI's cache file name, computed here from the JSON text botocore hashes (spec §8.1). */
const cacheFile = (home: Home, json: string): string => join(home.cacheDir, `${createHash("sha1").update(json).digest("hex")}.json`);

interface CacheContent {
  Credentials: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string; Expiration: string; AccountId: string };
  AssumedRoleUser: { AssumedRoleId: string; Arn: string };
  ResponseMetadata: { RequestId: string; HTTPStatusCode: number; HTTPHeaders: Record<string, string>; RetryAttempts: number };
}

/** A cache file, checked to be what aws CLI v1 writes: one line of Python's json.dumps, 0600, the members in its order. */
function readCache(path: string, role: string): CacheContent {
  const text = readFileSync(path, "utf8");
  expect(statSync(path).mode & 0o777).toBe(0o600);
  expect(text).not.toContain("\n");
  // Python's json.dumps of what it parsed gives back the same bytes: separators, escapes, order.
  expect(pythonRoundTrip(text)).toBe(text);
  const content = JSON.parse(text) as CacheContent;
  expect(Object.keys(content)).toEqual(["Credentials", "AssumedRoleUser", "ResponseMetadata"]);
  expect(Object.keys(content.Credentials)).toEqual(["AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration", "AccountId"]);
  expect(content.Credentials.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
  expect(content.Credentials.Expiration).toMatch(RFC3339_Z);
  expect(content.Credentials.AccountId).toBe(ACCOUNT);
  expect(content.AssumedRoleUser.Arn).toMatch(new RegExp(`^arn:aws:sts::${ACCOUNT}:assumed-role/${role}/mfa-sts-session-\\d{10}$`));
  expect(content.AssumedRoleUser.AssumedRoleId).toMatch(/^AROA[A-Z2-7]{17}:mfa-sts-session-\d{10}$/);
  expect(Object.keys(content.ResponseMetadata)).toEqual(["RequestId", "HTTPStatusCode", "HTTPHeaders", "RetryAttempts"]);
  expect(content.ResponseMetadata.HTTPStatusCode).toBe(200);
  expect(content.ResponseMetadata.RetryAttempts).toBe(0);
  expect(content.ResponseMetadata.HTTPHeaders["x-amzn-requestid"]).toBe(content.ResponseMetadata.RequestId);
  return content;
}

function pythonRoundTrip(text: string): string {
  const r = spawnSync("python3", ["-c", "import json, sys; sys.stdout.write(json.dumps(json.loads(sys.stdin.read())))"], { input: text, encoding: "utf8" });
  return r.stdout;
}

/** The caller as an aws CLI sees it with --profile. */
async function identity(cli: string, home: Home, profile: string): Promise<{ UserId: string; Account: string; Arn: string }> {
  const r = await aws(cli, home, ["--profile", profile, "sts", "get-caller-identity"]);
  expect({ code: r.code, stderr: r.stderr }, `${cli} --profile ${profile}`).toEqual({ code: 0, stderr: "" });
  return JSON.parse(r.stdout) as { UserId: string; Account: string; Arn: string };
}

/** The step of each user's last code: a code is good once, and only after the previous one. */
const lastStep: Record<string, number> = {};

/** The user's next unused code the server takes now (it takes ±1 step around its clock). */
function code(user: string): string {
  syncServer();
  const step = Math.max((lastStep[user] ?? 0) + 1, serverStep(server) - 1);
  expect(step, `a code for ${user} within the server's window`).toBeLessThanOrEqual(serverStep(server) + 1);
  lastStep[user] = step;
  return codeAt(users[user]!.device.seed, step);
}

function sessionIn(home: Home, profile: string): { accessKeyId: string; expiration: string } {
  const section = parseIni(readFileSync(home.credentials, "utf8")).get(profile);
  return { accessKeyId: section?.aws_access_key_id as string, expiration: section?.aws_credential_expiration as string };
}

// ───────────────────────────── the workflow ─────────────────────────────

let work: Home;
/** The cache files of the role profiles, by profile. */
const caches: Record<string, string> = {};

describe("one code for any number of role profiles", () => {
  beforeAll(() => {
    const device = (user: string) => users[user]!.device.serialNumber;
    work = makeHome(
      `# hand-written\n[work-long-term]\n${keyLines(users.alice!.key)}\n[bobwork-long-term]\n${keyLines(users.bob!.key)}`,
      [
        `[profile work]\nmfa_serial = ${device("alice")}\nregion = us-east-1\n`,
        `[profile bobwork]\nmfa_serial = ${device("bob")}\n`,
        `[profile admin]\nrole_arn = ${roleArn("admin")}\nsource_profile = work\nmfa_serial = ${device("alice")}\n`,
        `[profile ops]\nrole_arn = ${roleArn("ops")}\nsource_profile = work\n`,
        `[profile long]\nrole_arn = ${roleArn("long")}\nsource_profile = bobwork\nmfa_serial = ${device("bob")}\nduration_seconds = 3601\n`,
        `[profile bobops]\nrole_arn = ${roleArn("ops")}\nsource_profile = bobwork\nrole_session_name = bob-ops\n`,
        `[profile never]\nrole_arn = ${roleArn("admin")}\nsource_profile = work\nexternal_id = never-used\n`,
      ].join("\n"),
    );
    caches.admin = cacheFile(work, `{"RoleArn": "${roleArn("admin")}", "SerialNumber": "${device("alice")}"}`);
    caches.ops = cacheFile(work, `{"RoleArn": "${roleArn("ops")}"}`);
    caches.long = cacheFile(work, `{"DurationSeconds": 3601, "RoleArn": "${roleArn("long")}", "SerialNumber": "${device("bob")}"}`);
    caches.bobops = cacheFile(work, `{"RoleArn": "${roleArn("ops")}", "RoleSessionName": "bob-ops"}`);
  });

  it("login --profile admin: one code makes the session in [work], the role comes from it into the CLI's cache", async () => {
    const c1 = code("alice");
    const { result: r, before, after } = await timed(() => mfaSts(work, ["login", "--profile", "admin", "--token-code", c1]));
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);

    const session = sessionIn(work, "work");
    expect(session.accessKeyId).toMatch(/^ASIA/);
    const cache = readCache(caches.admin!, "admin");
    const sessionEnds = Date.parse(session.expiration);
    const roleEnds = Date.parse(cache.Credentials.Expiration);
    expect(sessionEnds).toBe(server.clock.now() + 43_200_000);
    expect(roleEnds).toBe(server.clock.now() + 3_600_000);
    const stdout = (now: number) =>
      `Logged in: [work] holds a session until ${session.expiration} (${remaining(sessionEnds - now)}).\n` +
      `Assumed ${roleArn("admin")} for profile admin with the session in [work]; its credentials last until ${cache.Credentials.Expiration} (${remaining(roleEnds - now)}).\n`;
    expect(choices(stdout, before, after)).toContain(r.stdout);

    // The code is spent, as login's are.
    const used = JSON.parse(readFileSync(join(work.dir, "cache", "mfa-sts", "used-codes.json"), "utf8")) as Record<string, { code: string }>;
    expect(used[users.alice!.device.serialNumber]?.code).toBe(c1);
    expect(readdirSync(work.cacheDir)).toEqual([caches.admin!.split("/").at(-1)]);
  });

  it("aws CLI v2 and v1 --profile admin use the cached role credentials: no prompt, mfa-sts's session name", async () => {
    const cache = JSON.parse(readFileSync(caches.admin!, "utf8")) as CacheContent;
    for (const cli of [AWS_V2, AWS_V1]) {
      expect(await identity(cli, work, "admin")).toEqual({ UserId: cache.AssumedRoleUser.AssumedRoleId, Account: ACCOUNT, Arn: cache.AssumedRoleUser.Arn });
    }
  });

  it("login --profile ops (same source): no code, no terminal — the session carries the MFA", async () => {
    const before = readFileSync(work.credentials, "utf8");
    const { result: r, before: t0, after: t1 } = await timed(() => mfaSts(work, ["login", "--profile", "ops"]));
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const cache = readCache(caches.ops!, "ops");
    const ends = Date.parse(cache.Credentials.Expiration);
    expect(choices((now) => `Assumed ${roleArn("ops")} for profile ops with the session in [work]; its credentials last until ${cache.Credentials.Expiration} (${remaining(ends - now)}).\n`, t0, t1)).toContain(r.stdout);
    expect(readFileSync(work.credentials, "utf8")).toBe(before);
    for (const cli of [AWS_V2, AWS_V1]) expect((await identity(cli, work, "ops")).Arn).toBe(cache.AssumedRoleUser.Arn);
  });

  it("again: still valid, nothing called; --force renews the role from the session, still without a code", async () => {
    const previous = readFileSync(caches.admin!, "utf8");
    const cached = JSON.parse(previous) as CacheContent;
    const ends = Date.parse(cached.Credentials.Expiration);
    const { result: r, before, after } = await timed(() => mfaSts(work, ["login", "--profile", "admin"]));
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
    expect(
      choices((now) => `The role credentials of profile admin are still valid for ${remaining(ends - now)} (until ${cached.Credentials.Expiration}); --force renews them.\n`, before, after),
    ).toContain(r.stdout);
    expect(readFileSync(caches.admin!, "utf8")).toBe(previous);

    const forced = await mfaSts(work, ["login", "--profile", "admin", "--force"]);
    expect({ code: forced.code, stderr: forced.stderr }).toEqual({ code: 0, stderr: "" });
    expect(forced.stdout).toMatch(/^Assumed arn:aws:iam::123456789012:role\/admin for profile admin with the session in \[work\]; /);
    expect(readCache(caches.admin!, "admin").Credentials.AccessKeyId).not.toBe(cached.Credentials.AccessKeyId);
  });

  it("duration_seconds = 3601: said on stderr, assumed with the long-term key and the code (no session made)", async () => {
    const notice =
      "profile long asks for duration_seconds = 3601, more than the one hour AWS allows a role assumed from a session (role chaining): " +
      "assuming it with the long-term key in [bobwork-long-term] and an MFA code instead.\n";
    const noCode = await mfaSts(work, ["login", "--profile", "long"]);
    expect(noCode).toEqual({
      code: 252,
      stdout: "",
      stderr: notice + failure(`An MFA code is needed for ${users.bob!.device.serialNumber} and there is no terminal to ask on: pass it with --token-code CODE.`),
    });

    const { result: r, before, after } = await timed(() => mfaSts(work, ["login", "--profile", "long", "--token-code", code("bob")]));
    // The aws CLI wants the source profile to have credentials before it reads its cache: said so.
    expect(r.stderr).toBe(
      notice +
        "note: aws --profile long does not use these credentials yet: the aws CLI first checks that the source profile bobwork has credentials " +
        "of its own, and [bobwork] has none; mfa-sts login --profile bobwork puts a session there. mfa-sts export and exec --profile long use them as they are.\n",
    );
    expect(r.code).toBe(0);
    const cache = readCache(caches.long!, "long");
    const ends = Date.parse(cache.Credentials.Expiration);
    expect(ends).toBe(server.clock.now() + 3_601_000);
    expect(
      choices(
        (now) =>
          `Assumed ${roleArn("long")} for profile long with the long-term key in [bobwork-long-term] and an MFA code; its credentials last until ${cache.Credentials.Expiration} (${remaining(ends - now)}).\n`,
        before,
        after,
      ),
    ).toContain(r.stdout);
    // No session was made for bob, and the aws CLI says what the note said.
    expect(parseIni(readFileSync(work.credentials, "utf8")).has("bobwork")).toBe(false);
    expect(await aws(AWS_V2, work, ["--profile", "long", "sts", "get-caller-identity"])).toEqual({
      code: 255,
      stdout: "",
      stderr: failure('The source profile "bobwork" must have credentials.'),
    });

    // Once [bobwork] holds a session, both CLIs take the cached credentials (the session's are not used).
    const bobLogin = await mfaSts(work, ["login", "--profile", "bobwork", "--token-code", code("bob")]);
    expect({ code: bobLogin.code, stderr: bobLogin.stderr }).toEqual({ code: 0, stderr: "" });
    for (const cli of [AWS_V2, AWS_V1]) expect((await identity(cli, work, "long")).Arn).toBe(cache.AssumedRoleUser.Arn);
  });

  it("--no-session: the used code is refused before STS; the next one assumes the role directly", async () => {
    const spent = codeAt(users.bob!.device.seed, lastStep.bob!);
    const refused = await mfaSts(work, ["login", "--profile", "bobops", "--no-session", "--token-code", spent]);
    expect(refused.code).toBe(252);
    expect(refused.stdout).toBe("");
    expect(refused.stderr).toMatch(new RegExp(`^\\nThe code ${spent} was already used for ${users.bob!.device.serialNumber.replace(/[/]/g, "\\/")} at \\S+Z: AWS accepts each code once\\. `));

    const r = await mfaSts(work, ["login", "--profile", "bobops", "--no-session", "--token-code", code("bob")]);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
    expect(r.stdout).toMatch(/^Assumed arn:aws:iam::123456789012:role\/ops for profile bobops with the long-term key in \[bobwork-long-term\] and an MFA code; /);
    const cache = JSON.parse(readFileSync(caches.bobops!, "utf8")) as CacheContent;
    expect(cache.AssumedRoleUser.Arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/ops/bob-ops`);
    expect((await identity(AWS_V1, work, "bobops")).Arn).toBe(cache.AssumedRoleUser.Arn);
  });

  it("status: the session, then every role profile with the time its cached credentials have left", async () => {
    const ends = (profile: string) => (JSON.parse(readFileSync(caches[profile]!, "utf8")) as CacheContent).Credentials.Expiration;
    const session = sessionIn(work, "work").expiration;
    const bobSession = sessionIn(work, "bobwork").expiration;
    const { result: r, before, after } = await timed(() => mfaSts(work, ["status"]));
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
    const left = (at: string, now: number) => remaining(Date.parse(at) - now);
    const table = (now: number) =>
      "PROFILE  STATUS  EXPIRES               REMAINING\n" +
      `work     valid   ${session}  ${left(session, now)}\n` +
      `bobwork  valid   ${bobSession}  ${left(bobSession, now)}\n` +
      "\n" +
      "ROLE PROFILE  SOURCE   STATUS  EXPIRES               REMAINING\n" +
      `admin         work     valid   ${ends("admin")}  ${left(ends("admin"), now)}\n` +
      `ops           work     valid   ${ends("ops")}  ${left(ends("ops"), now)}\n` +
      `long          bobwork  valid   ${ends("long")}  ${left(ends("long"), now)}\n` +
      `bobops        bobwork  valid   ${ends("bobops")}  ${left(ends("bobops"), now)}\n` +
      "never         work     none    -                     -\n";
    expect(choices(table, before, after)).toContain(r.stdout);
  });

  it("export and exec hand out the role's credentials; export is what aws configure export-credentials prints", async () => {
    const formats = ["process", "env", "env-no-export", "powershell", "windows-cmd"];
    const [ours, theirs] = await Promise.all([
      Promise.all(formats.map((format) => mfaSts(work, ["export", "--profile", "admin", "--format", format]))),
      Promise.all(formats.map((format) => aws(AWS_V2, work, ["--profile", "admin", "configure", "export-credentials", "--format", format]))),
    ]);
    formats.forEach((format, i) => {
      expect(theirs[i]!.code, format).toBe(0);
      expect(ours[i], format).toEqual(theirs[i]);
    });
    const cache = JSON.parse(readFileSync(caches.admin!, "utf8")) as CacheContent;
    expect(ours[0]!.stdout).toContain(`"AccessKeyId": "${cache.Credentials.AccessKeyId}"`);

    const viaExec = await mfaSts(work, ["exec", "--profile", "ops", "--", AWS_V2, "--endpoint-url", server.url, "--output", "json", "sts", "get-caller-identity"]);
    expect({ code: viaExec.code, stderr: viaExec.stderr }).toEqual({ code: 0, stderr: "" });
    expect((JSON.parse(viaExec.stdout) as { Arn: string }).Arn).toBe((JSON.parse(readFileSync(caches.ops!, "utf8")) as CacheContent).AssumedRoleUser.Arn);
  });

  it("a stale session without a terminal: cached credentials still good are handed out; none at all is exit 253", async () => {
    // The session in [work] ends in four minutes (stale for login), ops' credentials in ten (stale for the CLI).
    const text = readFileSync(work.credentials, "utf8");
    const soon = rfc3339(Date.now() + 4 * 60_000);
    writeFileSync(work.credentials, text.replace(/^aws_credential_expiration = .*$/m, `aws_credential_expiration = ${soon}`));
    const ops = JSON.parse(readFileSync(caches.ops!, "utf8")) as CacheContent;
    const opsEnds = rfc3339(Date.now() + 10 * 60_000);
    writeFileSync(caches.ops!, readFileSync(caches.ops!, "utf8").replace(ops.Credentials.Expiration, opsEnds));

    const [handedOut, none] = await Promise.all([mfaSts(work, ["export", "--profile", "ops", "--format", "env"]), mfaSts(work, ["export", "--profile", "never"])]);
    expect(handedOut).toEqual({
      code: 0,
      stdout:
        `export AWS_ACCESS_KEY_ID=${ops.Credentials.AccessKeyId}\nexport AWS_SECRET_ACCESS_KEY=${ops.Credentials.SecretAccessKey}\n` +
        `export AWS_SESSION_TOKEN=${ops.Credentials.SessionToken}\nexport AWS_CREDENTIAL_EXPIRATION=${opsEnds.replace(/Z$/, "+00:00")}\n`,
      stderr: "",
    });
    expect(none).toEqual({
      code: 253,
      stdout: "",
      stderr: failure(`The session in [work] expired at ${soon}, and there is no terminal to ask for the MFA code on: run \`mfa-sts login --profile never\`.`),
    });
  });

  it("a stale session: one code renews it, and every role profile is renewed from it without another", async () => {
    // admin's credentials as good as gone too.
    const admin = JSON.parse(readFileSync(caches.admin!, "utf8")) as CacheContent;
    writeFileSync(caches.admin!, readFileSync(caches.admin!, "utf8").replace(admin.Credentials.Expiration, rfc3339(Date.now() + 5 * 60_000)));

    const r = await mfaSts(work, ["login", "--profile", "ops", "--token-code", code("alice")]);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
    expect(r.stdout).toMatch(/^Logged in: \[work\] holds a session until \S+Z \(1[12]h \d{2}m\)\.\nAssumed arn:aws:iam::123456789012:role\/ops for profile ops with the session in \[work\]; /);
    expect(Date.parse(sessionIn(work, "work").expiration)).toBe(server.clock.now() + 43_200_000);

    // admin: renewed from the new session, no code, no terminal.
    const exported = await mfaSts(work, ["export", "--profile", "admin"]);
    expect({ code: exported.code, stderr: exported.stderr }).toEqual({ code: 0, stderr: "" });
    const renewed = readCache(caches.admin!, "admin");
    expect(renewed.Credentials.AccessKeyId).not.toBe(admin.Credentials.AccessKeyId);
    expect(JSON.parse(exported.stdout)).toMatchObject({ Version: 1, AccessKeyId: renewed.Credentials.AccessKeyId });
    expect((await identity(AWS_V2, work, "admin")).Arn).toBe(renewed.AssumedRoleUser.Arn);
  });
});

// ───────────────────────────── AssumeRole's failures, with hints ─────────────────────────────

describe("AssumeRole's failures: AWS's line, then what to do", () => {
  let hints: Home;
  const awsLine = (code: string, message: string) => `An error occurred (${code}) when calling the AssumeRole operation: ${message}`;

  beforeAll(() => {
    const session = sessionIn(work, "work");
    expect(Date.parse(session.expiration)).toBeGreaterThan(Date.now() + 3_600_000);
    hints = makeHome(
      readFileSync(work.credentials, "utf8") + `\n[plain-long-term]\n${keyLines(users.alice!.key)}\n[carolwork-long-term]\n${keyLines(users.carol!.key)}`,
      [
        `[profile work]\nmfa_serial = ${users.alice!.device.serialNumber}\n`,
        `[profile carolwork]\nmfa_serial = ${users.carol!.device.serialNumber}\n`,
        `[profile admin]\nrole_arn = ${roleArn("admin")}\nsource_profile = work\n`,
        `[profile bobs]\nrole_arn = ${roleArn("bobs-only")}\nsource_profile = work\n`,
        `[profile missing]\nrole_arn = ${roleArn("no-such-role")}\nsource_profile = work\n`,
        `[profile chained]\nrole_arn = ${roleArn("after-admin")}\nsource_profile = admin\nduration_seconds = 3601\n`,
        `[profile nomfa]\nrole_arn = ${roleArn("admin")}\nsource_profile = plain\n`,
        `[profile too-long]\nrole_arn = ${roleArn("short-max")}\nsource_profile = carolwork\nduration_seconds = 7200\n`,
        `[profile bad-arn]\nrole_arn = arn:aws:iam:${ACCOUNT}:role/admin\nsource_profile = work\n`,
      ].join("\n"),
    );
  });

  const causes = (caller: string, role: string, mfa?: string) =>
    "AWS refuses in the same words for each of these causes; the possible ones here:\n" +
    `- the role ${role} does not exist in account ${ACCOUNT} (AWS answers the same as for a refusal): check with aws iam get-role --role-name ${role};\n` +
    `- the role's trust policy does not let ${caller} assume it: its Principal must name ${caller}, or the account together with a policy of the caller that allows sts:AssumeRole on the role;` +
    (mfa === undefined ? "" : `\n- ${mfa}`);

  it("a trust policy that does not name the caller, and a role that does not exist: the same words, the same causes", async () => {
    const [bobs, missing] = await Promise.all([mfaSts(hints, ["login", "--profile", "bobs"]), mfaSts(hints, ["login", "--profile", "missing"])]);
    expect(bobs).toEqual({
      code: 254,
      stdout: "",
      stderr: failure(
        `${awsLine("AccessDenied", `User: ${userArn("alice")} is not authorized to perform: sts:AssumeRole on resource: ${roleArn("bobs-only")}`)}\n\n` +
          causes(userArn("alice"), "bobs-only"),
      ),
    });
    expect(missing).toEqual({
      code: 254,
      stdout: "",
      stderr: failure(
        `${awsLine("AccessDenied", `User: ${userArn("alice")} is not authorized to perform: sts:AssumeRole on resource: ${roleArn("no-such-role")}`)}\n\n` +
          causes(userArn("alice"), "no-such-role"),
      ),
    });
  });

  it("MFA required by the trust policy, the session made without a device: the MFA cause too", async () => {
    const r = await mfaSts(hints, ["login", "--profile", "nomfa"]);
    expect(r.stdout).toMatch(/^Logged in: \[plain\] holds a session until /);
    expect({ code: r.code, stderr: r.stderr }).toEqual({
      code: 254,
      stderr: failure(
        `${awsLine("AccessDenied", `User: ${userArn("alice")} is not authorized to perform: sts:AssumeRole on resource: ${roleArn("admin")}`)}\n\n` +
          causes(
            userArn("alice"),
            "admin",
            "the trust policy requires MFA (aws:MultiFactorAuthPresent), and the session in [plain] was made without an MFA code: neither profile nomfa " +
              "nor profile plain has mfa_serial. Add mfa_serial = arn:aws:iam::ACCOUNT_ID:mfa/DEVICE to profile nomfa, then renew the session and the role: " +
              "mfa-sts login --profile plain --force, then mfa-sts login --profile nomfa --force.",
          ),
      ),
    });
  });

  it("a chained role profile asking for more than an hour: the chaining limit", async () => {
    const r = await mfaSts(hints, ["login", "--profile", "chained"]);
    // The inner role first, from the session; then the outer one, refused.
    expect(r.stdout).toMatch(/^Assumed arn:aws:iam::123456789012:role\/admin for profile admin with the session in \[work\]; its credentials last until \S+Z \((\d+m|1h 00m)\)\.\n$/);
    expect(r.code).toBe(254);
    expect(r.stderr).toBe(
      failure(
        `${awsLine("ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")}\n\n` +
          "profile chained asks for duration_seconds = 3601; its source_profile admin is itself a role profile, and AWS gives a role assumed with another " +
          "role's credentials (role chaining) at most one hour. Set duration_seconds to 3600 or less.",
      ),
    );
    // The inner role was assumed (and cached) on the way.
    expect(readdirSync(hints.cacheDir)).toContain(`${createHash("sha1").update(`{"RoleArn": "${roleArn("admin")}"}`).digest("hex")}.json`);
  });

  it("more than the role's MaxSessionDuration (assumed directly, as it is over an hour)", async () => {
    const r = await mfaSts(hints, ["login", "--profile", "too-long", "--token-code", code("carol")]);
    expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 254, stdout: "" });
    expect(r.stderr).toBe(
      "profile too-long asks for duration_seconds = 7200, more than the one hour AWS allows a role assumed from a session (role chaining): " +
        "assuming it with the long-term key in [carolwork-long-term] and an MFA code instead.\n" +
        failure(
          `${awsLine("ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")}\n\n` +
            "duration_seconds = 7200 of profile too-long asks for more than the role's MaxSessionDuration. Lower duration_seconds, or raise the role's " +
            "maximum (3600 to 43200 seconds): aws iam update-role --role-name short-max --max-session-duration 7200.",
        ),
    );
  });

  it("a role ARN AWS cannot read", async () => {
    const arn = `arn:aws:iam:${ACCOUNT}:role/admin`;
    expect(await mfaSts(hints, ["login", "--profile", "bad-arn"])).toEqual({
      code: 254,
      stdout: "",
      stderr: failure(
        `${awsLine("ValidationError", `${arn} is invalid`)}\n\n` +
          `role_arn = ${arn} in profile bad-arn is not an ARN AWS can read. A role's ARN is arn:aws:iam::ACCOUNT_ID:role/NAME ` +
          "(the console shows it on the role's page; aws iam get-role --role-name NAME prints it).",
      ),
    });
  });
});
