/**
 * SigV4 authentication through real clients: every failure's code, HTTP status and exact text,
 * header and presigned forms, and the ±15 minute window (the server's clock is moved; no sleeps).
 */
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { boto3, sdkClients, sdkError } from "./helpers/clients.js";
import { signedFetch, xmlError } from "./helpers/signed-fetch.js";
import { startTestServer, type TestServer } from "./helpers/server.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server.close());
afterEach(() => {
  server.clock.offsetMs = 0;
});

const SIGNATURE_MISMATCH =
  "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";
const GCI = "Action=GetCallerIdentity&Version=2011-06-15";

function amzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

describe("authentication errors through the AWS SDK", () => {
  it("unknown access key → InvalidClientTokenId 403 (with the period)", async () => {
    const { sts } = sdkClients(server.url, { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "x".repeat(40) });
    expect(await sdkError(sts.send(new GetCallerIdentityCommand({})))).toEqual({
      status: 403,
      code: "InvalidClientTokenId",
      message: "The security token included in the request is invalid.",
    });
  });

  it("wrong secret → SignatureDoesNotMatch 403 with AWS's text", async () => {
    const { sts } = sdkClients(server.url, { accessKeyId: server.root.accessKeyId, secretAccessKey: "y".repeat(40) });
    expect(await sdkError(sts.send(new GetCallerIdentityCommand({})))).toEqual({
      status: 403,
      code: "SignatureDoesNotMatch",
      message: SIGNATURE_MISMATCH,
    });
  });

  it("a request signed 16 minutes ago → Signature expired, with the dates AWS prints", async () => {
    server.clock.offsetMs = 16 * 60_000;
    const before = Date.now();
    const res = await signedFetch(server.url, server.root, { body: GCI });
    expect(res.status).toBe(403);
    const { code, message } = xmlError(res.body);
    expect(code).toBe("SignatureDoesNotMatch");
    const m = /^Signature expired: (\d{8}T\d{6}Z) is now earlier than (\d{8}T\d{6}Z) \((\d{8}T\d{6}Z) - 15 min\.\)$/.exec(message);
    expect(m, message).not.toBeNull();
    const [, signed, limit, now] = m!;
    expect([amzDate(before), amzDate(before - 1000)]).toContain(signed);
    const serverNow = Date.parse(now!.replace(/(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z/, "$1-$2-$3T$4:$5:$6Z"));
    expect(Math.abs(serverNow - (before + 16 * 60_000))).toBeLessThan(5000);
    expect(limit).toBe(amzDate(serverNow - 15 * 60_000));
  });

  it("a request signed 16 minutes ahead → Signature not yet current", async () => {
    server.clock.offsetMs = -16 * 60_000;
    const res = await signedFetch(server.url, server.root, { body: GCI });
    expect(res.status).toBe(403);
    const { code, message } = xmlError(res.body);
    expect(code).toBe("SignatureDoesNotMatch");
    const m = /^Signature not yet current: (\d{8}T\d{6}Z) is still later than (\d{8}T\d{6}Z) \((\d{8}T\d{6}Z) \+ 15 min\.\)$/.exec(message);
    expect(m, message).not.toBeNull();
    const serverNow = Date.parse(m![3]!.replace(/(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z/, "$1-$2-$3T$4:$5:$6Z"));
    expect(m![2]).toBe(amzDate(serverNow + 15 * 60_000));
  });

  it("14 minutes of skew either way is still accepted", async () => {
    for (const offset of [14 * 60_000, -14 * 60_000]) {
      server.clock.offsetMs = offset;
      const res = await signedFetch(server.url, server.root, { body: GCI });
      expect(res.status, res.body).toBe(200);
    }
  });

  it("presigned URLs: accepted, and valid 15 minutes from X-Amz-Date whatever X-Amz-Expires says", async () => {
    const ok = await signedFetch(server.url, server.root, { method: "GET", presign: true, query: { Action: "GetCallerIdentity", Version: "2011-06-15" } });
    expect(ok.status, ok.body).toBe(200);
    expect(ok.body).toContain("<Arn>arn:aws:iam::123456789012:root</Arn>");
    server.clock.offsetMs = 16 * 60_000;
    const late = await signedFetch(server.url, server.root, { method: "GET", presign: true, query: { Action: "GetCallerIdentity", Version: "2011-06-15" } });
    expect(late.status).toBe(403);
    expect(xmlError(late.body).message).toMatch(/^Signature expired: /);
  });

  it("a scope for another service is refused", async () => {
    const res = await signedFetch(server.url, server.root, { body: GCI, service: "ec2" });
    expect(res.status).toBe(403);
    expect(xmlError(res.body)).toEqual({ code: "SignatureDoesNotMatch", message: "Credential should be scoped to correct service: 'ec2'. " });
  });

  it("a changed body after signing → SignatureDoesNotMatch", async () => {
    const res = await signedFetch(server.url, server.root, { body: GCI, sendBody: `${GCI}&` });
    expect(res.status).toBe(403);
    expect(xmlError(res.body)).toEqual({ code: "SignatureDoesNotMatch", message: SIGNATURE_MISMATCH });
  });
});

describe("authentication errors through boto3", () => {
  it("unsigned request → MissingAuthenticationToken 403; bad keys as above", async () => {
    const result = await boto3(
      server.url,
      { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "x".repeat(40) },
      [
        "from botocore import UNSIGNED",
        "unsigned = s.client('sts', endpoint_url=sts.meta.endpoint_url, config=botocore.config.Config(signature_version=UNSIGNED, retries={'max_attempts': 1}))",
        "print(json.dumps([err(unsigned.get_caller_identity), err(sts.get_caller_identity), err(iam.list_users)]))",
      ].join("\n"),
    );
    expect(result.stderr).toBe("");
    expect(JSON.parse(result.stdout)).toEqual([
      [403, "MissingAuthenticationToken", "Request is missing Authentication Token"],
      [403, "InvalidClientTokenId", "The security token included in the request is invalid."],
      [403, "InvalidClientTokenId", "The security token included in the request is invalid."],
    ]);
  });
});

describe("malformed signatures (raw requests: no client sends these)", () => {
  async function withAuthorization(value: string, extra: Record<string, string> = {}) {
    const res = await fetch(`${server.url}/`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "x-amz-date": amzDate(Date.now()), authorization: value, ...extra },
      body: GCI,
    });
    return { status: res.status, ...xmlError(await res.text()) };
  }

  it("a component without '=' → IncompleteSignature 400 quoting the header", async () => {
    const credential = `${server.root.accessKeyId}/20200128/us-east-1/sts/aws4_request`;
    const auth = `AWS4-HMAC-SHA256 Credential= ${credential}, SignedHeaders=content-type;host;x-amz-date, Signature=${"0".repeat(64)}`;
    expect(await withAuthorization(auth)).toEqual({
      status: 400,
      code: "IncompleteSignature",
      message: `'${credential}' not a valid key=value pair (missing equal-sign) in Authorization header: '${auth}'.`,
    });
  });

  it("a credential without 5 parts → IncompleteSignature 400", async () => {
    const auth = `AWS4-HMAC-SHA256 Credential=${server.root.accessKeyId}/20200128/us-east-1/sts, SignedHeaders=host;x-amz-date, Signature=${"0".repeat(64)}`;
    expect(await withAuthorization(auth)).toEqual({
      status: 400,
      code: "IncompleteSignature",
      message: `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${server.root.accessKeyId}/20200128/us-east-1/sts'`,
    });
  });

  it("missing Signature and SignedHeaders → IncompleteSignature 400", async () => {
    expect(await withAuthorization("AWS4-HMAC-SHA256 Credential=ABCDEF")).toEqual({
      status: 400,
      code: "IncompleteSignature",
      message:
        "Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA256 Credential=ABCDEF",
    });
  });
});
