/**
 * The app in memory (no port): an unexpected failure is a 500 InternalFailure carrying the
 * request id, and nothing secret reaches the logs — not the Authorization header, the secret,
 * the signature, nor the body — even at debug level.
 */
import { Writable } from "node:stream";
import { Sha256 } from "@aws-crypto/sha256-js";
import { SignatureV4 } from "@smithy/signature-v4";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { TokenKeys } from "../src/tokens/token-keys.js";
import { SecretBox } from "../src/crypto/secret-box.js";
import { ensureAccount, issueRootKey } from "../src/iam/account.js";
import { cryptoRandom } from "../src/ids.js";
import { base32Decode } from "../src/mfa/seed.js";
import { timeStep, totpCode } from "../src/mfa/totp.js";
import { createApp } from "../src/server/app.js";
import { createLogger } from "../src/server/logger.js";
import { FileBlobStore } from "../src/store/blobs.js";
import { SqliteStore } from "../src/store/sqlite.js";
import type { WireRequest } from "../src/sigv4/types.js";
import { tempDir } from "./helpers/server.js";

async function signedWire(
  creds: { accessKeyId: string; secretAccessKey: string; sessionToken?: string },
  body: string,
  service = "iam",
): Promise<WireRequest> {
  const signer = new SignatureV4({ credentials: creds, region: "us-east-1", service, sha256: Sha256 });
  const signed = await signer.sign({
    method: "POST",
    protocol: "http:",
    hostname: "localhost",
    path: "/",
    query: {},
    headers: { host: "localhost", "content-type": "application/x-www-form-urlencoded" },
    body,
  });
  return { method: "POST", rawPath: "/", rawQuery: "", headers: Object.entries(signed.headers), body: Buffer.from(body) };
}

/** The app in memory on a fresh store, logging at debug level into a string. */
async function appLoggingAtDebug() {
  let text = "";
  const sink = new Writable({
    write(chunk, _enc, done) {
      text += chunk.toString();
      done();
    },
  });
  const dir = tempDir();
  const store = new SqliteStore(join(dir, "db"));
  const base = { store, secrets: new SecretBox(Buffer.alloc(32, 7)), clock: { now: () => Date.now() }, random: cryptoRandom };
  const deps = { ...base, logger: createLogger("debug", sink), tokens: await TokenKeys.load(base), blobs: new FileBlobStore(join(dir, "blobs")) };
  const { accountId } = await ensureAccount(deps);
  const root = await issueRootKey(deps, accountId);
  return { store, root, app: createApp(deps), logged: () => text };
}

describe("logs", () => {
  it("a store failure is a 500 InternalFailure; logs hold the request id and no secret", async () => {
    const { store, root, app, logged } = await appLoggingAtDebug();

    const ok = await app(await signedWire(root, "Action=CreateUser&Version=2010-05-08&UserName=SECRETNAME"));
    expect(ok.status).toBe(200);
    const wrong = await app(await signedWire({ ...root, secretAccessKey: "W".repeat(40) }, "Action=ListUsers&Version=2010-05-08"));
    expect(wrong.status).toBe(403);

    store.listUsers = async () => {
      throw new Error("disk on fire");
    };
    const failing = await signedWire(root, "Action=ListUsers&Version=2010-05-08");
    const res = await app(failing);
    expect(res.status).toBe(500);
    const requestId = res.headers["x-amzn-RequestId"]!;
    expect(res.body).toBe(
      '<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">\n  <Error>\n    <Type>Receiver</Type>\n' +
        "    <Code>InternalFailure</Code>\n    <Message>The request processing has failed because of an unknown error, exception or failure.</Message>\n" +
        `  </Error>\n  <RequestId>${requestId}</RequestId>\n</ErrorResponse>\n`,
    );
    expect(logged()).toContain(requestId);
    expect(logged()).toContain("disk on fire");

    const authorization = failing.headers.find(([k]) => k.toLowerCase() === "authorization")![1];
    const signature = authorization.split("Signature=")[1]!;
    for (const secret of [root.secretAccessKey, signature, "SECRETNAME", "W".repeat(40)]) expect(logged()).not.toContain(secret);
    await store.close();
  });

  it("MFA codes, seeds and session tokens stay out of the logs too", async () => {
    const { store, root, app, logged } = await appLoggingAtDebug();
    const call = async (creds: Parameters<typeof signedWire>[0], body: string, service = "iam") => {
      const res = await app(await signedWire(creds, body, service));
      return { status: res.status, field: (name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(String(res.body))?.[1] ?? "" };
    };

    await call(root, "Action=CreateUser&Version=2010-05-08&UserName=alice");
    const key = await call(root, "Action=CreateAccessKey&Version=2010-05-08&UserName=alice");
    const alice = { accessKeyId: key.field("AccessKeyId"), secretAccessKey: key.field("SecretAccessKey") };
    const device = await call(root, "Action=CreateVirtualMFADevice&Version=2010-05-08&VirtualMFADeviceName=alice");
    const serial = device.field("SerialNumber");
    const base32 = Buffer.from(device.field("Base32StringSeed"), "base64").toString("ascii");
    const seed = base32Decode(base32);
    const step = timeStep(Date.now());
    const [c1, c2, c3] = [step - 1, step, step + 1].map((s) => totpCode(seed, s));
    const enable = `Action=EnableMFADevice&Version=2010-05-08&UserName=alice&SerialNumber=${encodeURIComponent(serial)}`;
    expect((await call(root, `${enable}&AuthenticationCode1=${c1}&AuthenticationCode2=${c2}`)).status).toBe(200);
    const gst = `Action=GetSessionToken&Version=2011-06-15&SerialNumber=${encodeURIComponent(serial)}&TokenCode=${c3}`;
    const session = await call(alice, gst, "sts");
    expect(session.status).toBe(200);
    const temporary = {
      accessKeyId: session.field("AccessKeyId"),
      secretAccessKey: session.field("SecretAccessKey"),
      sessionToken: session.field("SessionToken"),
    };
    expect((await call(alice, gst, "sts")).status).toBe(403); // the replay, logged as a failure
    // The session's first request reads its user: make that read fail.
    store.getUserById = async () => {
      throw new Error("disk on fire");
    };
    expect((await call(temporary, "Action=GetCallerIdentity&Version=2011-06-15", "sts")).status).toBe(500);

    expect(logged()).toContain("disk on fire");
    // A code as a number of its own: its digits could occur inside a timestamp by chance.
    for (const code of [c1, c2, c3]) expect(logged()).not.toMatch(new RegExp(`(?<![0-9])${code}(?![0-9])`));
    const secrets = [base32, seed.toString("hex"), seed.toString("base64"), alice.secretAccessKey, temporary.secretAccessKey, temporary.sessionToken];
    for (const secret of secrets) expect(logged()).not.toContain(secret);
    await store.close();
  });
});
