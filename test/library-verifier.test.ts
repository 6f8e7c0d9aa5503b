/**
 * createVerifier (issue 15 item 4) with credentials a started server issued through
 * @aws-sdk/client-sts, on requests signed by AWS's own signer (@smithy/signature-v4): who the
 * caller is, with the session's MFA facts; and for every way a request fails, the very answer
 * (code, message, status) the server gives the same request over HTTP.
 */
import { Sha256 } from "@aws-crypto/sha256-js";
import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { AssumeRoleCommand, GetCallerIdentityCommand, GetSessionTokenCommand, STSClient } from "@aws-sdk/client-sts";
import { SignatureV4 } from "@smithy/signature-v4";
import type { HttpRequest } from "@smithy/types";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createVerifier, startServer, type MfaStsServer, type MfaStsUser, type Verifier, type VerifyResult } from "../src/index.js";
import { xmlError } from "./helpers/signed-fetch.js";

interface Creds {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

let now = Date.now();
const clock = () => now;
let srv: MfaStsServer;
let verifier: Verifier;
let alice: MfaStsUser;
let mfaSession: Creds;
let plainSession: Creds;

const sts = (creds: Creds) => new STSClient({ endpoint: srv.url, region: "us-east-1", credentials: creds, maxAttempts: 1, systemClockOffset: now - Date.now() });
const asCreds = (c: { AccessKeyId?: string; SecretAccessKey?: string; SessionToken?: string } | undefined): Creds => ({
  accessKeyId: c!.AccessKeyId!,
  secretAccessKey: c!.SecretAccessKey!,
  sessionToken: c!.SessionToken!,
});

interface SignOptions {
  service?: string;
  method?: "GET" | "POST";
  path?: string;
  query?: Record<string, string>;
  body?: string;
  signingDate?: Date;
  presign?: boolean;
}

/** A request signed by @smithy/signature-v4: a GetCallerIdentity form for sts unless told otherwise. */
async function sign(creds: Creds, options: SignOptions = {}): Promise<HttpRequest> {
  const target = new URL(srv.url);
  const method = options.method ?? "POST";
  const signer = new SignatureV4({ credentials: creds, region: "us-east-1", service: options.service ?? "sts", sha256: Sha256 });
  const request: HttpRequest = {
    method,
    protocol: target.protocol,
    hostname: target.hostname,
    port: Number(target.port),
    path: options.path ?? "/",
    query: options.query ?? {},
    headers: { host: target.host, ...(method === "POST" && { "content-type": "application/x-www-form-urlencoded; charset=utf-8" }) },
    body: method === "POST" ? (options.body ?? "Action=GetCallerIdentity&Version=2011-06-15") : undefined,
  };
  const signingDate = options.signingDate ?? new Date(now);
  return options.presign ? signer.presign(request, { signingDate, expiresIn: 900 }) : signer.sign(request, { signingDate });
}

const target = (signed: HttpRequest): string => {
  const query = new URLSearchParams(signed.query as Record<string, string>).toString().replace(/\+/g, "%20");
  return `${signed.path}${query ? `?${query}` : ""}`;
};

const verifyOf = (signed: HttpRequest, body?: string): Promise<VerifyResult> =>
  verifier.verify({ method: signed.method, url: target(signed), headers: signed.headers, body: body ?? (signed.body as string | undefined) });

/** The same request sent to the server: its answer as { code, message, status }. */
async function serverAnswer(signed: HttpRequest, body?: string): Promise<{ ok: false; code: string; message: string; status: number }> {
  const headers = { ...signed.headers };
  delete headers.host;
  const response = await fetch(`${srv.url}${target(signed)}`, { method: signed.method, headers, body: body ?? (signed.body as string | undefined) });
  const text = await response.text();
  expect(response.status, text).toBeGreaterThanOrEqual(400);
  return { ok: false, ...xmlError(text), status: response.status };
}

/** The verifier's and the server's answers to one request: equal, and what the test expects. */
async function expectRefusal(signed: HttpRequest, expected: { code: string; message: string; status: number }, body?: string): Promise<void> {
  const fromVerifier = await verifyOf(signed, body);
  expect(fromVerifier).toEqual({ ok: false, ...expected });
  expect(await serverAnswer(signed, body)).toEqual(fromVerifier);
}

beforeAll(async () => {
  srv = await startServer({ clock });
  alice = await srv.createUser("alice", { mfa: true });
  const asAlice = sts(srv.credentials(alice));
  mfaSession = asCreds((await asAlice.send(new GetSessionTokenCommand({ SerialNumber: alice.mfaSerial, TokenCode: await alice.code(), DurationSeconds: 3600 }))).Credentials);
  plainSession = asCreds((await asAlice.send(new GetSessionTokenCommand({ DurationSeconds: 3600 }))).Credentials);
  verifier = await createVerifier({ dataDir: srv.dataDir, clock });
});
afterAll(async () => {
  await verifier?.close();
  await srv?.close();
});

describe("who signed", () => {
  it("an MFA session: the user, the session's times, mfa.present with when and which device", async () => {
    const answer = await verifyOf(await sign(mfaSession, { service: "orders", method: "GET", path: "/orders", query: { status: "open" } }));
    expect(answer.ok).toBe(true);
    if (!answer.ok) return;
    const { caller } = answer;
    expect(caller).toMatchObject({ accountId: srv.accountId, arn: alice.arn, userId: alice.userId, type: "user", accessKeyId: mfaSession.accessKeyId });
    expect(caller.accessKeyId).toMatch(/^ASIA/);
    const session = caller.session!;
    // Expiration is whole seconds (as AWS writes it); the issue time is not.
    expect(session.expiresAt.getTime() - session.issuedAt.getTime()).toBeGreaterThan(3599_000);
    expect(session.expiresAt.getTime() - session.issuedAt.getTime()).toBeLessThanOrEqual(3600_000);
    expect(Math.abs(session.issuedAt.getTime() - now)).toBeLessThan(60_000);
    expect(session.mfa.present).toBe(true);
    expect(session.mfa.authenticatedAt).toBeInstanceOf(Date);
    expect(session.mfa).toMatchObject({ serialNumber: alice.mfaSerial });
  });

  it("a session made without MFA: mfa.present false", async () => {
    const answer = await verifyOf(await sign(plainSession));
    expect(answer).toMatchObject({ ok: true, caller: { arn: alice.arn, type: "user", session: { mfa: { present: false, authenticatedAt: null } } } });
  });

  it("long-term keys: the user or the root user, no session", async () => {
    expect(await verifyOf(await sign(srv.credentials(alice)))).toMatchObject({
      ok: true,
      caller: { arn: alice.arn, userId: alice.userId, type: "user", accessKeyId: alice.accessKeyId, session: null },
    });
    expect(await verifyOf(await sign(srv.root))).toMatchObject({
      ok: true,
      caller: { arn: `arn:aws:iam::${srv.accountId}:root`, userId: srv.accountId, type: "root", session: null },
    });
  });

  it("a role session: type role, the assumed-role ARN and AROA…:SESSION, as GetCallerIdentity says", async () => {
    const iam = new IAMClient({ endpoint: srv.url, region: "us-east-1", credentials: srv.root, maxAttempts: 1, systemClockOffset: now - Date.now() });
    const trust = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: alice.arn }, Action: "sts:AssumeRole" }] };
    await iam.send(new CreateRoleCommand({ RoleName: "reader", AssumeRolePolicyDocument: JSON.stringify(trust) }));
    const role = asCreds((await sts(mfaSession).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${srv.accountId}:role/reader`, RoleSessionName: "s1" }))).Credentials);
    const identity = await sts(role).send(new GetCallerIdentityCommand({}));
    const answer = await verifyOf(await sign(role));
    expect(answer).toMatchObject({ ok: true, caller: { type: "role", arn: identity.Arn, userId: identity.UserId, accountId: srv.accountId } });
    expect(identity.Arn).toBe(`arn:aws:sts::${srv.accountId}:assumed-role/reader/s1`);
    if (answer.ok) expect(answer.caller.session).not.toBeNull();
  });

  it("takes node's header record, fetch Headers, [name, value] pairs, and presigned URLs", async () => {
    const signed = await sign(mfaSession);
    const body = signed.body as string;
    const url = target(signed);
    for (const headers of [signed.headers, new Headers(signed.headers), Object.entries(signed.headers)]) {
      expect(await verifier.verify({ method: "POST", url, headers, body: Buffer.from(body) })).toMatchObject({ ok: true, caller: { arn: alice.arn } });
    }
    const presigned = await sign(mfaSession, { method: "GET", path: "/report", query: { week: "12" }, presign: true });
    expect(await verifier.verify({ method: "GET", url: `http://localhost${target(presigned)}`, headers: presigned.headers })).toMatchObject({
      ok: true,
      caller: { arn: alice.arn, session: { mfa: { present: true } } },
    });
  });
});

describe("refused as the server refuses", () => {
  it("a tampered body: SignatureDoesNotMatch", async () => {
    await expectRefusal(
      await sign(mfaSession),
      {
        code: "SignatureDoesNotMatch",
        status: 403,
        message:
          "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
      },
      "Action=GetCallerIdentity&Version=2011-06-15&Extra=1",
    );
  });

  it("a tampered session token: InvalidClientTokenId (no period)", async () => {
    const token = mfaSession.sessionToken!;
    const middle = Math.floor(token.length / 2);
    const tampered = `${token.slice(0, middle)}${token[middle] === "A" ? "B" : "A"}${token.slice(middle + 1)}`;
    await expectRefusal(await sign({ ...mfaSession, sessionToken: tampered }), {
      code: "InvalidClientTokenId",
      status: 403,
      message: "The security token included in the request is invalid",
    });
  });

  it("an expired session: ExpiredToken, at a time the request itself is current", async () => {
    const saved = now;
    now += 3601_000;
    try {
      await expectRefusal(await sign(mfaSession), { code: "ExpiredToken", status: 403, message: "The security token included in the request is expired" });
    } finally {
      now = saved;
    }
  });

  it("credentials of another server: InvalidClientTokenId", async () => {
    const other = await startServer();
    try {
      const bob = await other.createUser("bob");
      const foreignSession = asCreds(
        (await new STSClient({ endpoint: other.url, region: "us-east-1", credentials: other.credentials(bob), maxAttempts: 1 }).send(new GetSessionTokenCommand({})))
          .Credentials,
      );
      await expectRefusal(await sign(foreignSession), { code: "InvalidClientTokenId", status: 403, message: "The security token included in the request is invalid" });
      await expectRefusal(await sign(other.credentials(bob)), { code: "InvalidClientTokenId", status: 403, message: "The security token included in the request is invalid." });
    } finally {
      await other.close();
    }
  });

  it("a request signed 20 minutes ago: SignatureDoesNotMatch, Signature expired", async () => {
    const signed = await sign(mfaSession, { signingDate: new Date(now - 20 * 60_000) });
    const answer = await verifyOf(signed);
    expect(answer).toMatchObject({ ok: false, code: "SignatureDoesNotMatch", status: 403 });
    if (!answer.ok) expect(answer.message).toMatch(/^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)$/);
    expect(await serverAnswer(signed)).toEqual(answer);
  });

  it("no signature: MissingAuthenticationToken; a malformed one: IncompleteSignature", async () => {
    const host = new URL(srv.url);
    const unsigned: HttpRequest = {
      method: "POST",
      protocol: host.protocol,
      hostname: host.hostname,
      path: "/",
      query: {},
      headers: { host: host.host },
      body: "Action=GetCallerIdentity&Version=2011-06-15",
    };
    await expectRefusal(unsigned, { code: "MissingAuthenticationToken", status: 403, message: "Request is missing Authentication Token" });
    const signed = await sign(mfaSession);
    const broken = { ...signed, headers: { ...signed.headers, authorization: signed.headers.authorization!.replace("Credential=", "Credential= ") } };
    const answer = await verifyOf(broken);
    expect(answer).toMatchObject({ ok: false, code: "IncompleteSignature", status: 400 });
    if (!answer.ok) expect(answer.message).toMatch(/not a valid key=value pair \(missing equal-sign\) in Authorization header/);
    expect(await serverAnswer(broken)).toEqual(answer);
  });
});

describe("options", () => {
  it("service: a request scoped to another service is refused, naming the expected one", async () => {
    const orders = await createVerifier({ dataDir: srv.dataDir, service: "orders", clock });
    try {
      const forOrders = await sign(mfaSession, { service: "orders" });
      expect(await orders.verify({ method: "POST", url: "/", headers: forOrders.headers, body: forOrders.body as string })).toMatchObject({ ok: true });
      const forSts = await sign(mfaSession, { service: "sts" });
      expect(await orders.verify({ method: "POST", url: "/", headers: forSts.headers, body: forSts.body as string })).toEqual({
        ok: false,
        code: "SignatureDoesNotMatch",
        status: 403,
        message: "Credential should be scoped to correct service: 'orders'. ",
      });
    } finally {
      await orders.close();
    }
  });

  it("a directory without the server's data, or neither dataDir nor db: a clear error, nothing created", async () => {
    const empty = mkdtempSync(join(tmpdir(), "mfa-sts-verifier-"));
    try {
      await expect(createVerifier({ dataDir: empty })).rejects.toThrow(`${empty} holds no mfa-sts data (no mfa-sts.db): give the server's data directory`);
      await expect(createVerifier({})).rejects.toThrow("createVerifier needs the server's dataDir or its db URL");
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it("Symbol.asyncDispose closes it", async () => {
    {
      await using scoped = await createVerifier({ dataDir: srv.dataDir, clock });
      expect(await scoped.verify({ method: "POST", url: "/", headers: {} })).toMatchObject({ ok: false, code: "MissingAuthenticationToken" });
    }
  });
});
