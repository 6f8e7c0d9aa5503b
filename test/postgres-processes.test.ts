/**
 * Several `mfa-sts serve` processes on one PostgreSQL database (issue 6), driven with the AWS SDK:
 * what one process writes the other serves at once, a token sealed by one opens on the other,
 * an MFA code is accepted once across both, markers travel; a wrong or missing master key is a
 * clear refusal; and a database that goes away gives 503 ServiceUnavailable, then recovery.
 * PostgreSQL must be running on 127.0.0.1:5432 (.ci/run starts it): these tests fail otherwise.
 */
import { randomBytes } from "node:crypto";
import { createServer, Socket, type Server } from "node:net";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  GetUserCommand,
  ListUsersCommand,
  UpdateAccessKeyCommand,
} from "@aws-sdk/client-iam";
import { GetCallerIdentityCommand, GetSessionTokenCommand } from "@aws-sdk/client-sts";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { timeStep, totpCode } from "../src/mfa/totp.js";
import { awsCli, sdkClients, sdkError } from "./helpers/clients.js";
import { mfaSts, serve, type ServeProcess } from "./helpers/cli.js";
import { createVirtualDevice } from "./helpers/mfa.js";
import { INVALID_CODE } from "./helpers/sts-errors.js";

const ADMIN_URL = "postgres://postgres@127.0.0.1:5432/test";
const database = `mfa_sts_processes_${randomBytes(4).toString("hex")}`;
const dbUrl = (port = 5432) => `postgres://postgres@127.0.0.1:${port}/${database}`;
const masterKey = randomBytes(32).toString("base64");

function env(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: mkdtempSync(join(tmpdir(), "mfa-sts-pg-")), MFA_STS_MASTER_KEY: masterKey, ...extra };
}

/** A TCP relay to PostgreSQL that a test can cut and restore: the database "going away". */
class Relay {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;
  async start(): Promise<void> {
    this.server = createServer((client) => {
      const upstream = new Socket();
      upstream.connect(5432, "127.0.0.1");
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on("close", () => this.sockets.delete(s));
        s.on("error", () => s.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, "127.0.0.1", resolve));
    this.port = (this.server!.address() as { port: number }).port;
  }
  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}

let a: ServeProcess;
let b: ServeProcess;
/** One directory both processes keep S3 object bodies in (--blob-dir). */
const blobDir = mkdtempSync(join(tmpdir(), "mfa-sts-pg-blobs-"));
const relay = new Relay();
let root: { accessKeyId: string; secretAccessKey: string };

beforeAll(async () => {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.end();
  const init = await mfaSts(["init", "--db", dbUrl(), "--account-id", "123456789012", "--json"], env());
  expect(init.stderr).toBe("");
  const created = JSON.parse(init.stdout) as { AccessKeyId: string; SecretAccessKey: string };
  root = { accessKeyId: created.AccessKeyId, secretAccessKey: created.SecretAccessKey };
  await relay.start();
  [a, b] = await Promise.all([
    serve(["--db", dbUrl(), "--log-level", "silent", "--blob-dir", blobDir], env()),
    serve(["--db", dbUrl(relay.port), "--db-timeout-ms", "1000", "--log-level", "silent", "--blob-dir", blobDir], env()),
  ]);
});

afterAll(async () => {
  for (const p of [a, b]) p?.child.kill("SIGTERM");
  await Promise.all([a?.exited, b?.exited]);
  await relay.stop().catch(() => {});
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, [database]);
  await admin.query(`DROP DATABASE IF EXISTS ${database}`);
  await admin.end();
});

describe("two serve processes on one PostgreSQL database", () => {
  it("what one writes, the other serves at once: users, keys, key status", async () => {
    const onA = sdkClients(a.url, root);
    const onB = sdkClients(b.url, root);
    await onA.iam.send(new CreateUserCommand({ UserName: "alice" }));
    expect((await onB.iam.send(new GetUserCommand({ UserName: "alice" }))).User?.UserName).toBe("alice");
    const { AccessKey } = await onB.iam.send(new CreateAccessKeyCommand({ UserName: "alice" }));
    const alice = { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
    expect((await sdkClients(a.url, alice).sts.send(new GetCallerIdentityCommand({}))).Arn).toBe("arn:aws:iam::123456789012:user/alice");
    await onB.iam.send(new UpdateAccessKeyCommand({ UserName: "alice", AccessKeyId: alice.accessKeyId, Status: "Inactive" }));
    expect((await sdkError(sdkClients(a.url, alice).sts.send(new GetCallerIdentityCommand({})))).code).toBe("InvalidClientTokenId");
  });

  it("a session token sealed by one process opens on the other", async () => {
    const { Credentials: c } = await sdkClients(a.url, root).sts.send(new GetSessionTokenCommand({}));
    const session = { accessKeyId: c!.AccessKeyId!, secretAccessKey: c!.SecretAccessKey!, sessionToken: c!.SessionToken! };
    expect((await sdkClients(b.url, session).sts.send(new GetCallerIdentityCommand({}))).Arn).toBe("arn:aws:iam::123456789012:root");
  });

  it("one MFA code, ten parallel GetSessionToken calls spread over both: exactly one session", async () => {
    const onA = sdkClients(a.url, root);
    await onA.iam.send(new CreateUserCommand({ UserName: "bob" }));
    const { AccessKey } = await onA.iam.send(new CreateAccessKeyCommand({ UserName: "bob" }));
    const bob = { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
    const device = await createVirtualDevice(onA.iam, "bob");
    // The servers run on the real clock: a device never used accepts the current step's code.
    const { EnableMFADeviceCommand } = await import("@aws-sdk/client-iam");
    const step = timeStep(Date.now());
    await sdkClients(b.url, root).iam.send(
      new EnableMFADeviceCommand({
        UserName: "bob",
        SerialNumber: device.serialNumber,
        AuthenticationCode1: totpCode(device.seed, step - 1),
        AuthenticationCode2: totpCode(device.seed, step),
      }),
    );
    const code = totpCode(device.seed, step + 1);
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        sdkClients(i % 2 === 0 ? a.url : b.url, bob).sts.send(new GetSessionTokenCommand({ SerialNumber: device.serialNumber, TokenCode: code })),
      ),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    // The others: the code already used, or — while five checks are in progress, however the SDK
    // retries on a busy machine — Throttling for the attempts beyond them (README "Attempt limits").
    const THROTTLED = { status: 400, code: "Throttling", message: "Rate exceeded" };
    for (const r of results.filter((r) => r.status === "rejected")) {
      expect([INVALID_CODE, THROTTLED]).toContainEqual(await sdkError(Promise.reject((r as PromiseRejectedResult).reason)));
    }
    // A right code sent ten times never locks the device.
    const db = new pg.Client({ connectionString: dbUrl() });
    await db.connect();
    const { rows } = await db.query("SELECT failures, locked_until FROM attempt_failures WHERE subject = $1", [`mfa:${device.serialNumber}`]);
    await db.end();
    expect(rows.every((row: { locked_until: unknown }) => row.locked_until === null)).toBe(true);
  });

  it("S3: an object put through one process is got through the other (--blob-dir shared)", async () => {
    const cliA = (args: string[]) => awsCli("/usr/bin/aws", a.url, root, args);
    const cliB = (args: string[]) => awsCli("/usr/bin/aws", b.url, root, args);
    expect(await cliA(["s3", "mb", "s3://shared-bucket"])).toMatchObject({ code: 0 });
    const file = join(blobDir, "..", `${database}.txt`);
    writeFileSync(file, "one body, two processes\n");
    expect(await cliA(["s3", "cp", file, "s3://shared-bucket/k.txt"])).toMatchObject({ code: 0 });
    expect(await cliB(["s3", "cp", "s3://shared-bucket/k.txt", "-"])).toMatchObject({ code: 0, stdout: "one body, two processes\n" });
    expect(await cliB(["s3", "rb", "--force", "s3://shared-bucket"])).toMatchObject({ code: 0 });
  });

  it("a pagination marker from one process works on the other", async () => {
    const onA = sdkClients(a.url, root);
    for (const name of ["carol", "dave", "erin"]) await onA.iam.send(new CreateUserCommand({ UserName: name }));
    const first = await onA.iam.send(new ListUsersCommand({ MaxItems: 2 }));
    expect(first.IsTruncated).toBe(true);
    const rest = await sdkClients(b.url, root).iam.send(new ListUsersCommand({ Marker: first.Marker }));
    const names = [...first.Users!, ...rest.Users!].map((u) => u.UserName);
    expect(names).toEqual(["alice", "bob", "carol", "dave", "erin"]);
  });
});

describe("master keys with a shared database", () => {
  it("another master key is refused at start; none at all too", async () => {
    const other = await mfaSts(["serve", "--db", dbUrl(), "--port", "0"], env({ MFA_STS_MASTER_KEY: randomBytes(32).toString("base64") }));
    expect(other.code).toBe(1);
    expect(other.stderr).toBe(
      "mfa-sts serve: the master key does not open the stored keys: is it the one they were sealed with (MFA_STS_MASTER_KEY, --master-key-file or the data directory's master.key)?\n",
    );
    const none = await mfaSts(["serve", "--db", dbUrl(), "--port", "0"], env({ MFA_STS_MASTER_KEY: "" }));
    expect(none.code).toBe(1);
    expect(none.stderr).toBe(
      "mfa-sts serve: with --db the master key must be given: MFA_STS_MASTER_KEY (base64 of 32 bytes) or --master-key-file FILE; it is never generated for a shared database\n",
    );
  });
});

describe("the database going away", () => {
  it("503 ServiceUnavailable within the timeout, never a hang; recovers by itself", async () => {
    const onB = sdkClients(b.url, root);
    expect((await onB.sts.send(new GetCallerIdentityCommand({}))).Account).toBe("123456789012");
    await relay.stop();
    const started = Date.now();
    const down = await sdkError(onB.sts.send(new GetCallerIdentityCommand({})));
    expect(down).toEqual({
      status: 503,
      code: "ServiceUnavailable",
      message: "The request has failed due to a temporary failure of the server.",
    });
    expect(Date.now() - started).toBeLessThan(10_000);
    await relay.start();
    expect((await onB.sts.send(new GetCallerIdentityCommand({}))).Account).toBe("123456789012");
  });
});
