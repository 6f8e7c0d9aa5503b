/**
 * Attempt limits (issue 16 item 1) from the command line: `serve --mfa-max-failures N
 * --mfa-lockout-seconds S` sets them (here with two workers on one SQLite store, which share the
 * count), and `mfa-sts login` explains a lockout — what it means and when it ends — after AWS's
 * error line. Processes are spawned as a user runs them; the servers use the real clock.
 */
import { EnableMFADeviceCommand } from "@aws-sdk/client-iam";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { timeStep, totpCode } from "../src/mfa/totp.js";
import { BIN, mfaSts, serve, type ServeProcess } from "./helpers/cli.js";
import { boto3, sdkClients } from "./helpers/clients.js";
import { spawnDetached } from "./helpers/detached.js";
import { createUserWithKey, createVirtualDevice } from "./helpers/mfa.js";
import { tempDir, type Credentials } from "./helpers/server.js";

const ACCOUNT = "123456789012";
const THROTTLED = [400, "Throttling", "Rate exceeded"];
const INVALID_CODE = [403, "AccessDenied", "MultiFactorAuthentication failed with invalid MFA one time pass code. "];

let server: ServeProcess;
let root: Credentials;
const dataDir = tempDir();
const auditFile = join(dataDir, "audit.log");
const env = (): Record<string, string> => ({ PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: mkdtempSync(join(tmpdir(), "mfa-sts-attempts-cli-")) });

beforeAll(async () => {
  const init = await mfaSts(["init", "--data-dir", dataDir, "--account-id", ACCOUNT, "--json"], env());
  const created = JSON.parse(init.stdout) as { AccessKeyId: string; SecretAccessKey: string };
  root = { accessKeyId: created.AccessKeyId, secretAccessKey: created.SecretAccessKey };
  server = await serve(
    ["--data-dir", dataDir, "--workers", "2", "--log-level", "silent", "--audit-log", auditFile, "--mfa-max-failures", "2", "--mfa-lockout-seconds", "60"],
    env(),
  );
});
afterAll(async () => {
  server?.child.kill("SIGTERM");
  await server?.exited;
});

const py = (value: unknown): string => JSON.stringify(value);

/** A user with a key and an enabled virtual device (the server on the real clock: codes of now). */
async function userWithDevice(name: string): Promise<{ creds: Credentials; serialNumber: string; seed: Buffer }> {
  const { iam } = sdkClients(server.url, root);
  const creds = await createUserWithKey(iam, name);
  const device = await createVirtualDevice(iam, name);
  const step = timeStep(Date.now());
  await iam.send(
    new EnableMFADeviceCommand({
      UserName: name,
      SerialNumber: device.serialNumber,
      AuthenticationCode1: totpCode(device.seed, step - 1),
      AuthenticationCode2: totpCode(device.seed, step),
    }),
  );
  return { creds, ...device };
}

/** A code no step near now shows. */
function wrongCode(seed: Buffer, nth: number): string {
  const step = timeStep(Date.now());
  const near = new Set([-3, -2, -1, 0, 1, 2, 3].map((d) => totpCode(seed, step + d)));
  let found = 0;
  for (let i = 1; ; i++) {
    const candidate = String((i * 314_159) % 1_000_000).padStart(6, "0");
    if (!near.has(candidate) && ++found === nth) return candidate;
  }
}

/** GetSessionToken with each code (boto3, one attempt each, on whichever worker takes it). */
async function getSessionTokens(creds: Credentials, serialNumber: string, codes: readonly string[]): Promise<unknown> {
  const script = [
    "cfg = botocore.config.Config(retries={'mode': 'standard', 'total_max_attempts': 1})",
    `sts = s.client('sts', endpoint_url=${py(server.url)}, config=cfg)`,
    `print(json.dumps([err(lambda: sts.get_session_token(SerialNumber=${py(serialNumber)}, TokenCode=c)) or "ok" for c in ${py(codes)}]))`,
  ].join("\n");
  const r = await boto3(server.url, creds, script);
  expect(r.stderr).toBe("");
  return JSON.parse(r.stdout);
}

describe("mfa-sts login during a lockout", () => {
  it("prints AWS's Throttling line, then what the lock means and when it ends", async () => {
    const kim = await userWithDevice("kim");
    expect(await getSessionTokens(kim.creds, kim.serialNumber, [wrongCode(kim.seed, 1), wrongCode(kim.seed, 2)])).toEqual([INVALID_CODE, INVALID_CODE]);

    const home = mkdtempSync(join(tmpdir(), "mfa-sts-attempts-login-"));
    mkdirSync(join(home, ".aws"), { mode: 0o700 });
    const credentials = join(home, ".aws", "credentials");
    writeFileSync(credentials, `[work-long-term]\naws_access_key_id = ${kim.creds.accessKeyId}\naws_secret_access_key = ${kim.creds.secretAccessKey}\n`, { mode: 0o600 });
    writeFileSync(join(home, ".aws", "config"), `[profile work]\nmfa_serial = ${kim.serialNumber}\nregion = us-east-1\n`, { mode: 0o600 });
    const r = await spawnDetached(process.execPath, [BIN, "login", "--profile", "work", "--token-code", totpCode(kim.seed, timeStep(Date.now()) + 1)], {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: home,
      AWS_SHARED_CREDENTIALS_FILE: credentials,
      AWS_CONFIG_FILE: join(home, ".aws", "config"),
      XDG_CACHE_HOME: join(home, "cache"),
      AWS_ENDPOINT_URL_STS: server.url,
      AWS_EC2_METADATA_DISABLED: "true",
      // One attempt: the client would retry Throttling (refused again, not counted) with real waits.
      AWS_MAX_ATTEMPTS: "1",
    });
    expect(r).toEqual({
      code: 254,
      stdout: "",
      stderr:
        "\nAn error occurred (Throttling) when calling the GetSessionToken operation: Rate exceeded\n\n" +
        `Too many failed attempts: the MFA device ${kim.serialNumber} (or the access key in [work-long-term]) is locked for a while. ` +
        "An mfa-sts server locks it after 5 wrong codes (or bad signatures) within 5 minutes, for 15 minutes by default, " +
        "counted from the failure that locked it; until then every attempt is refused, even with the right code, " +
        "and retrying does not extend the lock. Wait that long, then log in with a fresh code.\n",
    });
    // Nothing written.
    expect(readFileSync(credentials, "utf8")).toBe(`[work-long-term]\naws_access_key_id = ${kim.creds.accessKeyId}\naws_secret_access_key = ${kim.creds.secretAccessKey}\n`);
  });
});

describe("serve --mfa-max-failures 2 --mfa-lockout-seconds 60 (two workers, one SQLite store)", () => {
  it("the 2nd wrong code locks the device for 60 seconds; a right code is then refused (last: it stops the server)", async () => {
    const judy = await userWithDevice("judy");
    const right = totpCode(judy.seed, timeStep(Date.now()) + 1);
    expect(await getSessionTokens(judy.creds, judy.serialNumber, [wrongCode(judy.seed, 1), wrongCode(judy.seed, 2), right, right])).toEqual([
      INVALID_CODE,
      INVALID_CODE,
      THROTTLED,
      THROTTLED,
    ]);
    // The audit record says how long: 60 seconds from the failure that locked it. (Stopped first:
    // the primary writes the workers' records as they come, and flushes them when it stops.)
    server.child.kill("SIGTERM");
    await server.exited;
    const lockout = readFileSync(auditFile, "utf8")
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as { eventName: string; eventTime: string; serviceEventDetails: { serialNumber: string; failures: number; lockedUntil: string } })
      .filter((r) => r.eventName === "MFADeviceLockout" && r.serviceEventDetails.serialNumber === judy.serialNumber);
    expect(lockout).toHaveLength(1);
    expect(lockout[0]!.serviceEventDetails).toMatchObject({ serialNumber: judy.serialNumber, failures: 2 });
    expect(Date.parse(lockout[0]!.serviceEventDetails.lockedUntil) - Date.parse(lockout[0]!.eventTime)).toBe(60_000);
  });
});
