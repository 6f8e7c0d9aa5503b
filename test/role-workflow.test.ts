/**
 * The role-profile workflow in process, with time injected (issue 14 item 4): one clock drives
 * the server and the client (its freshness checks and its request signatures), and a scripted
 * terminal counts the prompts. So "one code per session for any number of roles", the aws CLI's
 * 15-minute window, a session going stale after 12 hours and "one code per role" when the role
 * is assumed directly are checked hours apart without waiting for anything.
 */
import { CreateRoleCommand, type IAMClient } from "@aws-sdk/client-iam";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { cliCachePath, readCachedRole } from "../src/client/cli-cache.js";
import { loginCommand } from "../src/client/login-command.js";
import type { WorkflowIo } from "../src/client/login.js";
import { exportCredentials } from "../src/client/session-commands.js";
import type { Terminal } from "../src/client/tty.js";
import { timeStep } from "../src/mfa/totp.js";
import { sdkClients } from "./helpers/clients.js";
import { codeAt, createUserWithKey, enabledVirtualDevice, type VirtualDevice } from "./helpers/mfa.js";
import { startTestServer, type TestServer } from "./helpers/server.js";

const ACCOUNT = "123456789012";
const ROLES = ["r1", "r2", "r3", "r4", "r5"];
const HOUR = 3_600_000;
const MINUTE = 60_000;

let server: TestServer;
let device: VirtualDevice;
let home: string;
/** The one clock: the server's and the client's. */
let now: number;
let t0: number;

const roleArn = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;

beforeAll(async () => {
  server = await startTestServer({ accountId: ACCOUNT });
  now = Math.floor(Date.now() / 30_000) * 30_000 + 1_000;
  t0 = now;
  server.clock.fixedMs = now;
  const iam: IAMClient = sdkClients(server.url, server.root).iam;
  const alice = await createUserWithKey(iam, "alice");
  device = await enabledVirtualDevice(server, iam, "alice");
  const trust = JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/alice` },
        Action: "sts:AssumeRole",
        Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } },
      },
    ],
  });
  for (const name of [...ROLES, "long", "long2"]) {
    await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trust, MaxSessionDuration: name.startsWith("long") ? 7200 : undefined }));
  }

  home = mkdtempSync(join(tmpdir(), "mfa-sts-role-workflow-"));
  mkdirSync(join(home, ".aws"));
  writeFileSync(join(home, ".aws", "credentials"), `[work-long-term]\naws_access_key_id = ${alice.accessKeyId}\naws_secret_access_key = ${alice.secretAccessKey}\n`);
  writeFileSync(
    join(home, ".aws", "config"),
    `[profile work]\nmfa_serial = ${device.serialNumber}\nregion = us-east-1\n` +
      ROLES.map((r) => `[profile ${r}]\nrole_arn = ${roleArn(r)}\nsource_profile = work\n`).join("") +
      ["long", "long2"].map((r) => `[profile ${r}]\nrole_arn = ${roleArn(r)}\nsource_profile = work\nduration_seconds = 3601\n`).join(""),
  );
}, 60_000);

afterAll(async () => {
  await server?.close();
  rmSync(home, { recursive: true, force: true });
});

/** Moves the one clock. */
function advance(ms: number): void {
  now += ms;
  server.clock.fixedMs = now;
}

/** What the person at the terminal typed and saw. */
let prompts: string[];
let shown: string[];
let answers: (() => string)[];
let out: string;
let err: string;

beforeEach(() => {
  prompts = [];
  shown = [];
  answers = [];
  out = "";
  err = "";
});

/** The code the device shows one step after the server's clock (the server takes ±1 step). */
const nextCode = () => codeAt(device.seed, timeStep(now) + 1);

/** A six-digit code no step within ±2 of the clock's shows. */
function wrongCode(): string {
  const near = new Set([-2, -1, 0, 1, 2].map((d) => codeAt(device.seed, timeStep(now) + d)));
  for (let n = 1; ; n++) {
    const candidate = String((n * 111_111) % 1_000_000).padStart(6, "0");
    if (!near.has(candidate)) return candidate;
  }
}

function terminal(): Terminal {
  return {
    write: (text) => void (text.startsWith("MFA code for ") ? prompts.push(text) : shown.push(text)),
    readLine: () => answers.shift()?.(),
    close: () => {},
  };
}

const io = (withTerminal = true): WorkflowIo => ({
  env: {
    AWS_CONFIG_FILE: join(home, ".aws", "config"),
    AWS_SHARED_CREDENTIALS_FILE: join(home, ".aws", "credentials"),
    AWS_ENDPOINT_URL_STS: server.url,
    XDG_CACHE_HOME: join(home, "cache"),
  },
  home,
  cwd: home,
  stdout: (text) => void (out += text),
  stderr: (text) => void (err += text),
  terminal: () => (withTerminal ? terminal() : undefined),
  now: () => now,
  version: "test",
});

const login = (profile: string, extra: { force?: boolean; noSession?: boolean } = {}) =>
  loginCommand({ profile, force: !!extra.force, noSession: !!extra.noSession, longTermSuffix: "-long-term" }, io());
const cached = (profile: string) => readCachedRole(cliCachePath(io(), { RoleArn: roleArn(profile), ...(profile.startsWith("long") && { DurationSeconds: 3601 }) }));
const session = () => /aws_credential_expiration = (\S+)/.exec(readFileSync(join(home, ".aws", "credentials"), "utf8"))?.[1];

describe("one prompt per MFA session", () => {
  it("five role profiles on one source: one prompt in all", async () => {
    answers = [nextCode];
    for (const role of ROLES) await login(role);
    expect(prompts).toEqual([`MFA code for ${device.serialNumber}: `]);
    expect(err).toBe("");
    expect(out.split("\n").filter(Boolean)).toEqual([
      `Logged in: [work] holds a session until ${new Date(t0 + 12 * HOUR).toISOString().replace(".000", "")} (12h 00m).`,
      ...ROLES.map(
        (r) => `Assumed ${roleArn(r)} for profile ${r} with the session in [work]; its credentials last until ${new Date(t0 + HOUR).toISOString().replace(".000", "")} (1h 00m).`,
      ),
    ]);
    for (const role of ROLES) expect(cached(role)?.expiresAt).toBe(t0 + HOUR);
  });

  it("45 minutes on (16 left): the cached credentials are used, nothing is called", async () => {
    advance(44 * MINUTE);
    const before = readFileSync(cliCachePath(io(), { RoleArn: roleArn("r1") }), "utf8");
    await exportCredentials({ profile: "r1", format: "env" }, io(false));
    expect(out).toContain(`export AWS_CREDENTIAL_EXPIRATION=${new Date(t0 + HOUR).toISOString().replace(".000Z", "+00:00")}\n`);
    expect(readFileSync(cliCachePath(io(), { RoleArn: roleArn("r1") }), "utf8")).toBe(before);
  });

  it("in the aws CLI's 15-minute window: renewed from the session, without a terminal", async () => {
    advance(2 * MINUTE); // 14 minutes left
    await exportCredentials({ profile: "r1", format: "process" }, io(false));
    expect({ prompts, err }).toEqual({ prompts: [], err: "" });
    const renewed = cached("r1")!;
    expect(renewed.expiresAt).toBe(now + HOUR);
    expect(JSON.parse(out)).toMatchObject({ AccessKeyId: renewed.accessKeyId });
  });

  it("11 h 56 min on, the session has 4 minutes: one prompt renews it, the five roles follow it", async () => {
    advance(11 * HOUR + 56 * MINUTE - 46 * MINUTE);
    expect(Date.parse(session()!) - now).toBe(4 * MINUTE);
    answers = [nextCode];
    for (const role of ROLES) await exportCredentials({ profile: role, format: "env" }, io());
    expect(prompts).toEqual([`MFA code for ${device.serialNumber}: `]);
    // Login's line went to stderr: stdout is the credentials'.
    expect(err).toBe(`Logged in: [work] holds a session until ${new Date(now + 12 * HOUR).toISOString().replace(".000", "")} (12h 00m).\n`);
    expect(out.match(/^export AWS_ACCESS_KEY_ID=/gm)).toHaveLength(5);
    for (const role of ROLES) expect(cached(role)?.expiresAt).toBe(now + HOUR);
  });
});

describe("roles over an hour: assumed directly, one prompt each", () => {
  it("long and long2: a notice and a prompt each; a wrong code gets one more try", async () => {
    advance(MINUTE);
    answers = [wrongCode, nextCode];
    await login("long");
    advance(MINUTE);
    answers = [nextCode];
    await login("long2");
    expect(prompts).toEqual([`MFA code for ${device.serialNumber}: `, `MFA code for ${device.serialNumber}: `, `MFA code for ${device.serialNumber}: `]);
    expect(shown).toEqual(["MultiFactorAuthentication failed with invalid MFA one time pass code. Try the next code.\n"]);
    const notice = (p: string) =>
      `profile ${p} asks for duration_seconds = 3601, more than the one hour AWS allows a role assumed from a session (role chaining): ` +
      "assuming it with the long-term key in [work-long-term] and an MFA code instead.\n";
    expect(err).toBe(notice("long") + notice("long2"));
    expect(cached("long2")?.expiresAt).toBe(now + 3_601_000);
  });

  it("--no-session on a one-hour role: a prompt, though the session is fresh", async () => {
    advance(MINUTE);
    answers = [nextCode];
    await login("r2", { force: true, noSession: true });
    expect(prompts).toHaveLength(1);
    expect(out).toMatch(/^Assumed arn:aws:iam::123456789012:role\/r2 for profile r2 with the long-term key in \[work-long-term\] and an MFA code; /);
  });
});

describe("status", () => {
  it("role credentials inside the CLI's 15 minutes are expiring, then expired; the session stays valid", async () => {
    const { status } = await import("../src/client/session-commands.js");
    const ends = Object.fromEntries([...ROLES, "long", "long2"].map((r) => [r, cached(r)!.expiresAt]));
    const rfc = (ms: number) => new Date(ms).toISOString().replace(".000", "");
    const sessionEnds = Date.parse(session()!);
    advance(ends.r1! - now - 10 * MINUTE); // r1…r5 have 10 minutes left
    const table = () => {
      const state = (left: number) => (left > 15 * MINUTE ? "valid" : left > 0 ? "expiring" : "expired");
      const width = Math.max(6, ...Object.values(ends).map((e) => state(e - now).length));
      const row = (r: string) => {
        const left = ends[r]! - now;
        return `${r.padEnd(12)}  work    ${state(left).padEnd(width)}  ${rfc(ends[r]!)}  ${left > 0 ? `${Math.floor(left / MINUTE)}m` : "-"}\n`;
      };
      const sessionLeft = sessionEnds - now;
      return (
        "PROFILE  STATUS  EXPIRES               REMAINING\n" +
        `work     valid   ${rfc(sessionEnds)}  ${Math.floor(sessionLeft / HOUR)}h ${String(Math.floor((sessionLeft % HOUR) / MINUTE)).padStart(2, "0")}m\n` +
        "\n" +
        `ROLE PROFILE  SOURCE  ${"STATUS".padEnd(width)}  EXPIRES               REMAINING\n` +
        [...ROLES, "long", "long2"].map(row).join("")
      );
    };
    status({ longTermSuffix: "-long-term" }, io(false));
    expect(out).toBe(table());
    expect(out).toContain("r1            work    expiring  ");
    out = "";
    advance(30 * MINUTE);
    status({ longTermSuffix: "-long-term" }, io(false));
    expect(out).toBe(table());
    expect(out).toContain("r1            work    expired  2");
  });
});

describe("a session made without MFA", () => {
  it("is not reused for a role profile that names an MFA device: one prompt makes an MFA session, and the role is assumed", async () => {
    const keys = /\[work-long-term\]\n([^[]*)/.exec(readFileSync(join(home, ".aws", "credentials"), "utf8"))![1]!;
    writeFileSync(join(home, ".aws", "credentials"), `${readFileSync(join(home, ".aws", "credentials"), "utf8")}\n[plain-long-term]\n${keys}`);
    writeFileSync(
      join(home, ".aws", "config"),
      `${readFileSync(join(home, ".aws", "config"), "utf8")}[profile plain]\nregion = us-east-1\n` +
        `[profile needs-mfa]\nrole_arn = ${roleArn("r1")}\nsource_profile = plain\nmfa_serial = ${device.serialNumber}\n`,
    );
    advance(MINUTE);
    await login("plain");
    expect(prompts).toEqual([]);
    expect(readFileSync(join(home, ".aws", "credentials"), "utf8")).toMatch(/\[plain\]\n(?:.*\n){4}mfa_sts_mfa_serial = none\n/);
    advance(MINUTE);
    answers = [nextCode];
    await login("needs-mfa");
    expect(prompts).toEqual([`MFA code for ${device.serialNumber}: `]);
    expect(out).toContain(`Assumed ${roleArn("r1")} for profile needs-mfa with the session in [plain]`);
    expect(readFileSync(join(home, ".aws", "credentials"), "utf8")).toMatch(/\[plain\]\n(?:.*\n){4}mfa_sts_mfa_serial = arn:aws:iam::123456789012:mfa\/alice\n/);
  });
});
