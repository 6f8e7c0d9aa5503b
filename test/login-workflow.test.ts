/**
 * The MFA profile workflow end to end (issue 5): `mfa-sts login`, `export`, `exec` and `status`
 * spawned as a user runs them — a temporary HOME with its own credentials and config files,
 * XDG_CACHE_HOME inside it, AWS_ENDPOINT_URL_STS pointing at a real server on 127.0.0.1 — and
 * checked by their exact stdout, stderr, exit code and the bytes of the credentials file; the
 * sessions they write are used by aws CLI v2 (/usr/bin/aws), directly and via credential_process.
 *
 * Every process is spawned detached (a new session, so no controlling terminal and /dev/tty cannot
 * open): "no terminal" is what is tested, and no test can hang on a prompt.
 *
 * Clocks: the server's is frozen (or offset) by the test; the spawned clients use the real one.
 * Frozen near real time, the server's TOTP step stands still while codes are computed from it.
 */
import { GetCallerIdentityCommand, GetSessionTokenCommand, STSClient } from "@aws-sdk/client-sts";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseIni } from "../src/client/ini.js";
import { BIN } from "./helpers/cli.js";
import { sdkClients, type Run } from "./helpers/clients.js";
import { spawnDetached } from "./helpers/detached.js";
import { advanceSteps, codeAt, createUserWithKey, enabledVirtualDevice, serverStep, type VirtualDevice } from "./helpers/mfa.js";
import { startTestServer, type Credentials, type TestServer } from "./helpers/server.js";

const ACCOUNT = "123456789012";
const AWS_V2 = "/usr/bin/aws";
const RFC3339_Z = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

let server: TestServer;
let alice: Credentials;
let aliceIdentity: { UserId: string; Account: string; Arn: string };
const homes: string[] = [];

beforeAll(async () => {
  server = await startTestServer({ accountId: ACCOUNT });
  const { iam } = sdkClients(server.url, server.root);
  alice = await createUserWithKey(iam, "alice");
  const { sts } = sdkClients(server.url, alice);
  const id = await sts.send(new GetCallerIdentityCommand({}));
  aliceIdentity = { UserId: id.UserId!, Account: id.Account!, Arn: id.Arn! };
  expect(aliceIdentity.Arn).toBe(`arn:aws:iam::${ACCOUNT}:user/alice`);
});
afterAll(async () => {
  await server?.close();
  for (const dir of homes) rmSync(dir, { recursive: true, force: true });
});

// ───────────────────────────── helpers ─────────────────────────────

interface Home {
  dir: string;
  awsDir: string;
  credentials: string;
  config: string;
  cache: string;
  env: Record<string, string>;
}

/** A temporary HOME with ~/.aws/credentials and ~/.aws/config (when given) and its own cache dir. */
function makeHome(files: { credentials?: string; config?: string } = {}): Home {
  const dir = mkdtempSync(join(tmpdir(), "mfa-sts-login-"));
  homes.push(dir);
  const awsDir = join(dir, ".aws");
  mkdirSync(awsDir, { mode: 0o700 });
  const credentials = join(awsDir, "credentials");
  const config = join(awsDir, "config");
  if (files.credentials !== undefined) writeFileSync(credentials, files.credentials, { mode: 0o600 });
  if (files.config !== undefined) writeFileSync(config, files.config, { mode: 0o600 });
  const cache = join(dir, "cache");
  const env = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: dir,
    AWS_SHARED_CREDENTIALS_FILE: credentials,
    AWS_CONFIG_FILE: config,
    XDG_CACHE_HOME: cache,
    AWS_ENDPOINT_URL_STS: server.url,
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_PAGER: "",
  };
  return { dir, awsDir, credentials, config, cache, env };
}

const mfaSts = (home: Home, args: string[], extraEnv: Record<string, string> = {}): Promise<Run> =>
  spawnDetached(process.execPath, [BIN, ...args], { ...home.env, ...extraEnv });

const awsV2 = (home: Home, args: string[]): Promise<Run> =>
  spawnDetached(AWS_V2, ["--endpoint-url", server.url, "--output", "json", ...args], home.env);

/** Times a spawn: the real clock just before and just after, for what the client computed in between. */
async function timed<T>(run: () => Promise<T>): Promise<{ result: T; before: number; after: number }> {
  const before = Date.now();
  const result = await run();
  return { result, before, after: Date.now() };
}

const rfc3339 = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

/** "11h 59m" or "14m", as the client words time left. */
function remaining(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  return minutes >= 60 ? `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, "0")}m` : `${minutes}m`;
}

/** The wordings the client may have printed for the time left at some instant in [before, after]. */
const remainingChoices = (expiresAt: number, before: number, after: number): string[] => [
  ...new Set([remaining(expiresAt - before), remaining(expiresAt - after)]),
];

const escapeRe = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

interface StoredSession {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: string;
  /** The MFA device the session was made with, or "none". */
  mfaSerial: string;
}

/** The five lines login appends for a new section, exactly. */
const sessionBlock = (profile: string, s: StoredSession): string =>
  `[${profile}]\naws_access_key_id = ${s.accessKeyId}\naws_secret_access_key = ${s.secretAccessKey}\n` +
  `aws_session_token = ${s.sessionToken}\naws_credential_expiration = ${s.expiration}\nmfa_sts_mfa_serial = ${s.mfaSerial}\n`;

/** `[profile]` of a credentials file, checked to be a complete session. */
function sessionIn(text: string, profile: string): StoredSession {
  const section = parseIni(text).get(profile);
  expect(section, `[${profile}]`).toBeDefined();
  const s = {
    accessKeyId: section!.aws_access_key_id as string,
    secretAccessKey: section!.aws_secret_access_key as string,
    sessionToken: section!.aws_session_token as string,
    expiration: section!.aws_credential_expiration as string,
    mfaSerial: section!.mfa_sts_mfa_serial as string,
  };
  expect(s.mfaSerial).toMatch(/^(none|arn:aws:iam::\d{12}:mfa\/.+)$/);
  expect(s.accessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
  expect(s.secretAccessKey).toMatch(/^\S{40}$/);
  expect(s.sessionToken).toMatch(/^\S+$/);
  expect(s.expiration).toMatch(RFC3339_Z);
  return s;
}

/** How a failed command prints: a blank line, the message, a newline (aws CLI v2's shape). */
const failure = (message: string): string => `\n${message}\n`;
const awsLine = (code: string, message: string): string => `An error occurred (${code}) when calling the GetSessionToken operation: ${message}`;

/** Freezes the server's clock `offsetMs` from real time, to the whole second (its Date header's grain). */
function freezeServerAt(offsetMs: number): void {
  server.clock.offsetMs = 0;
  server.clock.fixedMs = Math.floor(Date.now() / 1000) * 1000 + offsetMs;
}

/** Lets the server's clock run with real time again. */
function releaseServerClock(): void {
  server.clock.fixedMs = undefined;
  server.clock.offsetMs = 0;
}

/** A six-digit code that no step within ±2 of `step` shows. */
function wrongCode(seed: Buffer, step: number): string {
  const near = new Set([-2, -1, 0, 1, 2].map((d) => codeAt(seed, step + d)));
  for (let n = 1; ; n++) {
    const candidate = String((n * 111_111) % 1_000_000).padStart(6, "0");
    if (!near.has(candidate)) return candidate;
  }
}

// ───────────────────────────── the shared profile: [work] ─────────────────────────────

/** A credentials file as people keep them: comments, blank lines, other sections. */
const original = (key: Credentials): string =>
  [
    "# ~/.aws/credentials — edited by hand; keep this comment",
    "[default]",
    "aws_access_key_id = AKIAIOSFODNN7EXAMPLE",
    "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY",
    "",
    "; the work account: long-term key, never used directly",
    "",
    "",
    "[work-long-term]",
    `aws_access_key_id = ${key.accessKeyId}`,
    `aws_secret_access_key=${key.secretAccessKey}`,
    "",
    "[personal]",
    "aws_access_key_id = AKIAI44QH8DHBEXAMPLE",
    "aws_secret_access_key = je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
    "# trailing comment",
    "",
  ].join("\n");

let work: Home;
let workOriginal: string;
let device: VirtualDevice;
/** The step of the code the first login used. */
let firstStep: number;
let firstCode: string;
/** [work] after the last successful login. */
let workSession: StoredSession;

describe("login", () => {
  it("--token-code: writes [work] and nothing else; aws CLI v2 uses it", async () => {
    // 5 s behind real time: the clock warning (30 s) stays quiet before and after one step forward.
    freezeServerAt(-5_000);
    const { iam } = sdkClients(server.url, server.root);
    device = await enabledVirtualDevice(server, iam, "alice", "alice-phone");
    firstStep = serverStep(server) + 1;
    firstCode = codeAt(device.seed, firstStep);

    workOriginal = original(alice);
    work = makeHome({
      credentials: workOriginal,
      config: `# config\n[default]\nregion = eu-west-1\n\n[profile work]\nmfa_serial = ${device.serialNumber}\nregion = us-east-1\n`,
    });
    const { result: r, before, after } = await timed(() => mfaSts(work, ["login", "--profile", "work", "--token-code", firstCode]));

    const text = readFileSync(work.credentials, "utf8");
    workSession = sessionIn(text, "work");
    expect(workSession.mfaSerial).toBe(device.serialNumber);
    const expiresAt = Date.parse(workSession.expiration);
    // 12 hours (IAM user default) from the server's time.
    expect(expiresAt).toBe(server.clock.now() + 43_200_000);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
    expect(remainingChoices(expiresAt, before, after).map((left) => `Logged in: [work] holds a session until ${workSession.expiration} (${left}).\n`)).toContain(r.stdout);

    // Every original byte kept; the new section appended after one blank line.
    expect(text).toBe(`${workOriginal}\n${sessionBlock("work", workSession)}`);
    expect(statSync(work.credentials).mode & 0o777).toBe(0o600);
    expect(readdirSync(work.awsDir).sort()).toEqual(["config", "credentials"]);

    // The code is remembered, 0600, under the cache dir.
    const usedCodes = join(work.cache, "mfa-sts", "used-codes.json");
    expect(statSync(usedCodes).mode & 0o777).toBe(0o600);
    const used = JSON.parse(readFileSync(usedCodes, "utf8")) as Record<string, { code: string; at: number }>;
    expect(used[device.serialNumber]?.code).toBe(firstCode);

    const identity = await awsV2(work, ["--profile", "work", "sts", "get-caller-identity"]);
    expect(identity.stderr).toBe("");
    expect(identity.code).toBe(0);
    expect(JSON.parse(identity.stdout)).toEqual(aliceIdentity);
  });

  it("again: the session is still valid — no code, no terminal, no STS call, exit 0", async () => {
    const before = readFileSync(work.credentials, "utf8");
    // A server that would refuse everything: if login called STS, it could not succeed.
    server.clock.fixedMs! += 60 * 60_000;
    try {
      const { result: r, before: t0, after: t1 } = await timed(() => mfaSts(work, ["login", "--profile", "work"]));
      const expiresAt = Date.parse(workSession.expiration);
      expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
      expect(
        remainingChoices(expiresAt, t0, t1).map(
          (left) => `The session in [work] is still valid for ${left} (until ${workSession.expiration}); --force renews it.\n`,
        ),
      ).toContain(r.stdout);
      // AWS_PROFILE chooses the profile too.
      const viaEnv = await mfaSts(work, ["login"], { AWS_PROFILE: "work" });
      expect(viaEnv.code).toBe(0);
      expect(viaEnv.stdout).toMatch(/^The session in \[work\] is still valid for /);
    } finally {
      server.clock.fixedMs! -= 60 * 60_000;
    }
    expect(readFileSync(work.credentials, "utf8")).toBe(before);
  });

  it("--force with the code already used: refused before STS is called (exit 252)", async () => {
    const before = readFileSync(work.credentials, "utf8");
    const used = JSON.parse(readFileSync(join(work.cache, "mfa-sts", "used-codes.json"), "utf8")) as Record<string, { code: string; at: number }>;
    const at = used[device.serialNumber]!.at;

    const [refused, sentToSts] = await Promise.all([
      mfaSts(work, ["login", "--profile", "work", "--force", "--token-code", firstCode]),
      // The same login without the client's memory of codes: STS gets the code, and its replay
      // protection answers differently (254, AWS's line). So the 252 above made no STS call.
      mfaSts(work, ["login", "--profile", "work", "--force", "--token-code", firstCode], { XDG_CACHE_HOME: join(work.dir, "empty-cache") }),
    ]);
    expect(refused.stdout).toBe("");
    expect(refused.code).toBe(252);
    expect(refused.stderr).toMatch(
      new RegExp(
        "^" +
          escapeRe(
            failure(
              `The code ${firstCode} was already used for ${device.serialNumber} at ${rfc3339(at)}: AWS accepts each code once. ` +
                "Use the next code (a new one comes in @@ s).",
            ),
          ).replace("@@", "([1-9]|[12]\\d|30)") +
          "$",
      ),
    );

    expect(sentToSts.stdout).toBe("");
    expect(sentToSts.code).toBe(254);
    expect(sentToSts.stderr).toBe(
      failure(
        `${awsLine("AccessDenied", "MultiFactorAuthentication failed with invalid MFA one time pass code. ")}\n\n` +
          "The code was wrong, or already used: each code works once, and a new one comes every 30 seconds. " +
          "Wait for the next code. If codes keep failing, check the clock of the device (or resync it: aws iam resync-mfa-device).",
      ),
    );
    expect(readFileSync(work.credentials, "utf8")).toBe(before);
  });

  it("--force with no code and no terminal: exit 252 at once, naming --token-code", async () => {
    const r = await mfaSts(work, ["login", "--profile", "work", "--force"]);
    expect(r).toEqual({
      code: 252,
      stdout: "",
      stderr: failure(`An MFA code is needed for ${device.serialNumber} and there is no terminal to ask on: pass it with --token-code CODE.`),
    });
  });

  it("--force with the next code: renews [work] in place", async () => {
    const previous = workSession;
    advanceSteps(server, 1);
    const next = codeAt(device.seed, firstStep + 1);
    const { result: r, before, after } = await timed(() => mfaSts(work, ["login", "--profile", "work", "--force", "--token-code", next]));
    const text = readFileSync(work.credentials, "utf8");
    workSession = sessionIn(text, "work");
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
    expect(remainingChoices(Date.parse(workSession.expiration), before, after).map((left) => `Logged in: [work] holds a session until ${workSession.expiration} (${left}).\n`)).toContain(r.stdout);
    expect(workSession.accessKeyId).not.toBe(previous.accessKeyId);
    expect(workSession.sessionToken).not.toBe(previous.sessionToken);
    expect(text).toBe(`${workOriginal}\n${sessionBlock("work", workSession)}`);
    expect(readdirSync(work.awsDir).sort()).toEqual(["config", "credentials"]);
  });
});

// ───────────────────────────── export ─────────────────────────────

describe("export", () => {
  const expected = (s: StoredSession): Record<string, string> => {
    const exp = s.expiration.replace(/Z$/, "+00:00");
    const vars: [string, string][] = [
      ["AWS_ACCESS_KEY_ID", s.accessKeyId],
      ["AWS_SECRET_ACCESS_KEY", s.secretAccessKey],
      ["AWS_SESSION_TOKEN", s.sessionToken],
      ["AWS_CREDENTIAL_EXPIRATION", exp],
    ];
    const lines = (f: (k: string, v: string) => string) => vars.map(([k, v]) => `${f(k, v)}\n`).join("");
    return {
      process:
        `{\n  "Version": 1,\n  "AccessKeyId": "${s.accessKeyId}",\n  "SecretAccessKey": "${s.secretAccessKey}",\n` +
        `  "SessionToken": "${s.sessionToken}",\n  "Expiration": "${exp}"\n}\n`,
      env: lines((k, v) => `export ${k}=${v}`),
      "env-no-export": lines((k, v) => `${k}=${v}`),
      powershell: lines((k, v) => `$Env:${k}="${v}"`),
      "windows-cmd": lines((k, v) => `set ${k}=${v}`),
      fish: lines((k, v) => `set -gx ${k} ${v}`),
    };
  };

  it("every format, exactly", async () => {
    const want = expected(workSession);
    const formats = Object.keys(want);
    const runs = await Promise.all(formats.map((format) => mfaSts(work, ["export", "--profile", "work", "--format", format])));
    runs.forEach((r, i) => expect(r, formats[i]).toEqual({ code: 0, stdout: want[formats[i]!], stderr: "" }));
    // The default format is process, and AWS_PROFILE picks the profile.
    expect(await mfaSts(work, ["export"], { AWS_PROFILE: "work" })).toEqual({ code: 0, stdout: want.process, stderr: "" });
  });

  it("as credential_process, aws CLI v2 uses it; and prints the same as aws configure export-credentials", async () => {
    const home = makeHome({
      credentials: readFileSync(work.credentials, "utf8"),
      config: `[profile work]\nregion = us-east-1\n\n[profile viaproc]\nregion = us-east-1\ncredential_process = ${process.execPath} ${BIN} export --profile work --format process\n`,
    });
    const identity = await awsV2(home, ["--profile", "viaproc", "sts", "get-caller-identity"]);
    expect(identity.stderr).toBe("");
    expect(identity.code).toBe(0);
    expect(JSON.parse(identity.stdout)).toEqual(aliceIdentity);

    // Differentially: aws CLI v2 re-exports what the process gave it; byte for byte the same.
    const formats = ["process", "env", "env-no-export", "powershell", "windows-cmd"];
    const [ours, theirs] = await Promise.all([
      Promise.all(formats.map((format) => mfaSts(home, ["export", "--profile", "work", "--format", format]))),
      Promise.all(formats.map((format) => awsV2(home, ["--profile", "viaproc", "configure", "export-credentials", "--format", format]))),
    ]);
    formats.forEach((format, i) => {
      expect(theirs[i], format).toEqual({ code: 0, stdout: expected(workSession)[format], stderr: "" });
      expect(ours[i], format).toEqual(theirs[i]);
    });
  });

  it("never prints expired or missing credentials: without a terminal, exit 253 and what to run", async () => {
    const home = makeHome({
      credentials:
        "[old-long-term]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY\n\n" +
        "[old]\naws_access_key_id = ASIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY\n" +
        "aws_session_token = AQoEXAMPLEH4aoAH0gNCAPy\naws_credential_expiration = 2020-01-01T00:00:00Z\n",
    });
    const [expired, missing, viaExec] = await Promise.all([
      mfaSts(home, ["export", "--profile", "old", "--format", "env"]),
      mfaSts(home, ["export", "--profile", "nosuch"]),
      mfaSts(home, ["exec", "--profile", "old", "--", process.execPath, "-e", "console.log('ran')"]),
    ]);
    const expiredMessage = failure(
      "The session in [old] expired at 2020-01-01T00:00:00Z, and there is no terminal to log in on: run `mfa-sts login --profile old`.",
    );
    expect(expired).toEqual({ code: 253, stdout: "", stderr: expiredMessage });
    expect(missing).toEqual({
      code: 253,
      stdout: "",
      stderr: failure("The session in [nosuch] does not exist, and there is no terminal to log in on: run `mfa-sts login --profile nosuch`."),
    });
    expect(viaExec).toEqual({ code: 253, stdout: "", stderr: expiredMessage });
  });
});

// ───────────────────────────── exec ─────────────────────────────

describe("exec", () => {
  it("passes the command's exit code, stdout and stderr through", async () => {
    const r = await mfaSts(work, ["exec", "--profile", "work", "--", process.execPath, "-e", "process.stdout.write('out'); process.stderr.write('err'); process.exit(7)"]);
    expect(r).toEqual({ code: 7, stdout: "out", stderr: "err" });
  });

  it("gives the command the session, the region and no AWS_PROFILE", async () => {
    const script = "console.log(JSON.stringify(Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('AWS_')))))";
    const r = await mfaSts(work, ["exec", "--", process.execPath, "-e", script], { AWS_PROFILE: "work" });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      AWS_ACCESS_KEY_ID: workSession.accessKeyId,
      AWS_SECRET_ACCESS_KEY: workSession.secretAccessKey,
      AWS_SESSION_TOKEN: workSession.sessionToken,
      AWS_CREDENTIAL_EXPIRATION: workSession.expiration,
      AWS_REGION: "us-east-1",
      AWS_DEFAULT_REGION: "us-east-1",
      // What the environment already had, untouched.
      AWS_SHARED_CREDENTIALS_FILE: work.credentials,
      AWS_CONFIG_FILE: work.config,
      AWS_ENDPOINT_URL_STS: server.url,
      AWS_EC2_METADATA_DISABLED: "true",
      AWS_PAGER: "",
    });
  });

  it("aws CLI v2 run by exec is alice", async () => {
    const r = await mfaSts(work, ["exec", "--profile", "work", "--", AWS_V2, "--endpoint-url", server.url, "--output", "json", "sts", "get-caller-identity"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(aliceIdentity);
  });

  it("no command, or one that does not exist: a clear error", async () => {
    const [none, noneAfterDashes, notFound] = await Promise.all([
      mfaSts(work, ["exec", "--profile", "work"]),
      mfaSts(work, ["exec", "--profile", "work", "--"]),
      mfaSts(work, ["exec", "--profile", "work", "--", "no-such-command-mfa-sts"]),
    ]);
    for (const r of [none, noneAfterDashes]) {
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(/^error: missing required argument 'command'\n\nUsage: mfa-sts exec \[options\] <command\.\.\.>\n/);
    }
    expect(notFound).toEqual({ code: 127, stdout: "", stderr: failure("mfa-sts exec: cannot run no-such-command-mfa-sts: command not found") });
  });
});

// ───────────────────────────── status ─────────────────────────────

describe("status", () => {
  it("lists the managed profiles: valid with the time left, expired marked", async () => {
    const home = makeHome({
      credentials:
        readFileSync(work.credentials, "utf8") +
        "\n[old-long-term]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY\n" +
        "\n[old]\naws_access_key_id = ASIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY\n" +
        "aws_session_token = AQoEXAMPLEH4aoAH0gNCAPy\naws_credential_expiration = 2020-01-01T00:00:00Z\n" +
        // An expiration without a long-term sibling is not one of login's.
        "\n[someone-elses]\naws_access_key_id = ASIAI44QH8DHBEXAMPLE\naws_secret_access_key = x\naws_session_token = y\naws_credential_expiration = 2099-01-01T00:00:00Z\n",
    });
    const { result: r, before, after } = await timed(() => mfaSts(home, ["status"]));
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
    const table = (left: string) =>
      "PROFILE  STATUS   EXPIRES               REMAINING\n" +
      `work     valid    ${workSession.expiration}  ${left}\n` +
      "old      expired  2020-01-01T00:00:00Z  -\n";
    expect(remainingChoices(Date.parse(workSession.expiration), before, after).map(table)).toContain(r.stdout);
  });

  it("a hand-edited expiration that is not a time: shown as unreadable, not a crash", async () => {
    const home = makeHome({
      credentials:
        "[bad-long-term]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = x\n" +
        "\n[bad]\naws_access_key_id = ASIAIOSFODNN7EXAMPLE\naws_secret_access_key = x\naws_session_token = y\naws_credential_expiration = tomorrow\n",
    });
    expect(await mfaSts(home, ["status"])).toEqual({
      code: 0,
      stdout: "PROFILE  STATUS      EXPIRES   REMAINING\nbad      unreadable  tomorrow  -\n",
      stderr: "",
    });
  });

  it("a file without managed profiles, or no file at all: says so", async () => {
    const withOthers = makeHome({ credentials: workOriginal });
    const empty = makeHome();
    const [a, b] = await Promise.all([mfaSts(withOthers, ["status"]), mfaSts(empty, ["status"])]);
    expect(a).toEqual({ code: 0, stdout: `No session profiles in ${withOthers.credentials}: run mfa-sts login --profile NAME.\n`, stderr: "" });
    expect(b).toEqual({ code: 0, stdout: `No session profiles in ${empty.credentials}: run mfa-sts login --profile NAME.\n`, stderr: "" });
  });

  it("a credentials file that does not parse: botocore's message (exit 255), no stack trace", async () => {
    const home = makeHome({ credentials: "aws_access_key_id = AKIAIOSFODNN7EXAMPLE\n[work-long-term]\n" });
    const message = failure(`Unable to parse config file: ${home.credentials}`);
    const runs = await Promise.all([
      mfaSts(home, ["status"]),
      mfaSts(home, ["login", "--profile", "work", "--token-code", "123456"]),
      mfaSts(home, ["export", "--profile", "work"]),
    ]);
    for (const r of runs) expect(r).toEqual({ code: 255, stdout: "", stderr: message });
  });
});

// ───────────────────────────── hints ─────────────────────────────

/** A home whose [work-long-term] holds `longTerm` (key lines), [profile work] `profile` lines. */
function hintHome(longTerm: string | undefined, profile = "region = us-east-1\n"): Home {
  return makeHome({
    credentials: `[default]\nregion = eu-west-1\n${longTerm === undefined ? "" : `\n[work-long-term]\n${longTerm}`}`,
    config: `[profile work]\n${profile}`,
  });
}

const keyLines = (c: Credentials): string =>
  `aws_access_key_id = ${c.accessKeyId}\naws_secret_access_key = ${c.secretAccessKey}\n${c.sessionToken === undefined ? "" : `aws_session_token = ${c.sessionToken}\n`}`;

/** Runs a login expected to fail with AWS's line and the hint; the file must be untouched. */
async function expectHint(home: Home, args: string[], code: number, stderr: string): Promise<void> {
  const before = readFileSync(home.credentials, "utf8");
  const r = await mfaSts(home, ["login", "--profile", "work", ...args]);
  expect(r).toEqual({ code, stdout: "", stderr });
  expect(readFileSync(home.credentials, "utf8")).toBe(before);
  expect(readdirSync(home.awsDir).sort()).toEqual(["config", "credentials"]);
}

describe("the known failures, each with AWS's line and then the answer", () => {
  beforeAll(() => releaseServerClock());

  it.concurrent("session credentials in the long-term section", async () => {
    const { sts } = sdkClients(server.url, alice);
    const { Credentials: c } = await sts.send(new GetSessionTokenCommand({ DurationSeconds: 900 }));
    const home = hintHome(keyLines({ accessKeyId: c!.AccessKeyId!, secretAccessKey: c!.SecretAccessKey!, sessionToken: c!.SessionToken! }));
    await expectHint(
      home,
      [],
      254,
      failure(
        `${awsLine("AccessDenied", "Cannot call GetSessionToken with session credentials")}\n\n` +
          `[work-long-term] in ${home.credentials} holds temporary credentials (an ASIA… key or a session token). ` +
          "Put the IAM user's long-term access key (AKIA…) there and remove aws_session_token from it; mfa-sts login writes the session into [work].",
      ),
    );
  });

  it.concurrent("the user's ARN as --serial-number", async () => {
    const home = hintHome(keyLines(alice));
    const userArn = `arn:aws:iam::${ACCOUNT}:user/alice`;
    await expectHint(
      home,
      ["--serial-number", userArn, "--token-code", "123456"],
      254,
      failure(
        `${awsLine("AccessDenied", "MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user.")}\n\n` +
          `${userArn} is the user's ARN, not its MFA device. The device's serial number looks like arn:aws:iam::${ACCOUNT}:mfa/NAME: ` +
          "find it with `aws iam list-mfa-devices --user-name alice` (SerialNumber), or in the IAM console under Security credentials → Multi-factor authentication (MFA).",
      ),
    );
  });

  it.concurrent("a wrong code (serial from mfa_serial)", async () => {
    const home = hintHome(keyLines(alice), `mfa_serial = ${device.serialNumber}\nregion = us-east-1\n`);
    await expectHint(
      home,
      ["--token-code", wrongCode(device.seed, serverStep(server))],
      254,
      failure(
        `${awsLine("AccessDenied", "MultiFactorAuthentication failed with invalid MFA one time pass code. ")}\n\n` +
          "The code was wrong, or already used: each code works once, and a new one comes every 30 seconds. " +
          "Wait for the next code. If codes keep failing, check the clock of the device (or resync it: aws iam resync-mfa-device).",
      ),
    );
  });

  it.concurrent("an access key AWS does not know (InvalidClientTokenId, with the period)", async () => {
    const home = hintHome(keyLines({ accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: alice.secretAccessKey }));
    await expectHint(
      home,
      [],
      254,
      failure(
        `${awsLine("InvalidClientTokenId", "The security token included in the request is invalid.")}\n\n` +
          "AWS does not know the access key in [work-long-term]: it was deleted, deactivated or mistyped. Check it with `aws iam list-access-keys`, or create a new one.",
      ),
    );
  });

  it.concurrent("a long-term key with a session token that does not belong (no period)", async () => {
    const home = hintHome(keyLines({ ...alice, sessionToken: "FwoGZXIvYXdzEXAMPLEstaleTOKEN" }));
    await expectHint(
      home,
      [],
      254,
      failure(
        `${awsLine("InvalidClientTokenId", "The security token included in the request is invalid")}\n\n` +
          "[work-long-term] must hold only aws_access_key_id and aws_secret_access_key: remove its aws_session_token.",
      ),
    );
  });

  it.concurrent("a wrong secret", async () => {
    const home = hintHome(keyLines({ accessKeyId: alice.accessKeyId, secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY" }));
    await expectHint(
      home,
      [],
      254,
      failure(
        `${awsLine(
          "SignatureDoesNotMatch",
          "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
        )}\n\n` + "The aws_secret_access_key in [work-long-term] does not belong to its aws_access_key_id: copy both from the same key.",
      ),
    );
  });

  it.concurrent("no long-term section: exit 253 with the exact lines to add, no STS call", async () => {
    const home = hintHome(undefined);
    await expectHint(
      home,
      ["--token-code", "123456"],
      253,
      failure(
        `There is no [work-long-term] section in ${home.credentials}. Add the IAM user's long-term key there:\n\n` +
          "[work-long-term]\naws_access_key_id = AKIA...\naws_secret_access_key = ...\n",
      ),
    );
    // --long-term-suffix names another section.
    const other = makeHome({ credentials: `[work.keys]\n${keyLines(alice)}`, config: "[profile work]\nregion = us-east-1\n" });
    const r = await mfaSts(other, ["login", "--profile", "work", "--long-term-suffix", ".keys"]);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
    expect(r.stdout).toMatch(/^Logged in: \[work\] holds a session until /);
  });
});

describe("the known failures that depend on the clock", () => {
  afterAll(() => releaseServerClock());

  it("ExpiredToken: an expired session in the long-term section", async () => {
    const real = Math.floor(Date.now() / 1000) * 1000;
    // A 900 s session issued 14 minutes ago (server and signer both there) ends in a minute…
    server.clock.fixedMs = real - 14 * 60_000;
    const sts = new STSClient({ endpoint: server.url, region: "us-east-1", credentials: alice, maxAttempts: 1, systemClockOffset: -14 * 60_000 });
    const { Credentials: c } = await sts.send(new GetSessionTokenCommand({ DurationSeconds: 900 }));
    expect(c!.Expiration!.getTime()).toBe(real + 60_000);
    // …and 14 minutes from now it is over, while a signature made now is still in the window.
    server.clock.fixedMs = real + 14 * 60_000;
    const home = hintHome(keyLines({ accessKeyId: c!.AccessKeyId!, secretAccessKey: c!.SecretAccessKey!, sessionToken: c!.SessionToken! }));
    await expectHint(
      home,
      [],
      254,
      failure(
        `${awsLine("ExpiredToken", "The security token included in the request is expired")}\n\n` +
          "[work-long-term] holds a session, and it has expired. Put the IAM user's long-term access key (AKIA…) there and remove aws_session_token from it; " +
          "mfa-sts login writes the session into [work].",
      ),
    );
  });

  it("clock skew: the server is 20 minutes ahead — Signature expired, the hint names the skew", async () => {
    const serverNow = Math.floor(Date.now() / 1000) * 1000 + 20 * 60_000;
    server.clock.fixedMs = serverNow;
    const home = hintHome(keyLines(alice));
    const before = Date.now();
    const r = await mfaSts(home, ["login", "--profile", "work"]);
    const after = Date.now();
    const amz = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}Z$/, "Z");
    const expected = failure(
      `${awsLine("SignatureDoesNotMatch", `Signature expired: @@ is now earlier than ${amz(serverNow - 15 * 60_000)} (${amz(serverNow)} - 15 min.)`)}\n\n` +
        "This computer's clock is off by 20 minutes (behind AWS): signatures (and MFA codes) depend on it. Sync it (e.g. `sudo timedatectl set-ntp true`) and try again.",
    );
    const m = new RegExp(`^${escapeRe(expected).replace("@@", "(\\d{8}T\\d{6}Z)")}$`).exec(r.stderr);
    expect(r.stderr).toMatch(/Signature expired/);
    expect(m, r.stderr).not.toBeNull();
    // The request was signed with the client's (real) clock.
    const signedAt = Date.parse(m![1]!.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, "$1-$2-$3T$4:$5:$6Z"));
    expect(signedAt).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(signedAt).toBeLessThanOrEqual(after);
    expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 254, stdout: "" });
  });

  it("a clock 45 s off: login succeeds and warns by how much", async () => {
    releaseServerClock();
    server.clock.offsetMs = 45_000;
    const home = hintHome(keyLines(alice));
    const { result: r, before, after } = await timed(() => mfaSts(home, ["login", "--profile", "work"]));
    expect(r.code).toBe(0);
    const s = sessionIn(readFileSync(home.credentials, "utf8"), "work");
    expect(remainingChoices(Date.parse(s.expiration), before, after).map((left) => `Logged in: [work] holds a session until ${s.expiration} (${left}).\n`)).toContain(r.stdout);
    // Date has whole seconds and the round trip takes a little: 45 s, give or take one.
    expect(r.stderr).toMatch(/^warning: this computer's clock is 4[456] seconds \(behind AWS\); MFA codes and request signatures depend on it\.\n$/);
  });
});

// ───────────────────────────── ten at once ─────────────────────────────

describe("ten logins in parallel on one file", () => {
  it("all ten sections written, every original byte kept, nothing left behind", async () => {
    releaseServerClock();
    const profiles = Array.from({ length: 10 }, (_, i) => `p${i}`);
    const text =
      "# shared by ten sessions\n[default]\nregion = eu-west-1\n\n" +
      profiles.map((p) => `[${p}-long-term]\n${keyLines(alice)}`).join("\n") +
      "\n; end of the hand-written part\n[other]\naws_access_key_id = AKIAI44QH8DHBEXAMPLE\naws_secret_access_key = je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY\n";
    const home = makeHome({ credentials: text });
    const runs = await Promise.all(profiles.map((p) => mfaSts(home, ["login", "--profile", p])));
    runs.forEach((r, i) => expect({ code: r.code, stderr: r.stderr }, profiles[i]).toEqual({ code: 0, stderr: "" }));

    const after = readFileSync(home.credentials, "utf8");
    const sessions = new Map(profiles.map((p) => [p, sessionIn(after, p)]));
    runs.forEach((r, i) => {
      const s = sessions.get(profiles[i]!)!;
      expect(r.stderr, profiles[i]).toBe("");
      expect(r.code, profiles[i]).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Logged in: \\[${profiles[i]}\\] holds a session until ${escapeRe(s.expiration)} \\(\\d+h \\d{2}m\\)\\.\\n$`));
    });
    expect(new Set([...sessions.values()].map((s) => s.accessKeyId)).size).toBe(10);

    // The original text, then the ten new sections (in whatever order they won the lock).
    expect(after.startsWith(text)).toBe(true);
    const added = after.slice(text.length).split(/(?=\n\[p\d\]\n)/);
    expect(added).toHaveLength(10);
    expect(added.sort()).toEqual(profiles.map((p) => `\n${sessionBlock(p, sessions.get(p)!)}`).sort());

    // No lock, no temporary file.
    expect(readdirSync(home.awsDir)).toEqual(["credentials"]);
  });
});
