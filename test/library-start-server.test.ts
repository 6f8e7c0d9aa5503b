/**
 * startServer (issue 15 item 2) driven through @aws-sdk/client-sts and client-iam: the handle,
 * the temporary data directory's life, a given data directory kept and started again, users made
 * through the IAM API, codes the server accepts next by its injected clock, and PostgreSQL.
 */
import { GetUserCommand, IAMClient, ListAccessKeysCommand, ListMFADevicesCommand } from "@aws-sdk/client-iam";
import { GetCallerIdentityCommand, GetSessionTokenCommand, STSClient } from "@aws-sdk/client-sts";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { createVerifier, startServer, type MfaStsServer } from "../src/index.js";

type Creds = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
const clients = (srv: MfaStsServer, credentials: Creds, offsetMs = 0) => {
  const config = { endpoint: srv.url, region: "us-east-1", credentials, maxAttempts: 1, systemClockOffset: offsetMs };
  return { sts: new STSClient(config), iam: new IAMClient(config) };
};
const INVALID_CODE = "MultiFactorAuthentication failed with invalid MFA one time pass code. ";

describe("the handle", () => {
  it("listens on 127.0.0.1 on a free port with an account and a working root key; close() removes its temporary data", async () => {
    const srv = await startServer();
    expect(srv.url).toBe(`http://127.0.0.1:${srv.port}`);
    expect(srv.port).toBeGreaterThan(0);
    expect(srv.accountId).toMatch(/^\d{12}$/);
    expect(srv.root.accessKeyId).toMatch(/^AKIA/);
    const identity = await clients(srv, srv.root).sts.send(new GetCallerIdentityCommand({}));
    expect(identity).toMatchObject({ Account: srv.accountId, Arn: `arn:aws:iam::${srv.accountId}:root`, UserId: srv.accountId });
    expect(existsSync(join(srv.dataDir, "mfa-sts.db"))).toBe(true);
    await srv.close();
    expect(existsSync(srv.dataDir)).toBe(false);
    await expect(fetch(`${srv.url}/healthz`)).rejects.toThrow();
    await srv.close(); // a second close is harmless
  });

  it("`await using` closes it at the end of the scope", async () => {
    let url = "";
    let dataDir = "";
    {
      await using srv = await startServer();
      ({ url, dataDir } = srv);
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
    }
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    expect(existsSync(dataDir)).toBe(false);
  });

  it("a given data directory is kept, and started again it is the same account with the same root key", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "mfa-sts-kept-"));
    try {
      const first = await startServer({ dataDir, accountId: "210987654321" });
      expect(first.accountId).toBe("210987654321");
      await first.createUser("alice");
      await first.close();
      expect(existsSync(join(dataDir, "mfa-sts.db"))).toBe(true);

      const again = await startServer({ dataDir });
      try {
        expect(again.accountId).toBe("210987654321");
        expect(again.root).toEqual(first.root);
        const { iam } = clients(again, again.root);
        expect((await iam.send(new ListAccessKeysCommand({}))).AccessKeyMetadata).toHaveLength(1);
        expect((await iam.send(new GetUserCommand({ UserName: "alice" }))).User?.Arn).toBe("arn:aws:iam::210987654321:user/alice");
      } finally {
        await again.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("a master key that does not open the data: the start fails, saying so", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "mfa-sts-kept-"));
    try {
      await (await startServer({ dataDir })).close();
      await expect(startServer({ dataDir, masterKey: randomBytes(32).toString("base64") })).rejects.toThrow(
        "the master key does not open the stored keys: is it the one they were sealed with (MFA_STS_MASTER_KEY, --master-key-file or the data directory's master.key)?",
      );
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe("createUser, through the IAM API", () => {
  it("makes a user with a key; a second user of that name is IAM's EntityAlreadyExists", async () => {
    await using srv = await startServer();
    const alice = await srv.createUser("alice");
    expect(alice).toMatchObject({ userName: "alice", arn: `arn:aws:iam::${srv.accountId}:user/alice` });
    expect(alice.userId).toMatch(/^AIDA[A-Z2-7]{17}$/);
    expect(alice.mfaSerial).toBeUndefined();
    expect(srv.credentials(alice)).toEqual({ accessKeyId: alice.accessKeyId, secretAccessKey: alice.secretAccessKey });
    const identity = await clients(srv, srv.credentials(alice)).sts.send(new GetCallerIdentityCommand({}));
    expect(identity).toMatchObject({ Arn: alice.arn, UserId: alice.userId });
    await expect(srv.createUser("alice")).rejects.toThrow("IAM CreateUser failed: EntityAlreadyExists: User with name alice already exists.");
    await expect(alice.code()).rejects.toThrow("alice has no MFA device: create the user with { mfa: true }");
  });

  it("accessKey: false makes a user without a key", async () => {
    await using srv = await startServer();
    const bob = await srv.createUser("bob", { accessKey: false });
    expect(bob.accessKeyId).toBeUndefined();
    expect(() => srv.credentials(bob)).toThrow("bob has no access key: create the user without { accessKey: false }");
    const keys = await clients(srv, srv.root).iam.send(new ListAccessKeysCommand({ UserName: "bob" }));
    expect(keys.AccessKeyMetadata).toEqual([]);
  });

  it("mfa: true enables a virtual device; code() is the code the server accepts next, by its clock", async () => {
    // Frozen 1 s into a 30-second step, so no step boundary passes while the test runs.
    let now = Math.floor(Date.now() / 30_000) * 30_000 + 1_000;
    await using srv = await startServer({ clock: () => now });
    const carol = await srv.createUser("carol", { mfa: true });
    expect(carol.mfaSerial).toBe(`arn:aws:iam::${srv.accountId}:mfa/carol`);
    const devices = await clients(srv, srv.root, now - Date.now()).iam.send(new ListMFADevicesCommand({ UserName: "carol" }));
    expect(devices.MFADevices?.map((d) => d.SerialNumber)).toEqual([carol.mfaSerial]);

    const sts = () => clients(srv, srv.credentials(carol), now - Date.now()).sts;
    const session = (code: string) => sts().send(new GetSessionTokenCommand({ SerialNumber: carol.mfaSerial, TokenCode: code }));

    // Enabling spent this step's code: the next is the following step's, accepted now (±1 step).
    const first = await carol.code();
    expect((await session(first)).Credentials?.AccessKeyId).toMatch(/^ASIA/);
    // Both steps the server takes now are spent: the next code is for a step still to come.
    const second = await carol.code();
    expect(second).not.toBe(first);
    await expect(session(second)).rejects.toThrow(INVALID_CODE);
    expect(await carol.code()).toBe(second);
    // `at`: the code for another instant, here the next step — the same the clock moved on gives.
    const atNextStep = await carol.code(now + 30_000);
    expect(await carol.code(new Date(now + 30_000))).toBe(atNextStep);
    now += 30_000;
    expect(await carol.code()).toBe(atNextStep);
    expect(atNextStep).toBe(second);
    expect((await session(second)).Credentials?.AccessKeyId).toMatch(/^ASIA/);

    // Much later, the code is that of the server's step then.
    now += 3600_000;
    expect((await session(await carol.code())).Credentials?.AccessKeyId).toMatch(/^ASIA/);
  });

  it("the injected clock expires sessions: the SDK's request is refused with ExpiredToken", async () => {
    let now = Date.now();
    await using srv = await startServer({ clock: () => now });
    const dave = await srv.createUser("dave", { mfa: true });
    const { Credentials } = await clients(srv, srv.credentials(dave)).sts.send(
      new GetSessionTokenCommand({ SerialNumber: dave.mfaSerial, TokenCode: await dave.code(), DurationSeconds: 900 }),
    );
    const session = { accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretAccessKey!, sessionToken: Credentials!.SessionToken! };
    expect((await clients(srv, session).sts.send(new GetCallerIdentityCommand({}))).Arn).toBe(dave.arn);
    now += 900_000 + 1_000;
    await expect(clients(srv, session, now - Date.now()).sts.send(new GetCallerIdentityCommand({}))).rejects.toThrow(
      "The security token included in the request is expired",
    );
  });
});

describe("on PostgreSQL", () => {
  const PG_ADMIN_URL = process.env.MFA_STS_TEST_PG ?? "postgres://postgres@127.0.0.1:5432/test";
  const database = `mfa_sts_library_${randomBytes(4).toString("hex")}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 5000 });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  afterAll(() => admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));

  it("db + masterKey: the server and a verifier on one database", async () => {
    await admin(`CREATE DATABASE ${database}`);
    const url = new URL(PG_ADMIN_URL);
    url.pathname = `/${database}`;
    const masterKey = randomBytes(32).toString("base64");
    await expect(startServer({ db: url.toString() })).rejects.toThrow(/master key must be given/);
    await using srv = await startServer({ db: url.toString(), masterKey });
    const erin = await srv.createUser("erin", { mfa: true });
    const { Credentials } = await clients(srv, srv.credentials(erin)).sts.send(new GetSessionTokenCommand({ SerialNumber: erin.mfaSerial, TokenCode: await erin.code() }));
    await using verifier = await createVerifier({ db: url.toString(), masterKey });
    const { SignatureV4 } = await import("@smithy/signature-v4");
    const { Sha256 } = await import("@aws-crypto/sha256-js");
    const signer = new SignatureV4({
      credentials: { accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretAccessKey!, sessionToken: Credentials!.SessionToken! },
      region: "us-east-1",
      service: "orders",
      sha256: Sha256,
    });
    const signed = await signer.sign({ method: "GET", protocol: "http:", hostname: "orders.internal", path: "/orders", query: {}, headers: { host: "orders.internal" } });
    expect(await verifier.verify({ method: "GET", url: "/orders", headers: signed.headers })).toMatchObject({
      ok: true,
      caller: { arn: erin.arn, session: { mfa: { present: true, serialNumber: erin.mfaSerial } } },
    });
  });
});
