/**
 * Attempt limits (issue 16 item 1) across two `mfa-sts serve` processes on one PostgreSQL
 * database: the failures counted by either add up, the lock one process begins refuses requests
 * on the other, and the lockout is one audit record and one warn line in all (by the process that
 * locked it), naming the device and never a code. Driven with boto3; both servers on the real
 * clock. PostgreSQL must be running on 127.0.0.1:5432 (.ci/run starts it): these tests fail otherwise.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { timeStep, totpCode } from "../src/mfa/totp.js";
import { boto3, sdkClients } from "./helpers/clients.js";
import { mfaSts, serve, type ServeProcess } from "./helpers/cli.js";
import { createUserWithKey, createVirtualDevice } from "./helpers/mfa.js";
import type { Credentials } from "./helpers/server.js";
import { asTuple, INVALID_CODE } from "./helpers/sts-errors.js";

const ADMIN_URL = "postgres://postgres@127.0.0.1:5432/test";
const database = `mfa_sts_attempts_${randomBytes(4).toString("hex")}`;
const dbUrl = `postgres://postgres@127.0.0.1:5432/${database}`;
const masterKey = randomBytes(32).toString("base64");
const dir = mkdtempSync(join(tmpdir(), "mfa-sts-attempts-pg-"));
const THROTTLED = [400, "Throttling", "Rate exceeded"];
const BAD_SIGNATURE = [
  403,
  "SignatureDoesNotMatch",
  "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
];

const env = (): Record<string, string> => ({
  PATH: process.env.PATH ?? "/usr/bin:/bin",
  HOME: mkdtempSync(join(tmpdir(), "mfa-sts-attempts-home-")),
  MFA_STS_MASTER_KEY: masterKey,
});

let a: ServeProcess;
let b: ServeProcess;
let root: Credentials;
const stderr = { a: "", b: "" };
const auditFile = { a: join(dir, "a.audit.log"), b: join(dir, "b.audit.log") };

beforeAll(async () => {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.end();
  const init = await mfaSts(["init", "--db", dbUrl, "--account-id", "123456789012", "--json"], env());
  expect(init.stderr).toBe("");
  const created = JSON.parse(init.stdout) as { AccessKeyId: string; SecretAccessKey: string };
  root = { accessKeyId: created.AccessKeyId, secretAccessKey: created.SecretAccessKey };
  const args = (name: "a" | "b") => ["--db", dbUrl, "--workers", "1", "--log-level", "warn", "--audit-log", auditFile[name]];
  [a, b] = await Promise.all([serve(args("a"), env()), serve(args("b"), env())]);
  a.child.stderr.on("data", (d: Buffer) => (stderr.a += d.toString()));
  b.child.stderr.on("data", (d: Buffer) => (stderr.b += d.toString()));
});

afterAll(async () => {
  for (const p of [a, b]) p?.child.kill("SIGTERM");
  await Promise.all([a?.exited, b?.exited]);
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, [database]);
  await admin.query(`DROP DATABASE IF EXISTS ${database}`);
  await admin.end();
});

const py = (value: unknown): string => JSON.stringify(value);

/** Runs `calls` (Python expressions over `on_a`/`on_b` STS clients, one attempt each) and returns each one's error or "ok". */
async function onBoth(creds: Credentials, calls: readonly string[]): Promise<unknown[]> {
  const script = [
    "cfg = botocore.config.Config(retries={'mode': 'standard', 'total_max_attempts': 1})",
    `on_a = s.client('sts', endpoint_url=${py(a.url)}, config=cfg)`,
    `on_b = s.client('sts', endpoint_url=${py(b.url)}, config=cfg)`,
    `print(json.dumps([err(lambda: eval(c)) or "ok" for c in ${py(calls)}]))`,
  ].join("\n");
  const r = await boto3(a.url, creds, script);
  expect(r.stderr).toBe("");
  return JSON.parse(r.stdout) as unknown[];
}

/** `n` distinct codes that no step near `step` shows. */
function wrongCodes(seed: Buffer, step: number, n: number): string[] {
  const near = new Set([-3, -2, -1, 0, 1, 2, 3].map((d) => totpCode(seed, step + d)));
  const codes: string[] = [];
  for (let i = 1; codes.length < n; i++) {
    const candidate = String((i * 271_829) % 1_000_000).padStart(6, "0");
    if (!near.has(candidate)) codes.push(candidate);
  }
  return codes;
}

describe("two serve processes on one PostgreSQL share the counts", () => {
  it("30 wrong codes sent at once to both: 5 answered as wrong, 25 Throttling; a right code after them too", async () => {
    const { iam } = sdkClients(a.url, root);
    const bob = await createUserWithKey(iam, "bob");
    const device = await createVirtualDevice(iam, "bob");
    const step = timeStep(Date.now());
    const { EnableMFADeviceCommand } = await import("@aws-sdk/client-iam");
    await iam.send(
      new EnableMFADeviceCommand({ UserName: "bob", SerialNumber: device.serialNumber, AuthenticationCode1: totpCode(device.seed, step - 1), AuthenticationCode2: totpCode(device.seed, step) }),
    );
    const { STSClient, GetSessionTokenCommand } = await import("@aws-sdk/client-sts");
    // One attempt each: the SDK would retry Throttling.
    const clients = [a, b].map((p) => new STSClient({ endpoint: p.url, region: "us-east-1", credentials: bob, maxAttempts: 1 }));
    const answer = (code: string, i: number) =>
      clients[i % 2]!.send(new GetSessionTokenCommand({ SerialNumber: device.serialNumber, TokenCode: code })).then(
        () => "ok",
        (e: { name: string }) => e.name,
      );
    const answers = await Promise.all(wrongCodes(device.seed, step, 30).map(answer));
    // That no more than 5 codes are checked however the attempts interleave: src/lockout/mfa-attempts.test.ts.
    expect(answers.filter((x) => x === "AccessDenied")).toHaveLength(5);
    expect(answers.filter((x) => x === "Throttling")).toHaveLength(25);
    expect(await answer(totpCode(device.seed, step + 1), 0)).toBe("Throttling");
  });

  it("3 wrong codes on one and 2 on the other lock the device on both; one audit record and one warn line in all", async () => {
    const { iam } = sdkClients(a.url, root);
    const alice = await createUserWithKey(iam, "alice");
    const device = await createVirtualDevice(iam, "alice");
    const step = timeStep(Date.now());
    const { EnableMFADeviceCommand } = await import("@aws-sdk/client-iam");
    await sdkClients(b.url, root).iam.send(
      new EnableMFADeviceCommand({
        UserName: "alice",
        SerialNumber: device.serialNumber,
        AuthenticationCode1: totpCode(device.seed, step - 1),
        AuthenticationCode2: totpCode(device.seed, step),
      }),
    );
    const gst = (client: "on_a" | "on_b", code: string) => `${client}.get_session_token(SerialNumber=${py(device.serialNumber)}, TokenCode=${py(code)})`;
    const wrong = wrongCodes(device.seed, step, 6);
    const right = totpCode(device.seed, step + 1);
    const answers = await onBoth(alice, [
      gst("on_a", wrong[0]!),
      gst("on_b", wrong[1]!),
      gst("on_a", wrong[2]!),
      gst("on_b", wrong[3]!),
      gst("on_a", wrong[4]!),
      gst("on_b", wrong[5]!),
      gst("on_b", right),
      gst("on_a", right),
    ]);
    expect(answers).toEqual([...Array(5).fill(asTuple(INVALID_CODE)), THROTTLED, THROTTLED, THROTTLED]);

    // The long-term key's bad signatures add up across the two as well.
    const forged = { accessKeyId: alice.accessKeyId, secretAccessKey: "w".repeat(40) };
    expect(await onBoth(forged, ["on_a.get_caller_identity()", "on_b.get_caller_identity()", "on_a.get_caller_identity()", "on_b.get_caller_identity()", "on_a.get_caller_identity()", "on_b.get_caller_identity()"])).toEqual([
      ...Array(5).fill(BAD_SIGNATURE),
      THROTTLED,
    ]);
    // Correctly signed, on the process whose failure locked it: refused.
    expect(await onBoth(alice, ["on_a.get_caller_identity()"])).toEqual([THROTTLED]);

    for (const p of [a, b]) p.child.kill("SIGTERM");
    await Promise.all([a.exited, b.exited]);
    const lockouts = [auditFile.a, auditFile.b].flatMap((file) =>
      readFileSync(file, "utf8")
        .trimEnd()
        .split("\n")
        .map((line) => JSON.parse(line) as { eventType: string; eventName: string; serviceEventDetails?: Record<string, unknown> })
        .filter((r) => r.eventType === "AwsServiceEvent" && r.serviceEventDetails?.userName === "alice"),
    );
    expect(lockouts.map((r) => [r.eventName, r.serviceEventDetails?.failures])).toEqual([
      ["MFADeviceLockout", 5],
      ["AccessKeyLockout", 5],
    ]);
    expect(lockouts[0]!.serviceEventDetails).toMatchObject({ serialNumber: device.serialNumber, userName: "alice" });
    expect(lockouts[1]!.serviceEventDetails).toMatchObject({ accessKeyId: alice.accessKeyId, userName: "alice" });

    // One warn line per lockout, by the process that locked it (the 5th failure went to A both times).
    const warnLines = (text: string) =>
      text.split("\n").filter((line) => line.includes("locked after too many failures") && (line.includes(device.serialNumber) || line.includes(alice.accessKeyId)));
    expect(warnLines(stderr.b)).toEqual([]);
    const lines = warnLines(stderr.a).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((l) => [l.level, l.kind, l.subject, l.failures])).toEqual([
      [40, "mfa-device", device.serialNumber, 5],
      [40, "access-key", alice.accessKeyId, 5],
    ]);
    for (const code of [...wrong, right]) expect(stderr.a + stderr.b).not.toContain(code);
  });
});
